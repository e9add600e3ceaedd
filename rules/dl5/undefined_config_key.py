from debtlint.api import Location, ProjectExample, ProjectGraph, ProjectRule, Severity


class UndefinedConfigKey(ProjectRule):
    """Code reads a parameter that the params file does not define.

    ## What it does
    Checks the keys that code reads from a DVC params file (`params.yaml`, or another file a
    stage names) against the file: `params["train"]["lr"]`, `params.get("lr", 0.1)`,
    `yaml.safe_load(open("params.yaml"))["evaluate"]["threshold"]`, where the config document was
    loaded in the same function or module (or returned by a function of the same file). A read
    with a default (`.get("lr", 0.1)`) is reported as information: it works, silently, with a
    value nobody configured. Also checks the `params:` keys of `dvc.yaml` stages, reported at the
    `dvc.yaml` line.

    Only params files DVC knows are checked; Hydra configs, which are composed and overridden on
    the command line, are not.

    ## Why is this bad?
    Sculley et al. (2015, §6) ask configuration systems to make manual errors and omissions
    hard: a typo in a key is a crash at the end of a long run, or, behind a default, a value that
    nobody sees. DVC also tracks the wrong dependency.

    ## Example
    ```python
    params = yaml.safe_load(open("params.yaml"))
    lr = params["train"]["learning_rate"]   # params.yaml says train.lr
    ```

    ## Use instead
    Read the key that exists, or add it to `params.yaml`.

    ## Options
    None.

    ## References
    - Sculley et al., "Hidden Technical Debt in Machine Learning Systems", NeurIPS 2015, §6.
    """

    code = "DL502"
    name = "undefined-config-key"
    severity = Severity.WARNING
    remediation_minutes = 10

    _PARAMS = "train:\n  lr: 0.1\n  epochs: 3\nevaluate:\n  threshold: 0.5\n"
    VALID = [
        ProjectExample(
            {
                "train.py": """
                import yaml
                params = yaml.safe_load(open("params.yaml"))
                lr = params["train"]["lr"]
                epochs = params["train"].get("epochs", 10)
                with open("params.yaml") as fh:
                    threshold = yaml.safe_load(fh)["evaluate"]["threshold"]
                metrics = {"val/loss": 0.1}
                """,
                "params.yaml": _PARAMS,
            }
        ),
    ]
    INVALID = [
        ProjectExample(
            {
                "train.py": """
                import yaml
                params = yaml.safe_load(open("params.yaml"))
                lr = params["train"]["learning_rate"]  # expect: DL502
                decay = params["train"].get("decay", 0.0)  # expect: DL502
                """,
                "params.yaml": _PARAMS,
                "dvc.yaml": """
                stages:
                  train:
                    cmd: python train.py
                    params:
                      - train.lr
                      - train.momentum  # expect: DL502
                """,
            }
        ),
    ]

    def check(self, graph: ProjectGraph) -> None:
        documents = graph.flow().params_files()
        for _, facts in sorted(graph.files.items()):
            if facts.is_test:
                continue
            seen: set[tuple[int, int]] = set()
            for read in facts.config_reads:
                if read.file not in documents or _defined(documents[read.file], read.keys):
                    continue
                if not _defined(documents[read.file], read.keys[:-1]):
                    continue  # its parent is missing: reported for the parent
                where = (read.span[0], read.span[1])
                if where in seen:
                    continue
                seen.add(where)
                key = ".".join(read.keys)
                self.report(
                    facts.location(read.span),
                    f"reads {key} from {read.file}, which does not define it"
                    + (" (a default hides it)" if read.default else ""),
                    entity=f"{read.file}:{key}",
                    severity=Severity.INFO if read.default else None,
                    help=f"Add {key} to {read.file}, or read a key that exists.",
                    properties={"file": read.file, "key": key, "default": read.default},
                )
        dvc = graph.manifest.dvc
        if dvc is None:
            return
        for stage in dvc.stages:
            for param in stage.params:
                document = documents.get(param.file)
                if document is None or param.key == "*":
                    continue
                keys = param.key.split(".")
                if _defined(document, keys):
                    continue
                self.report(
                    Location(stage.file, param.line),
                    f"stage {stage.name} depends on {param.key}, which {param.file} does not "
                    "define",
                    entity=f"{param.file}:{param.key}",
                    help=f"Add {param.key} to {param.file}, or remove it from the stage.",
                    properties={"file": param.file, "key": param.key, "stage": stage.name},
                )


def _defined(document, keys) -> bool:  # type: ignore[no-untyped-def]
    node = document
    for key in keys:
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list) and str(key).isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            return False
    return True
