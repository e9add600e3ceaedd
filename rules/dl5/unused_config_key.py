from debtlint.api import Location, ProjectExample, ProjectGraph, ProjectRule, Severity


class UnusedConfigKey(ProjectRule):
    """A parameter in the params file that no code reads.

    ## What it does
    Lists the leaf keys of each DVC params file (`params.yaml`, and files stages name) and
    reports those with no sign of use anywhere in the (non-test) code. A key counts as used when
    the code reads it from a loaded config document, when its name appears as a string key
    anywhere (`x["lr"]`, `x.get("lr")`: the document may travel through function parameters
    debtlint does not follow), when a node containing it is splatted (`Model(**params["model"])`),
    or when a `dvc.yaml` command interpolates it (`${train.lr}`). Keys are reported at their
    line in the params file.

    The rule is silent when the project splats a whole loaded config (`**params`) or never
    reads the params file from code (DVC may pass it on the command line).

    Known false positives: keys read by a tool other than the Python code (a shell script, a
    Makefile).

    ## Why is this bad?
    Sculley et al. (2015, §6) ask that unused or redundant settings be easy to detect: a key
    nobody reads still looks like it controls something, people tune it, and DVC reruns stages
    when it changes.

    ## Example
    ```yaml
    train:
      lr: 0.1
      dropout: 0.3   # no code reads it any more
    ```

    ## Use instead
    Delete the key, or wire it to the code that should use it.

    ## Options
    None.

    ## References
    - Sculley et al., "Hidden Technical Debt in Machine Learning Systems", NeurIPS 2015, §6.
    """

    code = "DL503"
    name = "unused-config-key"
    severity = Severity.WARNING
    remediation_minutes = 5

    VALID = [
        ProjectExample(
            {
                "train.py": """
                import yaml
                from sklearn.ensemble import RandomForestRegressor
                params = yaml.safe_load(open("params.yaml"))
                model = RandomForestRegressor(**params["model"])
                seed = params["seed"]
                """,
                "params.yaml": "seed: 1\nmodel:\n  n_estimators: 10\n  max_depth: 3\n",
            },
            "keys under a splatted node are used",
        ),
        ProjectExample(
            {
                "train.py": "print('no config read here')\n",
                "params.yaml": "lr: 0.1\n",
            },
            "a params file the code never reads",
        ),
    ]
    INVALID = [
        ProjectExample(
            {
                "train.py": """
                import yaml
                params = yaml.safe_load(open("params.yaml"))["train"]
                lr = params["lr"]
                """,
                "params.yaml": """
                train:
                  lr: 0.1
                  dropout: 0.3  # expect: DL503
                """,
            }
        ),
    ]

    def check(self, graph: ProjectGraph) -> None:
        flow = graph.flow()
        documents = flow.params_files()
        if not documents:
            return
        code = [f for f in graph.files.values() if not f.is_test]
        read_files = {r.file for f in code for r in f.config_reads}
        read_files |= {
            r.access.path.value
            for r in graph.reads()
            if r.access.path.value in documents and not graph.files[r.location.path].is_test
        }
        hints = {h for f in code for h in f.config_key_hints}
        splats = {(s.file, tuple(s.keys)) for f in code for s in f.config_splats}
        reads = {(r.file, tuple(r.keys)) for f in code for r in f.config_reads}
        commands = " ".join(c for s in _stages(graph) for c in s.cmd)
        for file, document in sorted(documents.items()):
            if file not in read_files or (file, ()) in splats:
                continue
            for keys in _leaves(document):
                dotted = ".".join(keys)
                prefixes = {(file, keys[:i]) for i in range(1, len(keys) + 1)}
                if (
                    keys[-1] in hints
                    or prefixes & splats
                    or any((file, keys[:i]) in reads for i in range(len(keys), len(keys) + 1))
                    or "${" + dotted + "}" in commands
                ):
                    continue
                line = flow.config_line(file, keys)
                self.report(
                    Location(file, line or 1),
                    f"{file} defines {dotted}, but no code reads it",
                    entity=f"{file}:{dotted}",
                    help=f"Delete {dotted}, or wire it to the code that should use it.",
                    properties={"file": file, "key": dotted},
                )


def _stages(graph: ProjectGraph):  # type: ignore[no-untyped-def]
    dvc = graph.manifest.dvc
    return dvc.stages if dvc is not None else []


def _leaves(node, prefix=()):  # type: ignore[no-untyped-def]
    if isinstance(node, dict) and node:
        for key, value in node.items():
            yield from _leaves(value, (*prefix, str(key)))
    elif prefix:
        yield prefix
