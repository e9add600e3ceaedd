from debtlint.api import ProjectExample, ProjectGraph, ProjectRule, Severity

# Imports that mean the project has a configuration system.
_CONFIG_LIBRARIES = frozenset(
    {
        "absl",
        "argparse",
        "click",
        "configargparse",
        "fire",
        "gin",
        "hydra",
        "jsonargparse",
        "ml_collections",
        "omegaconf",
        "pydantic_settings",
        "simple_parsing",
        "typer",
    }
)
_CONFIG_MODULES = frozenset({"config", "configs", "conf", "settings", "params", "hparams"})


class HardcodedHyperparameter(ProjectRule):
    """A literal hyperparameter in model code of a project that has a configuration system.

    ## What it does
    Reports numeric literals given as hyperparameter keywords (`n_estimators=500`, `lr=3e-4`,
    `max_depth=6`, `batch_size=64`, `epochs=20`, `weight_decay=0.01`, ...) to model constructors,
    optimisers and schedulers (`torch.optim`, `keras.optimizers`), trainers
    (`transformers.TrainingArguments`, Lightning's `Trainer`), `DataLoader` batch sizes and `fit`
    calls — but only when the project already has a configuration system: a DVC `params.yaml`,
    Hydra/OmegaConf, argparse/click/typer/fire/absl, a config module (`config.py`,
    `settings.py`, `conf/`), or code that reads keys from a config file. Such a project has a
    place for the value; the literal bypasses it.

    Not reported: values from `**params`, `instantiate(cfg.model)`, config objects
    (`cfg.model.lr`, `params["train"]["C"]`), argparse defaults (`args.lr`) or named constants
    (`LR = 3e-4`); the literals 0, 1 and -1; seeds, verbosity and `n_jobs` (not tuning knobs);
    test files.

    Known false positives: values fixed on purpose (a paper's architecture constant).

    ## Why is this bad?
    Sculley et al. (2015, §6) count configuration among the costliest debt: settings scattered as
    literals cannot be reviewed, diffed between experiments or changed without editing code, and
    nobody can tell which run used which value.

    ## Example
    ```python
    model = XGBClassifier(n_estimators=500, max_depth=6)   # while params.yaml exists
    ```

    ## Use instead
    ```python
    model = XGBClassifier(**params["model"])
    ```

    ## Options
    None.

    ## References
    - Sculley et al., "Hidden Technical Debt in Machine Learning Systems", NeurIPS 2015, §6.
    - Tang et al., "An Empirical Study of Refactorings and Technical Debt in Machine Learning
      Systems", ICSE 2021.
    """

    code = "DL501"
    name = "hardcoded-hyperparameter"
    severity = Severity.WARNING
    remediation_minutes = 10

    VALID = [
        ProjectExample(
            {
                "train.py": """
                import yaml
                from sklearn.ensemble import RandomForestRegressor
                from sklearn.model_selection import train_test_split
                params = yaml.safe_load(open("params.yaml"))["train"]
                X_train, X_test, y_train, y_test = train_test_split(
                    X, y, test_size=params["test_size"], random_state=params["seed"]
                )
                model = RandomForestRegressor(**params)
                other = RandomForestRegressor(n_estimators=params["n_estimators"], random_state=42)
                """,
                "params.yaml": "train:\n  n_estimators: 300\n  seed: 7\n  test_size: 0.2\n",
            },
            "PEERS cases 2 and 3: **params and config-driven seeds and hyperparameters",
        ),
        ProjectExample(
            {
                "train.py": """
                import argparse
                import hydra
                import torch
                from hydra.utils import instantiate

                @hydra.main(config_path="conf", config_name="config")
                def main(cfg):
                    model = instantiate(cfg.model)
                    opt = torch.optim.Adam(model.parameters(), lr=cfg.optim.lr)

                parser = argparse.ArgumentParser()
                parser.add_argument("--lr", type=float, default=0.01)
                args = parser.parse_args()
                LR = 3e-4
                opt2 = torch.optim.SGD(params, lr=args.lr, momentum=LR)
                """,
            },
            "Hydra instantiate, config objects, argparse defaults and named constants",
        ),
        """
        from sklearn.ensemble import RandomForestClassifier
        model = RandomForestClassifier(n_estimators=500)
        """,
    ]
    INVALID = [
        ProjectExample(
            {
                "train.py": """
                import torch
                import yaml
                from xgboost import XGBClassifier
                params = yaml.safe_load(open("params.yaml"))
                model = XGBClassifier(n_estimators=500, max_depth=params["depth"])  # expect: DL501
                opt = torch.optim.AdamW(net.parameters(), lr=3e-4)  # expect: DL501
                model.fit(X, y, verbose=1)
                """,
                "params.yaml": "depth: 6\n",
            },
            "literals next to values that come from params.yaml",
        ),
    ]

    def check(self, graph: ProjectGraph) -> None:
        evidence = _config_system(graph)
        if evidence is None:
            return
        for _, facts in sorted(graph.files.items()):
            if facts.is_test:
                continue
            # One finding per call: the literals of one constructor are one decision to move.
            calls: dict[tuple[str, int], list] = {}
            for literal in facts.hyper_literals:
                calls.setdefault((literal.api, literal.span[0]), []).append(literal)
            for (api, _), literals in calls.items():
                what = api.rsplit(".", 1)[-1]
                values = ", ".join(f"{lit.keyword}={lit.value}" for lit in literals)
                plural = "s" if len(literals) > 1 else ""
                self.report(
                    facts.location(literals[0].span),
                    f"hard-coded hyperparameter{plural} {values} in {what}, while the project "
                    f"has a configuration system ({evidence})",
                    entity=f"{facts.path}:{what}:{','.join(lit.keyword for lit in literals)}",
                    help=(
                        "Move them to the configuration and read them from there (a params "
                        "file key, a Hydra node, an argparse option)."
                    ),
                    properties={
                        "hyperparameters": {lit.keyword: lit.value for lit in literals},
                        "api": api,
                        "config_system": evidence,
                    },
                )


def _config_system(graph: ProjectGraph) -> str | None:
    """What shows that the project has a configuration system, or None."""
    dvc = graph.manifest.dvc
    if dvc is not None and dvc.params:
        return ", ".join(sorted(dvc.params))
    for path, facts in sorted(graph.files.items()):
        if facts.is_test:
            continue
        used = {m.split(".", 1)[0] for m in facts.imported_modules} & _CONFIG_LIBRARIES
        if used:
            return f"{sorted(used)[0]} in {path}"
        if facts.config_reads:
            return f"config keys read in {path}"
        parts = path.removesuffix(".py").split("/")
        if any(part in _CONFIG_MODULES for part in parts):
            return f"config module {path}"
    return None
