from debtlint.api import FileRule, Option, Severity, row_analysis


def _names_ok(value: list) -> bool:  # type: ignore[type-arg]
    return all(isinstance(v, str) and v for v in value)


class OversamplingBeforeSplit(FileRule):
    """Oversampling (SMOTE, RandomOverSampler, …) applied to all rows before they are split.

    ## What it does
    Follows variables through one function (or a script's top-level code) and reports a
    `fit_resample` of an imbalanced-learn oversampler (`imblearn.over_sampling.*`,
    `imblearn.combine.*`) whose input or output is later split into train and test: by
    `train_test_split`, in a cross-validation loop (`for tr, va in kf.split(X)`), or by a
    cross-validation utility (`cross_val_score`, a `GridSearchCV` fit). A call to a function of
    the same file that oversamples its parameter counts, at the call.

    Not reported: oversampling a split output (`SMOTE().fit_resample(X_train, y_train)`), an
    imbalanced-learn `Pipeline` (with the sampler as a step) inside cross-validation, and
    undersampling (it removes rows and duplicates none).

    Known false positives: none known when the analysis sees the split; see DL701 for the
    limits of following names.

    ## Why is this bad?
    Oversampling copies rows (or interpolates new rows between neighbours); split afterwards,
    copies of the same row land in train and in test, and the test score measures memorisation.
    Yang et al. (2022) call this "overlap leakage".

    ## Example
    ```python
    X_res, y_res = SMOTE().fit_resample(X, y)
    scores = cross_val_score(model, X_res, y_res, cv=5)
    ```

    ## Use instead
    ```python
    from imblearn.pipeline import make_pipeline
    scores = cross_val_score(make_pipeline(SMOTE(), model), X, y, cv=5)
    ```

    ## Options
    - `oversamplers` (list of qualified names; `a.b.*` means everything under `a.b`): the
      samplers that duplicate or synthesise rows.

    ## References
    - Yang, Brower-Sinning, Lewis & Kästner, "Data Leakage in Notebooks: Static Detection and
      Better Processes", ASE 2022 (overlap leakage).
    - imbalanced-learn user guide, "Common pitfalls and recommended practices".
    """

    code = "DL702"
    name = "oversampling-before-split"
    severity = Severity.ERROR
    remediation_minutes = 60
    options = {
        "oversamplers": Option(
            list,
            ["imblearn.over_sampling.*", "imblearn.combine.*"],
            "samplers that duplicate or synthesise rows",
            _names_ok,
            "a list of names",
        ),
    }

    VALID = [
        """
        from imblearn.over_sampling import SMOTE
        from imblearn.pipeline import make_pipeline
        from sklearn.model_selection import cross_val_score, train_test_split
        scores = cross_val_score(make_pipeline(SMOTE(), model), X, y, cv=5)
        X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
        X_res, y_res = SMOTE(random_state=0).fit_resample(X_train, y_train)
        """,
        """
        from imblearn.under_sampling import RandomUnderSampler
        from sklearn.model_selection import train_test_split
        X_small, y_small = RandomUnderSampler().fit_resample(X, y)
        parts = train_test_split(X_small, y_small)
        """,
    ]
    INVALID = [
        """
        from imblearn.over_sampling import RandomOverSampler
        from sklearn.model_selection import train_test_split
        ros = RandomOverSampler(random_state=0)
        X_res, y_res = ros.fit_resample(X, y)  # expect: DL702
        X_train, X_test, y_train, y_test = train_test_split(X_res, y_res)
        """,
    ]

    def finish(self) -> None:
        analysis = row_analysis(self.ctx, oversamplers=tuple(self.opts["oversamplers"]))
        for scope, fit, split in analysis.before_split("resample"):
            what = fit.api.rsplit(".", 1)[-1]
            where = f" (in {fit.via}())" if fit.via else ""
            self.report(
                fit.node,
                f"{what} oversamples all rows{where} before they are split by {split.api} "
                f"(line {split.line}): copies of the same rows end up in train and test",
                entity=f"{scope.name}:{what}",
                help="Oversample the training rows only: an imblearn Pipeline inside "
                "cross-validation.",
                properties={"sampler": fit.api, "split": split.api, "split_line": split.line},
            )
