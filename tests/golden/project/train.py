"""Trains the churn ensemble."""

import joblib
import pandas as pd
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier, StackingClassifier
from sklearn.linear_model import LogisticRegression

FEATURES = ["age", "tenure", "plan", "usage", "support_calls", "region"]


def main() -> None:
    train = pd.read_csv("data/raw/customers.csv")
    extra = pd.read_csv("data/declared.csv")
    scratch = pd.read_csv("data/scratch.csv")  # debtlint: ignore[DL201] notebook leftover
    labels = pd.read_csv("data/raw/labels.csv")  # debtlint: fixme[DL201] DATA-7 catalog it
    model = StackingClassifier(
        estimators=[
            ("rf", RandomForestClassifier(n_estimators=200, max_depth=8)),
            ("gb", GradientBoostingClassifier(learning_rate=0.05)),
        ],
        final_estimator=LogisticRegression(C=0.5),
    )
    model.fit(train[FEATURES], labels["churned"])
    joblib.dump(model, "models/churn.pkl")
    print(len(extra), len(scratch))
