"""Test-set reuse (DL704) and target leakage (DL705) beyond their examples, and the row-analysis
facts they added (split sides, per-element tuple targets)."""

from __future__ import annotations

import textwrap
from pathlib import Path

from debtlint.config import load_settings
from debtlint.engine import Selection, scan
from tests.conftest import FIXTURES, write_tree


def scan_findings(root: Path, select: list[str]):  # type: ignore[no-untyped-def]
    result = scan(load_settings(root), [root], Selection(select=select))
    assert not result.internal_errors, [f.message for f in result.internal_errors]
    return sorted(result.findings, key=lambda f: (f.location.line, f.code))


def project(tmp_path: Path, source: str, config: str = "{}\n") -> Path:
    return write_tree(
        tmp_path, {"train.py": textwrap.dedent(source).lstrip("\n"), "debtlint.yaml": config}
    )


def lines(root: Path, select: list[str]) -> list[tuple[int, str]]:
    return [(f.location.line, f.code) for f in scan_findings(root, select)]


# -- the row analysis ------------------------------------------------------------------------------


def test_training_side_is_not_reached_from_the_held_out_side(tmp_path):
    # Before the tuple targets were taken element by element, `X_train, X_test = ...` made X_train
    # one of X_test's successors, and a score on the training rows counted as a score on the
    # watched test rows (DL703).
    root = project(
        tmp_path,
        """
        from sklearn.model_selection import train_test_split
        from xgboost import XGBClassifier
        X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
        model = XGBClassifier(early_stopping_rounds=10)
        model.fit(X_train, y_train, eval_set=[(X_test, y_test)])
        print(model.score(X_train, y_train))
        """,
    )
    assert lines(root, ["DL703"]) == []


def test_early_stopping_scored_on_the_test_rows_is_still_reported(tmp_path):
    root = project(
        tmp_path,
        """
        from sklearn.model_selection import train_test_split
        from xgboost import XGBClassifier
        X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
        model = XGBClassifier(early_stopping_rounds=10)
        model.fit(X_train, y_train, eval_set=[(X_test, y_test)])
        print(model.score(X_test, y_test))
        """,
    )
    assert lines(root, ["DL703"]) == [(5, "DL703")]


def test_a_leak_inside_a_function_is_reported_once(tmp_path):
    # The script's scope used to walk into the top-level functions too.
    root = project(
        tmp_path,
        """
        from sklearn.model_selection import train_test_split
        from sklearn.preprocessing import StandardScaler
        def prepare(X, y):
            X = StandardScaler().fit_transform(X)
            return train_test_split(X, y, random_state=0)
        """,
    )
    assert lines(root, ["DL701"]) == [(4, "DL701")]


# -- DL704 -----------------------------------------------------------------------------------------

SELECTION_ON_TEST = """
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
best = 0
for k in range(1, 20):
    score = KNeighborsClassifier(k).fit(X_train, y_train).score(X_test, y_test)
    if score > best:
        best = score
print(best)
"""


def test_confidence_says_whether_the_rows_or_only_the_names_are_known(tmp_path):
    root = project(tmp_path / "rows", SELECTION_ON_TEST)
    (finding,) = scan_findings(root, ["DL704"])
    assert (finding.location.line, finding.confidence.value) == (6, "high")
    assert finding.properties["by_name_only"] is False

    by_name = """
    from sklearn.neighbors import KNeighborsClassifier
    def tune(X_train, y_train, X_test, y_test):
        best = 0
        for k in range(1, 20):
            score = KNeighborsClassifier(k).fit(X_train, y_train).score(X_test, y_test)
            if score > best:
                best = score
        return best
    """
    (finding,) = scan_findings(project(tmp_path / "names", by_name), ["DL704"])
    assert (finding.location.line, finding.confidence.value) == (5, "low")
    assert finding.properties["by_name_only"] is True


def test_three_way_split_selects_on_the_validation_part(tmp_path):
    root = project(
        tmp_path,
        """
        from sklearn.metrics import accuracy_score
        from sklearn.model_selection import train_test_split
        X_train, X_rest, y_train, y_rest = train_test_split(X, y, test_size=0.4, random_state=0)
        X_val, X_test, y_val, y_test = train_test_split(X_rest, y_rest, test_size=0.5)
        scores = {}
        for name, model in models.items():
            model.fit(X_train, y_train)
            pred = model.predict(X_val)
            scores[name] = accuracy_score(y_val, pred)
        best = models[max(scores, key=scores.get)]
        pred = best.predict(X_test)
        print(accuracy_score(y_test, pred))
        """,
    )
    assert lines(root, ["DL704"]) == []


def test_the_same_selection_on_the_test_part_is_reported(tmp_path):
    root = project(
        tmp_path,
        """
        from sklearn.metrics import accuracy_score
        from sklearn.model_selection import train_test_split
        X_train, X_rest, y_train, y_rest = train_test_split(X, y, test_size=0.4, random_state=0)
        X_val, X_test, y_val, y_test = train_test_split(X_rest, y_rest, test_size=0.5)
        scores = {}
        for name, model in models.items():
            model.fit(X_train, y_train)
            pred = model.predict(X_test)
            scores[name] = accuracy_score(y_test, pred)
        best = models[max(scores, key=scores.get)]
        """,
    )
    assert lines(root, ["DL704"]) == [(9, "DL704")]


def test_a_name_reused_for_the_test_rows_after_the_selection(tmp_path):
    # `y_pred` holds validation predictions in the loop and test predictions after it: the score
    # in the loop follows the assignment before it, not the later one.
    root = project(
        tmp_path,
        """
        from sklearn.metrics import f1_score
        from sklearn.model_selection import train_test_split
        X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
        X_fit, X_val, y_fit, y_val = train_test_split(X_train, y_train, random_state=0)
        best, best_depth = 0, None
        for depth in (2, 4, 8):
            model = make_model(depth).fit(X_fit, y_fit)
            y_pred = model.predict(X_val)
            score = f1_score(y_val, y_pred)
            if score > best:
                best, best_depth = score, depth
        y_pred = make_model(best_depth).fit(X_train, y_train).predict(X_test)
        print(f1_score(y_test, y_pred))
        """,
    )
    assert lines(root, ["DL704"]) == []


def test_early_stopping_is_left_to_dl703_and_the_selection_to_dl704(tmp_path):
    root = project(
        tmp_path,
        """
        from sklearn.model_selection import train_test_split
        from xgboost import XGBClassifier
        X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
        best = 0
        for lr in (0.01, 0.1, 0.3):
            model = XGBClassifier(learning_rate=lr, early_stopping_rounds=20)
            model.fit(X_train, y_train, eval_set=[(X_test, y_test)])
            score = model.score(X_test, y_test)
            if score > best:
                best = score
        """,
    )
    assert lines(root, ["DL703", "DL704"]) == [(7, "DL703"), (8, "DL704")]


def test_keras_epochs_checkpointed_on_the_test_score(tmp_path):
    root = project(
        tmp_path,
        """
        from sklearn.model_selection import train_test_split
        X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
        best_acc = 0.0
        for epoch in range(50):
            model.fit(X_train, y_train, epochs=1, verbose=0)
            loss, acc = model.evaluate(X_test, y_test, verbose=0)
            if acc > best_acc:
                best_acc = acc
                model.save("best.keras")
        print("test accuracy", best_acc)
        """,
    )
    assert lines(root, ["DL704"]) == [(6, "DL704")]


def test_train_and_test_scores_compared_for_overfitting_are_not_a_selection(tmp_path):
    root = project(
        tmp_path,
        """
        from sklearn.model_selection import train_test_split
        X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
        for name, model in models.items():
            model.fit(X_train, y_train)
            train_acc = model.score(X_train, y_train)
            test_acc = model.score(X_test, y_test)
            if train_acc > test_acc + 0.1:
                print(name, "overfits")
            if test_acc < 0.5:
                print(name, "is worse than chance")
        """,
    )
    assert lines(root, ["DL704"]) == []


def test_repeated_hold_out_over_seeds_is_not_a_selection(tmp_path):
    # Each iteration splits anew: min/max report the spread of the estimate, they pick nothing.
    root = project(
        tmp_path,
        """
        import numpy as np
        from sklearn.model_selection import train_test_split
        scores = []
        for seed in range(10):
            X_tr, X_te, y_tr, y_te = train_test_split(X, y, random_state=seed)
            scores.append(model.fit(X_tr, y_tr).score(X_te, y_te))
        print(np.mean(scores), min(scores), max(scores))
        """,
    )
    assert lines(root, ["DL704"]) == []


def test_first_row_of_a_ranked_results_table_is_a_selection(tmp_path):
    root = project(
        tmp_path,
        """
        import pandas as pd
        from sklearn.metrics import accuracy_score
        from sklearn.model_selection import train_test_split
        X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
        rows = []
        for name, model in models.items():
            model.fit(X_train, y_train)
            rows.append({"model": name, "acc": accuracy_score(y_test, model.predict(X_test))})
        table = pd.DataFrame(rows).sort_values("acc", ascending=False)
        best = table.iloc[0]["model"]
        """,
    )
    assert lines(root, ["DL704"]) == [(8, "DL704")]


# -- DL705 -----------------------------------------------------------------------------------------

UNNAMED_LABEL = """
from sklearn.model_selection import train_test_split
df["shop_rate"] = df.groupby("shop")["sold"].transform("mean")
train, test = train_test_split(df, random_state=0)
"""


def test_label_named_in_the_configuration(tmp_path):
    # `train_test_split(df)` says nothing about the label; the configuration does.
    assert lines(project(tmp_path / "plain", UNNAMED_LABEL), ["DL705"]) == []
    config = "rule-options:\n  DL705:\n    targets: [sold]\n"
    root = project(tmp_path / "named", UNNAMED_LABEL, config)
    assert lines(root, ["DL705"]) == [(2, "DL705")]


def test_target_leakage_is_a_preview_rule(tmp_path):
    source = """
    from sklearn.model_selection import train_test_split
    df["shop_rate"] = df.groupby("shop")["sold"].transform("mean")
    X_train, X_test, y_train, y_test = train_test_split(df.drop(columns=["sold"]), df["sold"])
    """
    root = project(tmp_path, source)
    assert lines(root, ["DL7"]) == []
    assert lines(root, ["DL705"]) == [(2, "DL705")]


def test_top_k_correlated_columns_are_a_selection(tmp_path):
    root = project(
        tmp_path,
        """
        from sklearn.model_selection import cross_val_score
        TARGET = "SalePrice"
        top = train.corr()[TARGET].abs().sort_values(ascending=False).head(11).index
        X = train[top].drop(columns=[TARGET])
        print(cross_val_score(model, X, train[TARGET], cv=5).mean())
        """,
    )
    assert lines(root, ["DL705"]) == [(3, "DL705")]


def test_columns_most_correlated_with_the_label_pick_the_features(tmp_path):
    root = project(
        tmp_path,
        """
        from sklearn.model_selection import train_test_split
        corrmat = train.corr()
        cols = corrmat.nlargest(10, "SalePrice")["SalePrice"].index
        X = train[cols].drop("SalePrice", axis=1)
        X_train, X_val, y_train, y_val = train_test_split(X, train.SalePrice)
        """,
    )
    assert lines(root, ["DL705"]) == [(3, "DL705")]


def test_a_plotted_group_mean_of_the_label_is_not_a_feature(tmp_path):
    root = project(
        tmp_path,
        """
        from sklearn.model_selection import train_test_split
        rates = df.groupby("region")["default"].mean()
        rates.plot.bar()
        X_train, X_test, y_train, y_test = train_test_split(
            df.drop(columns=["default"]), df["default"], random_state=0
        )
        """,
    )
    assert lines(root, ["DL705"]) == []


# -- fixtures --------------------------------------------------------------------------------------


def test_leakage_fixtures_have_no_selection_or_target_leak():
    for name in ("leakage_kaggle", "leakage_fixed"):
        assert lines(FIXTURES / name, ["DL704", "DL705"]) == [], name
