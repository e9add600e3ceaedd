from debtlint.api import FileRule, Severity, row_analysis


class EarlyStoppingOnScoredData(FileRule):
    """Early stopping watches the held-out rows that are then used to report the score.

    ## What it does
    Follows variables through one function (or a script's top-level code) and reports a `fit`
    with early stopping — `early_stopping_rounds=` in the call or the constructor, or a
    `callbacks=` list with an early-stopping callback (`lgb.early_stopping`, Keras
    `EarlyStopping`) — whose `eval_set=`/`validation_data=` is a held-out part (the test output
    of `train_test_split`, or the rows of a cross-validation fold's validation indices), when the
    same rows, or predictions made on them, are later given to a metric or `score`/`evaluate`.

    Not reported: early stopping on an inner validation split of the training rows, a watched
    set that is never scored, and `eval_set` without early stopping (monitoring only).

    Known false positives: a score on the same rows that is logged but explicitly not used to
    compare models; see DL701 for the limits of following names.

    ## Why is this bad?
    Early stopping chooses the number of boosting rounds or epochs that is best *on the watched
    rows*; scoring the model on those same rows reports a tuned, optimistic number. Yang et al.
    (2022) call this multi-test or "test-set reuse" leakage; the out-of-fold scores of many
    Kaggle notebooks are inflated this way.

    ## Example
    ```python
    for tr, va in folds.split(X, y):
        model.fit(X.iloc[tr], y.iloc[tr], eval_set=[(X.iloc[va], y.iloc[va])],
                  early_stopping_rounds=100)
        oof[va] = model.predict_proba(X.iloc[va])[:, 1]
    print(roc_auc_score(y, oof))
    ```

    ## Use instead
    Split the training fold again, stop early on the inner validation part and score the
    untouched fold:
    ```python
    X_fit, X_es, y_fit, y_es = train_test_split(X.iloc[tr], y.iloc[tr], random_state=0)
    model.fit(X_fit, y_fit, eval_set=[(X_es, y_es)], early_stopping_rounds=100)
    ```

    ## Options
    None.

    ## References
    - Yang, Brower-Sinning, Lewis & Kästner, "Data Leakage in Notebooks: Static Detection and
      Better Processes", ASE 2022 (multi-test leakage).
    - Cawley & Talbot, "On Over-fitting in Model Selection and Subsequent Selection Bias in
      Performance Evaluation", JMLR 11, 2010.
    """

    code = "DL703"
    name = "early-stopping-on-scored-data"
    severity = Severity.WARNING
    remediation_minutes = 30

    VALID = [
        """
        from sklearn.metrics import roc_auc_score
        from sklearn.model_selection import train_test_split
        from xgboost import XGBClassifier
        X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
        X_fit, X_es, y_fit, y_es = train_test_split(X_train, y_train, random_state=0)
        model = XGBClassifier(early_stopping_rounds=50)
        model.fit(X_fit, y_fit, eval_set=[(X_es, y_es)])
        print(roc_auc_score(y_test, model.predict_proba(X_test)[:, 1]))
        """,
        """
        from sklearn.metrics import roc_auc_score
        from sklearn.model_selection import train_test_split
        from xgboost import XGBClassifier
        X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
        model = XGBClassifier()
        model.fit(X_train, y_train, eval_set=[(X_test, y_test)])
        print(roc_auc_score(y_test, model.predict_proba(X_test)[:, 1]))
        """,
    ]
    INVALID = [
        """
        import lightgbm as lgb
        from sklearn.metrics import roc_auc_score
        from sklearn.model_selection import StratifiedKFold
        for tr, va in StratifiedKFold(5, shuffle=True, random_state=0).split(X, y):
            X_tr, X_va = X.iloc[tr], X.iloc[va]
            y_tr, y_va = y.iloc[tr], y.iloc[va]
            model = lgb.LGBMClassifier()
            model.fit(  # expect: DL703
                X_tr, y_tr, eval_set=[(X_va, y_va)], callbacks=[lgb.early_stopping(100)]
            )
            print(roc_auc_score(y_va, model.predict_proba(X_va)[:, 1]))
        """,
        """
        from sklearn.model_selection import train_test_split
        from tensorflow import keras
        X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
        stop = keras.callbacks.EarlyStopping(patience=3)
        model.fit(X_train, y_train, validation_data=(X_test, y_test), callbacks=[stop])  # expect: DL703
        loss, acc = model.evaluate(X_test, y_test)
        """,
    ]

    def finish(self) -> None:
        for scope in row_analysis(self.ctx).scopes:
            held_out = scope.held_out()
            for stop in scope.early_stops:
                if not stop.names & held_out:
                    continue
                watched = scope.closure(stop.names)
                scored = next(
                    (e for e in scope.evaluations if e.names & watched and e.line > stop.line),
                    None,
                )
                if scored is None:
                    continue
                self.report(
                    stop.node,
                    "early stopping watches held-out rows that are scored again at line "
                    f"{scored.line}: the reported score is tuned on them",
                    entity=f"{scope.name}:early-stopping",
                    help="Stop early on an inner validation split of the training rows; keep the "
                    "scored rows untouched.",
                    properties={"scored_line": scored.line},
                )
