"""Train-test overlap (DL706) beyond its examples: where it reports, what it names, and the
name-reuse cases the by-line name versions exist for."""

from __future__ import annotations

import textwrap
from pathlib import Path

from debtlint.config import load_settings
from debtlint.engine import Selection, scan
from tests.conftest import write_tree


def findings(tmp_path: Path, source: str, name: str = "train.py"):  # type: ignore[no-untyped-def]
    root = write_tree(
        tmp_path, {name: textwrap.dedent(source).lstrip("\n"), "debtlint.yaml": "{}\n"}
    )
    result = scan(load_settings(root), [root], Selection(select=["DL706"]))
    assert not result.internal_errors, [f.message for f in result.internal_errors]
    return sorted(result.findings, key=lambda f: f.location.line)


LEAK = """
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
model = LogisticRegression()
model.fit(X, y)
print(model.score(X_test, y_test))
"""


def test_reported_at_the_fit_naming_the_split_and_scoring_lines(tmp_path):
    [finding] = findings(tmp_path, LEAK)
    assert finding.location.line == 5
    assert "line 3" in finding.message and "line 6" in finding.message
    assert finding.confidence.name == "MEDIUM"


def test_test_files_are_skipped(tmp_path):
    assert findings(tmp_path, LEAK, name="tests/test_model.py") == []


def test_chained_fit_and_score(tmp_path):
    source = """
    from sklearn.model_selection import train_test_split
    from sklearn.svm import SVC
    X_train, X_test, y_train, y_test = train_test_split(X, y)
    print(SVC().fit(X, y).score(X_test, y_test))
    print(SVC().fit(X_train, y_train).score(X_test, y_test))
    """
    assert [f.location.line for f in findings(tmp_path, source)] == [4]


def test_fit_on_the_training_frame_then_scored_on_its_validation_split(tmp_path):
    # The validation rows were carved out of X_full, which the model saw whole.
    source = """
    from sklearn.model_selection import train_test_split
    X_full, X_test, y_full, y_test = train_test_split(X, y)
    model.fit(X_full, y_full)
    X_tr, X_val, y_tr, y_val = train_test_split(X_full, y_full)
    model.evaluate(X_val, y_val)
    """
    assert [f.location.line for f in findings(tmp_path, source)] == [3]


def test_model_name_rebound_before_the_scoring(tmp_path):
    source = """
    from sklearn.model_selection import train_test_split
    X_train, X_test, y_train, y_test = train_test_split(X, y)
    model.fit(X, y)
    model = load_model("trained.pkl")
    print(model.score(X_test, y_test))
    """
    assert findings(tmp_path, source) == []


def test_fit_inside_a_cross_validation_loop_on_all_rows(tmp_path):
    source = """
    from sklearn.model_selection import StratifiedKFold
    for tr, va in StratifiedKFold(5).split(X, y):
        model.fit(X, y)
        print(model.score(X[va], y[va]))
    """
    assert [f.location.line for f in findings(tmp_path, source)] == [3]


def test_split_data_rebound_after_the_split_is_other_data(tmp_path):
    # `X` after the split holds new rows; the fit on it does not include the held-out rows.
    source = """
    import pandas as pd
    from sklearn.model_selection import train_test_split
    X_train, X_test, y_train, y_test = train_test_split(X, y)
    X, y = pd.read_csv("extra.csv"), pd.read_csv("extra_y.csv")
    model.fit(X, y)
    print(model.score(X_test, y_test))
    """
    assert findings(tmp_path, source) == []
