import re

from debtlint.api import ProjectExample, ProjectGraph, ProjectRule, Severity

# A hub name: `bert-base-uncased`, `org/model`, `user/dataset`; no scheme, no `./`, no extension.
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*(/[\w.-]+)?$")
# Folders where projects keep their own checkpoints: `checkpoints/best` is local, not a hub repo.
_LOCAL_ROOTS = frozenset(
    {
        "artifacts",
        "checkpoints",
        "ckpt",
        "ckpts",
        "data",
        "experiments",
        "model",
        "models",
        "output",
        "outputs",
        "results",
        "runs",
        "saved",
        "saved_models",
        "weights",
    }
)
# `load_dataset("csv", data_files=...)` reads local files through a packaged builder.
_BUILDERS = frozenset(
    {"csv", "json", "parquet", "text", "arrow", "pandas", "sql", "generator", "webdataset"}
    | {"imagefolder", "audiofolder", "videofolder"}
)
_DATA_EXTENSIONS = re.compile(r"\.(csv|tsv|json|jsonl|parquet|txt|arrow|pkl|pt|pth|bin|h5)$", re.I)
# Reads that fetch a named artifact from a hub (the knowledge tables give their `revision` spec).
_REMOTE_READS = ("datasets.load_dataset", "huggingface_hub.")
# Pretrained-model calls whose name argument may name a hub repository.
_PRETRAINED = ("from_pretrained", "transformers.pipeline", "torch.hub.load")


class UnpinnedRemoteArtifact(ProjectRule):
    """A pretrained model or remote dataset fetched by name without a pinned revision.

    ## What it does
    Reports `from_pretrained("org/model")` (models, tokenizers, processors),
    `transformers.pipeline(model=...)`, `datasets.load_dataset("org/dataset")`,
    `huggingface_hub.hf_hub_download`/`snapshot_download` and `torch.hub.load("owner/repo", ...)`
    when the name is a hub repository and no `revision=` (for `torch.hub.load`, no `:tag` in the
    repository) pins it.

    Local sources are not remote: paths starting with `.`, `/` or `~`, names whose first folder is
    where projects keep checkpoints (`checkpoints/`, `models/`, `outputs/`, ...), paths the
    project itself writes or saves, paths with a file extension, the packaged `load_dataset`
    builders (`csv`, `json`, `parquet`, `imagefolder`, ...), and `torch.hub.load(...,
    source="local")`. Names that could not be resolved are not guessed at.

    Known false positives: a local directory with a hub-like name outside the folders above;
    research code that wants the newest weights on purpose.

    ## Why is this bad?
    A hub repository is mutable: its owner can push new weights, a new tokenizer or a changed
    dataset under the same name, and the next run trains or predicts with something else.
    Sculley et al. (2015, §3) call this an unstable data dependency.

    ## Example
    ```python
    model = AutoModel.from_pretrained("bert-base-uncased")
    ds = load_dataset("imdb")
    ```

    ## Use instead
    ```python
    model = AutoModel.from_pretrained("bert-base-uncased", revision="86b5e0934494bd15c9632b12f734a8a67f723594")
    ds = load_dataset("imdb", revision="e6281661ce1c48d982bc483cf8a173c1bbeb5d31")
    ```

    ## Options
    None.

    ## References
    - Sculley et al., "Hidden Technical Debt in Machine Learning Systems", NeurIPS 2015, §3.
    - Breck et al., "The ML Test Score", 2017, Monitor 1.
    """

    code = "DL203"
    name = "unpinned-remote-artifact"
    severity = Severity.WARNING
    remediation_minutes = 10

    VALID = [
        """
        import torch
        from datasets import load_dataset
        from transformers import AutoModel, AutoTokenizer
        model = AutoModel.from_pretrained("bert-base-uncased", revision="86b5e09")
        tok = AutoTokenizer.from_pretrained("bert-base-uncased", revision="86b5e09")
        local = AutoModel.from_pretrained("./checkpoints/best")
        ckpt = AutoModel.from_pretrained("checkpoints/epoch-3")
        ds = load_dataset("imdb", revision="e628166")
        csv = load_dataset("csv", data_files="data/train.csv")
        hub = torch.hub.load("pytorch/vision:v0.10.0", "resnet18")
        """,
        ProjectExample(
            {
                "train.py": """
                from transformers import AutoModelForSequenceClassification
                model = AutoModelForSequenceClassification.from_pretrained("distilbert-base-uncased", revision="6cdc0aa")
                model.save_pretrained("acme/finetuned")
                """,
                "serve.py": """
                from transformers import AutoModelForSequenceClassification
                model = AutoModelForSequenceClassification.from_pretrained("acme/finetuned")
                """,
            },
            "a directory the project saves to is local, whatever its name",
        ),
    ]
    INVALID = [
        """
        import torch
        from datasets import load_dataset
        from huggingface_hub import hf_hub_download
        from transformers import AutoModel, AutoTokenizer
        model = AutoModel.from_pretrained("bert-base-uncased")  # expect: DL203
        tok = AutoTokenizer.from_pretrained("bert-base-uncased")  # expect: DL203
        ds = load_dataset("stanfordnlp/imdb")  # expect: DL203
        weights = hf_hub_download("acme/ranker", "model.safetensors")  # expect: DL203
        hub = torch.hub.load("pytorch/vision", "resnet18")  # expect: DL203
        """,
    ]

    def check(self, graph: ProjectGraph) -> None:
        flow = graph.flow()
        written = _written_paths(graph)
        for _, facts in sorted(graph.files.items()):
            if facts.is_test:
                continue
            for site in facts.models:
                if site.kind not in ("pretrained", "load") or not (site.path and site.path.value):
                    continue
                if "revision" in site.hyperparameters or "source" in site.hyperparameters:
                    continue  # pinned, or torch.hub.load(source=...): github and local look alike
                if site.hub or site.api.endswith(_PRETRAINED):
                    self._check(flow, facts.location(site.span), site.api, site.path.value, written)
            for access in facts.data:
                if access.kind != "read" or access.revision or not access.path.value:
                    continue
                if access.hub or access.api.startswith(_REMOTE_READS):
                    name = access.path.value
                    self._check(flow, facts.location(access.span), access.api, name, written)

    def _check(self, flow, location, api: str, name: str, written: set[str]) -> None:  # type: ignore[no-untyped-def]
        if not _remote(name, written) or not (flow.is_remote(name) or "torch.hub" in api):
            return
        what = api.rsplit(".", 1)[-1]
        self.report(
            location,
            f"{what}({name!r}) fetches a hub artifact without a pinned revision; the next run "
            "may get different weights or data",
            entity=name,
            help=("Pass revision=<commit sha or tag> (for torch.hub.load, 'owner/repo:tag')."),
            properties={"name": name, "api": api},
        )


def _remote(name: str, written: set[str]) -> bool:
    if not _HUB_ID.match(name) or _DATA_EXTENSIONS.search(name):
        return False
    if name in _BUILDERS or name.split("/", 1)[0].lower() in _LOCAL_ROOTS:
        return False
    return not any(w == name or w.startswith(name + "/") for w in written)


def _written_paths(graph: ProjectGraph) -> set[str]:
    return {
        path
        for read in graph.writes()
        if (path := graph.data_node(read.data_id).get("path")) is not None
    }
