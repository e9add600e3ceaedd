import re

from debtlint.api import Confidence, ProjectExample, ProjectGraph, ProjectRule, Severity

_URL = re.compile(r"^https?://", re.IGNORECASE)
_CLOUD = re.compile(r"^(s3a?|gs|gcs|az|abfss?|wasbs?|hdfs|oss)://", re.IGNORECASE)
_SQL = re.compile(r"^\s*(select|with)\s", re.IGNORECASE)
# A segment that pins a version: v3, 1.2.0, a date, a commit or content hash, a snapshot.
_VERSIONED = re.compile(
    r"(^|[/_=.-])(v\d+([._]\d+)*|\d+\.\d+(\.\d+)?|\d{4}[-_/]?\d{2}[-_/]?\d{2}|[0-9a-f]{7,64}"
    r"|snapshot[s]?|version[s]?|release[s]?|(dt|date|ds|day)=[^/]+)([/_.?&-]|$)"
    r"|[?&](version|rev|ref|sha|versionId|generation)=",
    re.IGNORECASE,
)
# Branch names and words that name whatever is newest.
_MOVING = re.compile(r"(^|[/_.-])(latest|current|newest|nightly|master|main|head)([/_.-]|$)")
_LOCAL_MOVING = re.compile(r"(^|[/_.-])latest([/_.-]|$)", re.IGNORECASE)
# Archives whose records never change.
_IMMUTABLE_HOSTS = re.compile(r"^https?://([^/]*\.)?(zenodo\.org|doi\.org|figshare\.com)/")
_SQL_SNAPSHOT = re.compile(
    r"\bas\s+of\b|for\s+system_time|versionasof|timestampasof|\bsnapshot\b|"
    r"'\d{4}-\d{2}-\d{2}",
    re.IGNORECASE,
)


def unstable_reason(path: str) -> tuple[str, Confidence] | None:
    """Why reading ``path`` reads something that can change under the same name, or None."""
    if _SQL.match(path):
        if _SQL_SNAPSHOT.search(path):
            return None
        return "a SQL query without a snapshot (AS OF, a date filter)", Confidence.MEDIUM
    if _URL.match(path):
        if _IMMUTABLE_HOSTS.match(path):
            return None
        rest = path.split("://", 1)[1].partition("/")[2]
        if _MOVING.search(rest):
            return "a URL that names a moving branch or 'latest'", Confidence.HIGH
        if _VERSIONED.search(rest):
            return None
        return "a URL without a version, date or checksum in it", Confidence.MEDIUM
    if _CLOUD.match(path):
        rest = path.split("://", 1)[1]
        if _LOCAL_MOVING.search(rest):
            return "a cloud path that names 'latest'", Confidence.HIGH
        if _VERSIONED.search(rest.partition("/")[2]):
            return None
        return "a cloud path without a version or date", Confidence.MEDIUM
    if "://" not in path and _names_latest(path):
        return "a path that names 'latest' or 'current'", Confidence.HIGH
    return None


def _names_latest(path: str) -> bool:
    # A folder named latest/current, or a file named like `events_latest.csv`; `current_account`
    # in a file name is a word, not a pointer.
    *folders, name = path.split("/")
    if any(f.lower() in ("latest", "current", "newest") for f in folders):
        return True
    return bool(re.search(r"(^|[_.-])latest($|[_.-])", name.rpartition(".")[0] or name, re.I))


class UnstableDataDependency(ProjectRule):
    """Code reads data from a source that can change under the same name.

    ## What it does
    Looks at every data read and reports the ones whose source is mutable by its name:
    - an `http(s)://` URL that names a moving branch (`/master/`, `/main/`) or `latest`, or
      has no version, date, commit hash or version query in its path (archives such as Zenodo
      and DOIs are immutable and skipped);
    - a cloud path (`s3://`, `gs://`, `az://`, `abfs://`, `hdfs://`) with no version or date
      segment (`v3`, `2024-05-01`, `dt=2024-05-01`, `snapshot`);
    - a local path naming `latest` or `current` (`data/latest/events.csv`);
    - a literal SQL query (`pd.read_sql("SELECT ...")`) without a snapshot (`AS OF`,
      `FOR SYSTEM_TIME`, a date literal).

    Sources that DVC declares (`dvc.yaml` deps, `.dvc` files: DVC records their checksum) and
    `debtlint.yaml` `data:` entries with a `version` are pinned and not reported. Reads whose
    path could not be resolved are not guessed at.

    Known false positives: sources that are immutable by convention (append-only buckets whose
    keys are never overwritten), URLs versioned in a way this rule does not recognise.

    ## Why is this bad?
    Sculley et al. (2015, §3) call these unstable data dependencies: an input that changes
    over time, or is produced by another team, changes the model's behaviour without any change
    to its code. The mitigation they recommend is a versioned copy of the signal.

    ## Example
    ```python
    df = pd.read_csv("https://raw.githubusercontent.com/acme/data/main/users.csv")
    events = pd.read_parquet("s3://acme-lake/events/")
    ```

    ## Use instead
    ```python
    df = pd.read_csv("https://raw.githubusercontent.com/acme/data/3f2a9c1/users.csv")
    events = pd.read_parquet("s3://acme-lake/events/dt=2024-05-01/")
    ```
    or track the data with DVC (`dvc import-url`) and read the local copy.

    ## Options
    None.

    ## References
    - Sculley et al., "Hidden Technical Debt in Machine Learning Systems", NeurIPS 2015, §3
      ("Unstable Data Dependencies").
    """

    code = "DL202"
    name = "unstable-data-dependency"
    severity = Severity.WARNING
    remediation_minutes = 60

    VALID = [
        """
        import pandas as pd
        a = pd.read_csv("https://raw.githubusercontent.com/acme/data/3f2a9c1e/users.csv")
        b = pd.read_parquet("s3://acme-lake/events/dt=2024-05-01/part-0.parquet")
        c = pd.read_csv("https://zenodo.org/records/123/files/x.csv")
        d = pd.read_csv("https://example.com/datasets/v2/train.csv")
        e = pd.read_csv("data/current_account_balances_2024-05-01.csv")
        f = pd.read_sql("SELECT * FROM events FOR SYSTEM_TIME AS OF '2024-05-01'", con)
        g = pd.read_csv("metrics/val/loss.csv")
        """,
        ProjectExample(
            {
                "train.py": """
                import pandas as pd
                df = pd.read_parquet("s3://acme-lake/events/")
                """,
                "dvc.yaml": """
                stages:
                  train:
                    cmd: python train.py
                    deps: [s3://acme-lake/events/]
                """,
            },
            "DVC records the checksum of what it declares",
        ),
    ]
    INVALID = [
        """
        import pandas as pd
        a = pd.read_csv("https://raw.githubusercontent.com/acme/data/main/users.csv")  # expect: DL202
        b = pd.read_parquet("s3://acme-lake/events/")  # expect: DL202
        c = pd.read_csv("data/latest/events.csv")  # expect: DL202
        d = pd.read_sql("SELECT user_id, plan FROM subscriptions", con)  # expect: DL202
        e = pd.read_csv("https://example.com/export/users.csv")  # expect: DL202
        """,
    ]

    def check(self, graph: ProjectGraph) -> None:
        for read in graph.data_reads():
            path = graph.data_node(read.data_id).get("path")
            if not path:
                continue
            found = unstable_reason(path)
            if found is None or _pinned(graph, path):
                continue
            reason, confidence = found
            shown = path if len(path) <= 80 else path[:77] + "..."
            self.report(
                read.location,
                f"reads {shown}: {reason}, so the data can change without any change to the code",
                entity=path,
                confidence=min(confidence, Confidence(read.access.path.confidence), key=_rank),
                help=(
                    "Pin a version (a commit, a dated or versioned path, a snapshot), or track "
                    "a copy with DVC and read that."
                ),
                properties={"path": path, "reason": reason},
            )


def _pinned(graph: ProjectGraph, path: str) -> bool:
    for decl in graph.declarations_of(path):
        if "dvc" in decl.source or decl.source.endswith(".dvc"):
            return True
    for pattern, decl in graph.manifest.data.items():
        if getattr(decl, "version", "") and (decl.pattern == path or pattern == path):
            return True
    return False


def _rank(confidence: Confidence) -> int:
    return {"high": 2, "medium": 1, "low": 0}[confidence.value]
