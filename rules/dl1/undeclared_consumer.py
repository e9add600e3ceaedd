from debtlint.api import ProjectExample, ProjectGraph, ProjectRule, Severity


class UndeclaredConsumer(ProjectRule):
    """Code loads a model artifact without being one of the model's declared consumers.

    ## What it does
    For every model artifact the project saves (`joblib.dump(model, "models/x.pkl")`,
    `torch.save`, `save_pretrained`, ...), finds the code that loads it back (`joblib.load`,
    `pickle.load`, `torch.load`, `from_pretrained` of that path, ...) and checks that the loading
    file is a declared consumer of the model in `debtlint.yaml`: covered by the `paths` globs of
    a consumer listed in the model's `consumers:` (or of a consumer whose `models:` lists it), or
    by the model's own `code:` globs. Files that define or train the model and test files are
    never consumers.

    The rule only runs when the project declares consumers for at least one model: without any
    `consumers:` it has nothing to compare with and stays silent. Models without a
    `debtlint.yaml` entry are left to DL101.

    Known false positives: consumers in other repositories are invisible (the rule under-reports);
    a path the project saves and also downloads from elsewhere.

    ## Why is this bad?
    Sculley et al. (2015, §2) describe undeclared consumers: a model's output silently used by
    other systems couples them to it; changing the model breaks them, and nobody knows whom to
    warn. Recupito et al. (2024) report that practitioners see it as a security risk too.

    ## Example
    ```yaml
    models:
      churn: {owner: "@acme/ml", code: [src/train.py], consumers: [billing]}
    consumers:
      billing: {paths: [services/billing/**]}
    ```
    ```python
    # services/marketing/campaign.py
    model = joblib.load("models/churn.pkl")
    ```

    ## Use instead
    Declare the consumer (`consumers: {marketing: {paths: [services/marketing/**], models:
    [churn]}}`) after agreeing on the contract with the model's owner, or call the owner's
    service instead of loading the artifact.

    ## Options
    None.

    ## References
    - Sculley et al., "Hidden Technical Debt in Machine Learning Systems", NeurIPS 2015, §2
      ("Undeclared Consumers").
    - Recupito et al., "Technical debt in AI-enabled systems", JSS, 2024.
    """

    code = "DL102"
    name = "undeclared-consumer"
    severity = Severity.WARNING
    remediation_minutes = 60

    _TRAIN = """
        import joblib
        from sklearn.linear_model import LogisticRegression
        model = LogisticRegression()
        model.fit([[0], [1]], [0, 1])
        joblib.dump(model, "models/churn.pkl")
        """
    _MANIFEST = """
        models:
          churn:
            owner: "@acme/ml"
            code: [src/train.py]
            consumers: [billing]
        consumers:
          billing:
            paths: ["services/billing/**"]
        """
    VALID = [
        ProjectExample(
            {
                "src/train.py": _TRAIN,
                "services/billing/invoice.py": """
                import joblib
                model = joblib.load("models/churn.pkl")
                """,
                "debtlint.yaml": _MANIFEST,
            },
            "a declared consumer",
        ),
        ProjectExample(
            {
                "src/train.py": _TRAIN,
                "services/marketing/campaign.py": """
                import joblib
                model = joblib.load("models/churn.pkl")
                """,
                "debtlint.yaml": 'models:\n  churn: {owner: "@acme/ml", code: [src/train.py]}\n',
            },
            "no consumers declared anywhere: nothing to compare with",
        ),
    ]
    INVALID = [
        ProjectExample(
            {
                "src/train.py": _TRAIN,
                "services/billing/invoice.py": """
                import joblib
                model = joblib.load("models/churn.pkl")
                """,
                "services/marketing/campaign.py": """
                import joblib
                model = joblib.load("models/churn.pkl")  # expect: DL102
                """,
                "debtlint.yaml": _MANIFEST,
            },
            "marketing loads the churn model without being a declared consumer",
        ),
    ]

    def check(self, graph: ProjectGraph) -> None:
        manifest = graph.manifest
        if not manifest.consumers and not any(d.consumers for d in manifest.models.values()):
            return
        flow = graph.flow()
        for model in graph.models():
            entries = flow.declared_models(model)
            if not entries:
                continue
            allowed: list[str] = []
            names: set[str] = set()
            for key, decl in entries:
                allowed.extend(decl.code)
                names.update(decl.consumers)
                names.update(n for n, c in manifest.consumers.items() if key in c.models)
            for name in sorted(names):
                consumer = manifest.consumers.get(name)
                if consumer is not None:
                    allowed.extend(consumer.paths)
            own = {model.path, *model.trained_in}
            keys = ", ".join(k for k, _ in entries)
            for artifact, location in flow.loads_of(model):
                path = location.path
                if path in own or graph.files[path].is_test or flow.matches(allowed, [path]):
                    continue
                declared = ", ".join(sorted(names)) or "none"
                self.report(
                    location,
                    f"loads {artifact}, an artifact of model '{keys}', but {path} is not one "
                    f"of its declared consumers ({declared})",
                    entity=f"{keys}:{path}",
                    help=(
                        f"Declare it in debtlint.yaml (consumers: {{<name>: {{paths: [{path}], "
                        f"models: [{keys}]}}}}) after agreeing on the contract with the owner."
                    ),
                    properties={"model": keys, "artifact": artifact, "consumers": sorted(names)},
                )
