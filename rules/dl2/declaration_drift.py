from debtlint.api import Location, ProjectExample, ProjectGraph, ProjectRule, Severity


class DeclarationDrift(ProjectRule):
    """A declared data dependency that no code reads or writes.

    ## What it does
    Compares what the project declares with what its code does: every `deps`/`outs` path of a
    `dvc.yaml` stage and every `debtlint.yaml` `data:` entry must be read or written somewhere in
    the (non-test) code — a path read, written, loaded or saved, a file under a declared
    directory, or a directory holding a declared file. A declaration nothing touches is reported
    at its own line. (The reverse — code reading undeclared data — is DL201.)

    To stay precise, a declaration is only judged when the code it belongs to is fully
    understood: a `dvc.yaml` stage must run a Python file of the project (`python src/x.py`,
    `python -m src.x`), and neither that file nor the project modules it imports may have a read
    or write whose path could not be resolved. A `debtlint.yaml` entry is judged only when no
    non-test file has an unresolved read or write, and never when it is `external: true`.
    Code, configuration and text files (`src/train.py`, `params.yaml`, `README.md`), paths with
    `${...}` templating, URLs and absolute paths, and Kedro catalogs (Kedro reads them by dataset
    name) are not judged.

    ## Why is this bad?
    Sculley et al. (2015, §3) ask that data dependencies be annotated and resolvable like code
    dependencies; declarations that no longer match the code are worse than none: DVC reruns
    stages for inputs they do not use, and readers trust a dependency list that is wrong.

    ## Example
    ```yaml
    stages:
      train:
        cmd: python src/train.py
        deps: [data/features, data/holidays.csv]   # train.py no longer reads holidays.csv
    ```

    ## Use instead
    Remove the stale declaration, or restore the read it stood for.

    ## Options
    None.

    ## References
    - Sculley et al., "Hidden Technical Debt in Machine Learning Systems", NeurIPS 2015, §3
      ("Static Analysis of Data Dependencies").
    - Breck et al., "The ML Test Score", 2017, Infra 1.
    """

    code = "DL205"
    name = "declaration-drift"
    severity = Severity.WARNING
    remediation_minutes = 20

    _TRAIN = """
        import os
        import joblib
        import pandas as pd
        from sklearn.linear_model import LogisticRegression
        df = pd.read_csv(os.path.join("data/features", "train.csv"))
        model = LogisticRegression().fit(df[["a"]], df["y"])
        joblib.dump(model, "models/model.pkl")
        """
    VALID = [
        ProjectExample(
            {
                "src/train.py": _TRAIN,
                "dvc.yaml": """
                stages:
                  train:
                    cmd: python src/train.py
                    deps: [data/features, src/train.py, params.yaml]
                    outs: [models/model.pkl]
                """,
            },
            "every declaration is read or written (a directory covers its files)",
        ),
        ProjectExample(
            {
                "src/train.py": """
                import sys
                import pandas as pd
                df = pd.read_csv(sys.argv[1])
                """,
                "dvc.yaml": """
                stages:
                  train:
                    cmd: python src/train.py data/extra.csv
                    deps: [data/extra.csv]
                """,
            },
            "an unresolved read in the stage's script could be the declared one",
        ),
    ]
    INVALID = [
        ProjectExample(
            {
                "src/train.py": _TRAIN,
                "dvc.yaml": """
                stages:
                  train:
                    cmd: python src/train.py
                    deps:
                      - data/features
                      - data/holidays.csv  # expect: DL205
                    outs:
                      - models/model.pkl
                """,
                "debtlint.yaml": """
                data:
                  data/features/*.csv: {owner: "@acme/data"}
                  data/legacy/customers.csv: {owner: "@acme/crm"}  # expect: DL205
                """,
            },
            "a stale dvc dependency and a stale manifest entry",
        ),
    ]

    def check(self, graph: ProjectGraph) -> None:
        flow = graph.flow()
        used = flow.accessed_paths()
        code_files = [p for p in graph.files if not graph.files[p].is_test]
        unclear = flow.files_with_unresolved_access()

        def judged(path: str) -> bool:
            return not (
                "${" in path
                or "://" in path
                or path.startswith("/")
                or not flow.is_data_path(path)
                or any(f.startswith(path.rstrip("/") + "/") for f in code_files)
            )

        manifest = graph.manifest
        if manifest.dvc is not None:
            for stage in manifest.dvc.stages:
                scripts = flow.stage_scripts(stage.cmd)
                if not scripts or flow.with_imports(scripts) & unclear:
                    continue
                for role, paths in (("deps", stage.deps), ("outs", stage.outs)):
                    for declared in paths:
                        if judged(declared.path) and not flow.covers(declared.path, used):
                            self._report(
                                Location(declared.file, declared.line),
                                f"{declared.file} stage {stage.name} declares {declared.path} "
                                f"in {role}, but no code reads or writes it",
                                declared.path,
                            )
        if unclear & set(code_files):
            return
        for pattern, decl in sorted(manifest.data.items()):
            path = decl.pattern or pattern
            if decl.external or not judged(path) or flow.covers(path, used):
                continue
            self._report(
                Location(decl.file, decl.line),
                f"{decl.file} declares data {path}, but no code reads or writes it",
                path,
            )

    def _report(self, location: Location, message: str, path: str) -> None:
        self.report(
            location,
            message,
            entity=path,
            help="Remove the stale declaration, or restore the read or write it stood for.",
            properties={"path": path},
        )
