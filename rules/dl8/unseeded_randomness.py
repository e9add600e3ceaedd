import libcst as cst

from debtlint.api import FileContext, FileRule, Severity

# Splitters that are random only when asked to shuffle (`shuffle=False` is their default).
_SHUFFLE_OPT_IN = ("KFold", "StratifiedKFold", "DataLoader")
# Splitters that shuffle unless told not to.
_SHUFFLE_OPT_OUT = ("train_test_split",)
# Generator constructors seed only the generator they return, and only when given a seed.
_GENERATORS = ("default_rng", "RandomState", "Random")


def _keyword(call: cst.Call, name: str) -> cst.BaseExpression | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg.value
    return None


def _is_literal(expr: cst.BaseExpression | None, value: str) -> bool:
    return isinstance(expr, cst.Name) and expr.value == value


class UnseededRandomness(FileRule):
    """A random split, shuffle or stochastic estimator with no seed, in a file that sets none.

    ## What it does
    Finds calls that consume randomness and take a seed — `train_test_split`, the shuffling
    cross-validation splitters, `RandomizedSearchCV`, `sklearn.utils.shuffle`/`resample`,
    stochastic estimators (random forests, extra trees, gradient boosting, bagging, decision
    trees, MLPs, SGD models, k-means, `TruncatedSVD`, `TSNE`), `torch.utils.data.random_split`,
    a `DataLoader(shuffle=True)` — the `random` entries of the knowledge tables — called without
    their seed argument. `KFold`/`StratifiedKFold`/`DataLoader` count only with `shuffle=True`;
    `train_test_split(..., shuffle=False)` does not count.

    A call is seeded when its seed argument is given *any* expression but a literal `None`
    (`random_state=cfg.seed`, `random_state=SEED`), or when it takes `**params`. Nothing is
    reported in a file that sets a seed anywhere: `random.seed`, `np.random.seed`,
    `torch.manual_seed`, `tf.random.set_seed`, `lightning.seed_everything`, `transformers.set_seed`,
    `keras.utils.set_random_seed`, or any function of yours whose name contains `seed`
    (`seed_everything(cfg.seed)`, `utils.fix_seeds()`).

    Known false positives: a library module whose callers seed the global generators before
    calling it (the check is per file); pass `random_state` through, or ignore the rule there.

    ## Why is this bad?
    Every run splits, samples and initialises differently, so results cannot be reproduced,
    two runs cannot be compared, and a lucky split can pass for an improvement. This is smell
    14, "Randomness Uncontrolled", of Zhang et al. (2022).

    ## Example
    ```python
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2)
    ```

    ## Use instead
    ```python
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.2, random_state=params["seed"]
    )
    ```

    ## Options
    None.

    ## References
    - Zhang, Cruz & van Deursen, "Code Smells for Machine Learning Applications", CAIN 2022, #14.
    - scikit-learn user guide, "Controlling randomness".
    """

    code = "DL801"
    name = "unseeded-randomness"
    severity = Severity.WARNING
    remediation_minutes = 5

    VALID = [
        """
        import lightning as L
        from sklearn.model_selection import train_test_split
        def main(cfg):
            L.seed_everything(cfg.seed)
            return train_test_split(cfg.X, cfg.y, test_size=0.2)
        """,
        """
        import transformers
        from sklearn.ensemble import RandomForestClassifier
        transformers.set_seed(42)
        model = RandomForestClassifier(n_estimators=100)
        """,
        """
        import keras
        from sklearn.model_selection import KFold
        keras.utils.set_random_seed(7)
        folds = KFold(n_splits=5, shuffle=True)
        """,
        """
        import yaml
        from sklearn.ensemble import RandomForestRegressor
        from sklearn.model_selection import KFold, train_test_split
        params = yaml.safe_load(open("params.yaml"))
        seed = params["seed"]
        parts = train_test_split(X, y, random_state=seed)
        model = RandomForestRegressor(**params["model"])
        folds = KFold(n_splits=5)
        ordered = train_test_split(X, y, shuffle=False)
        """,
        """
        from sklearn.model_selection import train_test_split
        from utils import seed_everything
        seed_everything(3)
        parts = train_test_split(X, y)
        """,
    ]
    INVALID = [
        """
        import numpy as np
        import torch
        from sklearn.ensemble import RandomForestClassifier
        from sklearn.model_selection import StratifiedKFold, train_test_split
        rng = np.random.default_rng()
        parts = train_test_split(X, y, test_size=0.2)  # expect: DL801
        folds = StratifiedKFold(n_splits=5, shuffle=True)  # expect: DL801
        model = RandomForestClassifier(n_estimators=300, random_state=None)  # expect: DL801
        loader = torch.utils.data.DataLoader(data, batch_size=32, shuffle=True)  # expect: DL801
        """,
    ]

    def start(self, ctx: FileContext) -> None:
        super().start(ctx)
        self.seeded = False
        self.unseeded: list[tuple[cst.Call, str]] = []

    def visit_Call(self, node: cst.Call) -> None:
        qual = self.ctx.qualname(node.func)
        last = qual.rsplit(".", 1)[-1] if qual else _last_name(node.func)
        entries = self.ctx.catalog.lookup_call(qual) if qual else ()
        if any(e.role == "seed" for e in entries) or (last and "seed" in last.lower()):
            if not (last in _GENERATORS and not node.args):
                self.seeded = True
            return
        random = [e for e in entries if e.role == "random" and e.seed is not None]
        if not random or any(a.star == "**" for a in node.args):
            return
        assert qual is not None and last is not None
        shuffle = _keyword(node, "shuffle")
        if last in _SHUFFLE_OPT_IN and not _is_literal(shuffle, "True"):
            return
        if last in _SHUFFLE_OPT_OUT and _is_literal(shuffle, "False"):
            return
        positional = [a.value for a in node.args if a.keyword is None and not a.star]
        keywords = {a.keyword.value: a.value for a in node.args if a.keyword is not None}
        for entry in random:
            assert entry.seed is not None
            given = entry.seed.find(positional, keywords)
            if given is not None and not _is_literal(given, "None"):
                return
        self.unseeded.append((node, last))

    def finish(self) -> None:
        if self.seeded:
            return
        for call, name in self.unseeded:
            self.report(
                call,
                f"`{name}` is random and has no seed, and this file sets none",
                entity=name,
                help="Pass random_state= (from your configuration), or seed the run once with "
                "a seed helper (np.random.seed, torch.manual_seed, seed_everything).",
            )


def _last_name(func: cst.BaseExpression) -> str | None:
    if isinstance(func, cst.Name):
        return func.value
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return None
