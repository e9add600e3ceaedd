from debtlint.api import DEFAULT_PREPROCESSORS, FileRule, Option, Severity, row_analysis


def _names_ok(value: list) -> bool:  # type: ignore[type-arg]
    return all(isinstance(v, str) and v for v in value)


class PreprocessingLeakage(FileRule):
    """A scaler, encoder, imputer, selector or vectoriser fitted on all rows before they are split.

    ## What it does
    Follows variables through one function (or a script's top-level code) and reports a
    data-dependent preprocessing step — `fit` or `fit_transform` of anything under
    `sklearn.preprocessing`, `sklearn.impute`, `sklearn.feature_selection`,
    `sklearn.decomposition`, `sklearn.feature_extraction`, a `ColumnTransformer`,
    `category_encoders`, a Keras `Tokenizer` (`fit_on_texts`) — whose input is later split into
    train and test: by `train_test_split`, in a cross-validation loop (`for tr, va in
    kf.split(X)`), or by `cross_val_score`/`cross_validate`/`cross_val_predict` or a
    `GridSearchCV` fit that split it themselves. A fit inside a cross-validation loop on the whole
    data is reported too. A call to a function of the same file that does such a fit on its
    parameter counts as the fit, at the call.

    Not reported: a fit on a split output (`scaler.fit(X_train)`, `X.iloc[train_idx]`), a
    `Pipeline`/`ColumnTransformer` fitted inside cross-validation (the fix), label encoders and
    stateless transformers (`LabelEncoder`, `FunctionTransformer`, `Normalizer`,
    `PolynomialFeatures`), and fits whose data is never split in the same scope.

    The analysis follows names, not values (no SSA): a name reused for other data can hide a
    leak, but a fit counts as "on all rows" only when none of its inputs comes from a split, so
    reuse does not invent one. Known false positives: fitting on train and test deliberately in
    a transductive setting (Kaggle competitions sometimes do); an unsupervised encoder whose
    statistics do not depend on the rows (a fixed vocabulary).

    ## Why is this bad?
    The transformer learns statistics (means, categories, vocabularies, selected features) from
    the rows later used for evaluation, so the evaluation sees information it would not have in
    production and overestimates the model. Yang et al. (2022) find this "preprocessing leakage"
    in a large share of public notebooks. Its effect is often small for plain scaling and can
    be large for feature selection and target encoding.

    ## Example
    ```python
    X = StandardScaler().fit_transform(X)
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    ```

    ## Use instead
    ```python
    model = make_pipeline(StandardScaler(), LogisticRegression())
    scores = cross_val_score(model, X, y, cv=5)
    ```

    ## Options
    - `preprocessors` (list of qualified names; `a.b.*` means everything under `a.b`): the
      data-dependent transformers to follow.

    ## References
    - Yang, Brower-Sinning, Lewis & Kästner, "Data Leakage in Notebooks: Static Detection and
      Better Processes", ASE 2022.
    - Kapoor & Narayanan, "Leakage and the Reproducibility Crisis in ML-based Science",
      Patterns, 2023.
    - scikit-learn user guide, "Common pitfalls: data leakage".
    """

    code = "DL701"
    name = "preprocessing-leakage"
    severity = Severity.WARNING
    remediation_minutes = 30
    options = {
        "preprocessors": Option(
            list,
            list(DEFAULT_PREPROCESSORS),
            "data-dependent transformers",
            _names_ok,
            "a list of names",
        ),
    }

    VALID = [
        """
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import cross_val_score, train_test_split
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler
        model = make_pipeline(StandardScaler(), LogisticRegression())
        scores = cross_val_score(model, X, y, cv=5)
        X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
        scaler = StandardScaler().fit(X_train)
        X_train_s = scaler.transform(X_train)
        X_test_s = scaler.transform(X_test)
        """,
        """
        from sklearn.model_selection import KFold
        from sklearn.preprocessing import LabelEncoder, OrdinalEncoder
        y = LabelEncoder().fit_transform(df["target"])
        for tr, va in KFold(5, shuffle=True, random_state=0).split(X):
            enc = OrdinalEncoder()
            X_tr = enc.fit_transform(X.iloc[tr])
            X_va = enc.transform(X.iloc[va])
        """,
        """
        import pandas as pd
        from sklearn.preprocessing import StandardScaler
        features = StandardScaler().fit_transform(pd.read_csv("all.csv"))
        pd.DataFrame(features).to_csv("scaled.csv")
        """,
    ]
    INVALID = [
        """
        from sklearn.decomposition import PCA
        from sklearn.model_selection import train_test_split
        from sklearn.preprocessing import StandardScaler
        X = StandardScaler().fit_transform(X)  # expect: DL701
        pca = PCA(n_components=10)
        Z = pca.fit_transform(X)  # expect: DL701
        Z_train, Z_test, y_train, y_test = train_test_split(Z, y, random_state=0)
        """,
        """
        from sklearn.feature_selection import SelectKBest
        from sklearn.model_selection import StratifiedKFold, cross_val_score
        def select(frame, target):
            return SelectKBest(k=20).fit_transform(frame, target)
        X_sel = select(X, y)  # expect: DL701
        scores = cross_val_score(model, X_sel, y, cv=StratifiedKFold(5))
        """,
    ]

    def finish(self) -> None:
        analysis = row_analysis(self.ctx, preprocessors=tuple(self.opts["preprocessors"]))
        for scope, fit, split in analysis.before_split("preprocess"):
            what = fit.api.rsplit(".", 1)[-1]
            where = f" (in {fit.via}())" if fit.via else ""
            self.report(
                fit.node,
                f"{what} is fitted on all rows{where} before they are split by "
                f"{split.api} (line {split.line}): test rows leak into preprocessing",
                entity=f"{scope.name}:{what}",
                help="Fit the transformer on the training rows only, e.g. in a Pipeline "
                "inside cross-validation.",
                properties={
                    "transformer": fit.api,
                    "split": split.api,
                    "split_line": split.line,
                },
            )
