"""A simple baseline; its findings are in the golden test's baseline file."""

import pandas as pd
from sklearn.linear_model import LogisticRegression

frame = pd.read_csv("data/raw/customers.csv")
clf = LogisticRegression()
clf.fit(frame[["age"]], frame["churned"])
