"""Command line. Exit codes: 0 nothing fails the gate, 1 an error-severity finding or a score under
``--fail-under``, 2 usage, configuration or internal error (``--exit-zero`` never hides a 2)."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import click

from debtlint import __version__
from debtlint.baseline import Baseline, apply_baseline
from debtlint.cache import ENV_CACHE_DIR, CacheError, clean
from debtlint.config import (
    MAX_JOBS,
    ConfigError,
    Settings,
    cache_dir_path,
    find_project_root,
    load_settings,
)
from debtlint.discovery import DiscoveryError
from debtlint.engine import ScanResult, Selection, scan
from debtlint.gitref import GitRefError
from debtlint.loader import LoaderError, Registry
from debtlint.progress import ProgressBar, wanted
from debtlint.report import COLOR_FORMATS, FORMATS
from debtlint.report.github import append_step_summary
from debtlint.report.graph_export import GRAPH_FORMATS, FocusError, prepare_export
from debtlint.report.statistics import render_statistics
from debtlint.report.style import use_color
from debtlint.rule import Rule

EXIT_OK, EXIT_FAIL, EXIT_ERROR = 0, 1, 2


def _split(values: Sequence[str]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _fail(message: str) -> None:
    click.echo(f"debtlint: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


# Every command that reads the project's settings takes the same --config.
config_option = click.option(
    "--config",
    "config_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Use this debtlint.yaml or pyproject.toml instead of the project's own.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="debtlint")
def main() -> None:
    """debtlint: find ML technical debt — unowned models, undeclared data dependencies, glue code —
    and score a repository's maintainability."""


@main.command("scan")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@config_option
@click.option(
    "--select",
    multiple=True,
    help="Rules to run (codes, prefixes, families, names; "
    "comma-separated). Replaces the configured selection.",
)
@click.option("--extend-select", multiple=True, help="Rules to run in addition.")
@click.option("--ignore", multiple=True, help="Rules not to run.")
@click.option(
    "--output-format", type=click.Choice(sorted(FORMATS)), default="full", show_default=True
)
@click.option(
    "-o",
    "--output",
    "output_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the report to this file instead of standard output.",
)
@click.option(
    "--fail-under", type=click.FloatRange(0, 100), help="Exit 1 when the score is below this value."
)
@click.option(
    "--exit-zero",
    is_flag=True,
    help="Exit 0 even with failing findings (never hides a configuration or internal error).",
)
@click.option(
    "--baseline",
    "baseline_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Findings in this baseline file are reported as baselined and do not fail the gate "
    "(also `baseline` in the configuration).",
)
@click.option(
    "--write-baseline",
    "write_baseline",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write every current finding to this baseline file (replacing it), then report them "
    "as baselined.",
)
@click.option(
    "-q", "--quiet", is_flag=True, help="Print nothing when the scan passes; the report otherwise."
)
@click.option(
    "--statistics", "show_statistics", is_flag=True, help="Print counts per rule, not findings."
)
@click.option(
    "--color",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Colour the human formats; auto: on a terminal, unless NO_COLOR is set.",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(1, MAX_JOBS),
    help="Worker processes for the per-file analysis [default: all cores, or `jobs` in the "
    "configuration]. Small scans run in one process anyway.",
)
@click.option(
    "--no-cache", is_flag=True, help="Neither read nor write the per-file cache; write nothing."
)
@click.option(
    "--cache-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help=f"Cache folder [default: .debtlint_cache at the project root; also ${ENV_CACHE_DIR} "
    "or `cache-dir` in the configuration].",
)
@click.option(
    "--diff",
    "diff_ref",
    metavar="REF",
    help="Report only findings introduced since the git ref REF (a branch, tag or commit); "
    "the score stays the current tree's.",
)
@click.option(
    "--rule-pack-entry-point",
    "entry_points",
    multiple=True,
    metavar="NAME",
    help="Also load the installed rule pack of this `debtlint.rules` entry point (repeatable).",
)
@click.option(
    "--rule-pack",
    "extra_packs",
    multiple=True,
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    help="Also load the rule pack in this folder, inside the project or not (repeatable). "
    "The configuration may only name packs inside the project.",
)
@click.option(
    "--api-catalog",
    "extra_catalogs",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Also load this knowledge table (YAML, the schema of debtlint/knowledge), inside the "
    "project or not (repeatable).",
)
@click.option("-v", "--verbose", is_flag=True, help="Show tracebacks of internal errors.")
def scan_command(
    paths: tuple[Path, ...],
    config_file: Path | None,
    select: tuple[str, ...],
    extend_select: tuple[str, ...],
    ignore: tuple[str, ...],
    output_format: str,
    output_file: Path | None,
    fail_under: float | None,
    exit_zero: bool,
    baseline_file: Path | None,
    write_baseline: Path | None,
    quiet: bool,
    show_statistics: bool,
    color: str,
    jobs: int | None,
    no_cache: bool,
    cache_dir: Path | None,
    diff_ref: str | None,
    entry_points: tuple[str, ...],
    extra_packs: tuple[Path, ...],
    extra_catalogs: tuple[Path, ...],
    verbose: bool,
) -> None:
    """Scan PATHS (default: the current directory) and report findings and the score."""
    if diff_ref is not None and write_baseline is not None:
        _fail("--diff and --write-baseline cannot be combined: a baseline records every finding")
    targets = [p.resolve() for p in paths] or [Path.cwd().resolve()]
    for target in targets:
        if not target.exists():
            _fail(f"{target}: no such file or directory")
    settings = _settings(targets[0], config_file)
    _performance(settings, jobs, no_cache, cache_dir)
    _enable_entry_points(settings, entry_points)
    # Given on the command line, so trusted wherever they are (absolute paths).
    settings.rule_packs = [*settings.rule_packs, *(str(p.resolve()) for p in extra_packs)]
    settings.api_catalogs = [*settings.api_catalogs, *(str(p.resolve()) for p in extra_catalogs)]
    if write_baseline is not None:
        settings.baseline = None  # the file is about to be replaced, and may not exist yet
    elif baseline_file is not None:
        settings.baseline = _relative_to_root(baseline_file, settings.root)
    selection = Selection(
        select=_split(select) or None, extend_select=_split(extend_select), ignore=_split(ignore)
    )
    show_progress = wanted(sys.stderr, quiet)
    ref_scan = None
    try:
        if diff_ref is not None:
            # Imported here: only --diff needs the second scan's machinery.
            from debtlint.diffscan import scan_ref

            with _progress(show_progress, f"{diff_ref}:") as bar:
                ref_scan = scan_ref(
                    settings,
                    diff_ref,
                    targets,
                    selection,
                    config_file.resolve() if config_file else None,
                    bar,
                )
        with _progress(show_progress, "analysing") as bar:
            result = scan(settings, targets, selection, progress=bar)
    except ConfigError as exc:
        _fail(str(exc))
    except (DiscoveryError, LoaderError, GitRefError) as exc:
        _fail(str(exc))
    if ref_scan is not None:
        from debtlint.diffscan import keep_new

        keep_new(result, ref_scan)
    if write_baseline is not None:
        baseline = Baseline.from_findings(
            _relative_to_root(write_baseline, settings.root), result.findings
        )
        try:
            write_baseline.write_text(baseline.to_json(), encoding="utf-8")
        except OSError as exc:
            _fail(f"{write_baseline}: cannot write the baseline ({exc.strerror or exc})")
        result.findings, _ = apply_baseline(result.findings, baseline)
        if not quiet:
            count = len(baseline.entries)
            click.echo(
                f"debtlint: wrote {count} finding{'s' if count != 1 else ''} to {write_baseline}",
                err=True,
            )
    code = _exit_code(
        result, fail_under if fail_under is not None else settings.fail_under, exit_zero
    )
    colored = output_format in COLOR_FORMATS and use_color(
        color, output_file is None and sys.stdout.isatty(), os.environ
    )
    if show_statistics:
        text = render_statistics(result, as_json=output_format in ("json", "json-lines"))
    elif colored:
        text = FORMATS[output_format](result, color=True)  # type: ignore[call-arg]
    else:
        text = FORMATS[output_format](result)
    if output_file is not None:
        try:
            output_file.write_text(text, encoding="utf-8")
        except OSError as exc:
            _fail(f"cannot write {output_file}: {exc.strerror or exc}")
    elif not quiet or code != EXIT_OK:
        # click strips escape codes when stdout is not a terminal; --color always keeps them.
        click.echo(text, nl=False, color=colored or None)
    if output_format == "github" and not show_statistics:
        append_step_summary(result)
    for note in result.notes if output_format != "json" and not quiet else ():
        click.echo(f"note: {note}", err=True)
    if verbose:
        for trace in result.tracebacks:
            click.echo(trace, err=True)
    sys.exit(code)


@contextmanager
def _progress(show: bool, label: str) -> Iterator[ProgressBar | None]:
    """A progress bar on standard error while the block runs, or None when not wanted."""
    if not show:
        yield None
        return
    bar = ProgressBar(sys.stderr, label)
    try:
        yield bar
    finally:
        bar.close()


def _enable_entry_points(settings: Settings, names: Sequence[str]) -> None:
    """``--rule-pack-entry-point NAME`` adds to what the configuration enables."""
    if names and settings.rule_pack_entry_points is not True:
        chosen = settings.rule_pack_entry_points or []
        settings.rule_pack_entry_points = list(dict.fromkeys([*chosen, *names]))


def _relative_to_root(path: Path, root: Path) -> str:
    """A path given on the command line, as shown in reports: relative to the project root when
    it is inside it."""
    resolved = path.resolve()
    try:
        return resolved.relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(resolved)


def _settings(target: Path, config_file: Path | None) -> Settings:
    root = find_project_root(target)
    try:
        return load_settings(root, config_file.resolve() if config_file else None)
    except ConfigError as exc:
        _fail(str(exc))
        raise  # unreachable: _fail exits


def _performance(
    settings: Settings, jobs: int | None, no_cache: bool, cache_dir: Path | None
) -> None:
    """Worker count and cache folder: the command line, then $DEBTLINT_CACHE_DIR, then the
    configuration. The cache is on for the CLI unless --no-cache."""
    if jobs is not None:
        settings.jobs = jobs
    settings.use_cache = not no_cache
    chosen = str(cache_dir) if cache_dir is not None else os.environ.get(ENV_CACHE_DIR, "")
    if chosen.strip():
        settings.cache_dir = os.path.abspath(os.path.expanduser(chosen))
    folder = cache_dir_path(settings)
    if folder == settings.root or folder in settings.root.parents:
        _fail(f"cache folder {folder} is the project root or above it; use a folder of its own")


def _exit_code(result: ScanResult, fail_under: float | None, exit_zero: bool) -> int:
    if result.internal_errors:
        return EXIT_ERROR
    failing = any(f.fails_gate for f in result.findings)
    if fail_under is not None and result.score.value < fail_under:
        click.echo(
            f"debtlint: score {result.score.value:g} is under --fail-under {fail_under:g}",
            err=True,
        )
        failing = True
    return EXIT_FAIL if failing and not exit_zero else EXIT_OK


@main.command("clean")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@config_option
@click.option(
    "--cache-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help=f"The cache folder to delete [default: as `scan` finds it, ${ENV_CACHE_DIR} included].",
)
def clean_command(path: Path | None, config_file: Path | None, cache_dir: Path | None) -> None:
    """Delete the cache of the project at PATH (default: the current directory).

    Only what debtlint wrote is deleted, and only in a folder holding debtlint's CACHEDIR.TAG."""
    target = (path or Path.cwd()).resolve()
    if not target.exists():
        _fail(f"{target}: no such file or directory")
    settings = _settings(target, config_file)
    _performance(settings, None, False, cache_dir)
    folder = cache_dir_path(settings)
    try:
        removed = clean(folder)
    except (CacheError, OSError) as exc:
        _fail(str(exc))
    click.echo(
        f"debtlint: removed the cache {folder}" if removed else f"debtlint: no cache at {folder}"
    )


@main.command("rule")
@click.argument("code", required=False)
@click.option("--all", "show_all", is_flag=True, help="Every rule.")
@click.option(
    "--output-format",
    type=click.Choice(["text", "json", "table"]),
    default="text",
    show_default=True,
    help="table: the Markdown rule table of the README.",
)
def rule_command(code: str | None, show_all: bool, output_format: str) -> None:
    """Print the documentation of rule CODE (a code such as DL101 or a name such as unowned-model)."""
    try:
        registry = Registry.load()
    except LoaderError as exc:
        _fail(str(exc))
    if show_all:
        rules = [registry.rules[c] for c in sorted(registry.rules)]
    elif code:
        found = registry.get(code)
        if found is None:
            _fail(f"no rule {code!r}; see `debtlint rule --all`")
        rules = [found]  # type: ignore[list-item]
    else:
        _fail("give a rule code (e.g. DL101) or --all")
    if output_format == "json":
        click.echo(json.dumps([_rule_info(r) for r in rules], indent=2))
        return
    if output_format == "table":
        click.echo(rule_table(rules), nl=False)
        return
    for rule in rules:
        click.echo(f"# {rule.code} {rule.name} ({rule.severity.value}, {rule.status.value})\n")
        click.echo(rule.documentation())
        click.echo("")


def rule_table(rules: Sequence[type[Rule]]) -> str:
    """The README's rule table, generated from the rules' own metadata and docstrings."""
    lines = [
        "| code | name | family | default severity | status | what it finds |",
        "|---|---|---|---|---|---|",
    ]
    for rule in rules:
        lines.append(
            f"| {rule.code} | `{rule.name}` | {rule.family()} | {rule.severity.value} | "
            f"{rule.status.value} | {rule.summary()} |"
        )
    return "\n".join(lines) + "\n"


def _rule_info(rule: type[Rule]) -> dict[str, object]:
    return {
        "code": rule.code,
        "name": rule.name,
        "family": rule.family(),
        "severity": rule.severity.value,
        "status": rule.status.value,
        "summary": rule.summary(),
        "remediation_minutes": rule.remediation_minutes,
        "options": {
            key: {"default": opt.default, "doc": opt.doc} for key, opt in rule.options.items()
        },
        "documentation": rule.documentation(),
    }


@main.command("graph")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "graph_format",
    type=click.Choice(list(GRAPH_FORMATS)),
    default="mermaid",
    show_default=True,
    help="mermaid (GitHub Markdown), dot (Graphviz), graphml, json (networkx node-link) or html "
    "(one self-contained page, works offline).",
)
@click.option(
    "-o",
    "--output",
    "output_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the graph to this file instead of standard output.",
)
@click.option(
    "--focus",
    "focus_on",
    metavar="NODE",
    help="Show only the neighbourhood of the nodes whose id equals NODE or whose id or name "
    "contains it (a model, a dataset, a script).",
)
@click.option(
    "--depth",
    type=click.IntRange(0),
    help="How many steps around the --focus nodes to show, in either direction [default: 2].",
)
@config_option
@click.option("-v", "--verbose", is_flag=True, help="Show tracebacks of internal errors.")
def graph_command(
    paths: tuple[Path, ...],
    graph_format: str,
    output_file: Path | None,
    focus_on: str | None,
    depth: int | None,
    config_file: Path | None,
    verbose: bool,
) -> None:
    """Export the data-dependency graph of PATHS (default: the current directory)."""
    if depth is not None and not focus_on:
        _fail("--depth needs --focus")
    targets = [p.resolve() for p in paths] or [Path.cwd().resolve()]
    for target in targets:
        if not target.exists():
            _fail(f"{target}: no such file or directory")
    settings = _settings(targets[0], config_file)
    _performance(settings, None, False, None)
    try:
        result = scan(settings, targets)
    except (ConfigError, DiscoveryError, LoaderError) as exc:
        _fail(str(exc))
    try:
        export = prepare_export(result.graph.g, result.findings, result.root.name, focus_on, depth)
    except FocusError as exc:
        _fail(str(exc))
    text = GRAPH_FORMATS[graph_format](export)
    if output_file is not None:
        output_file.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    if result.internal_errors:
        # The graph was written, but it is missing what the failed checks would have added.
        click.echo("debtlint: error: the graph is incomplete (internal errors, DL000)", err=True)
        if verbose:
            for trace in result.tracebacks:
                click.echo(trace, err=True)
        sys.exit(EXIT_ERROR)


@main.command("init")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Replace an existing debtlint.yaml.")
@click.option("--stdout", "to_stdout", is_flag=True, help="Print the file instead of writing it.")
def init_command(path: Path | None, force: bool, to_stdout: bool) -> None:
    """Write a commented starter debtlint.yaml at the root of the project at PATH (default: the
    current directory): every model found, with its complexity and owner, and every dataset read."""
    from debtlint.config import YAML_CONFIG_NAMES
    from debtlint.starter import other_settings, render_starter

    target = (path or Path.cwd()).resolve()
    if not target.exists():
        _fail(f"{target}: no such file or directory")
    root = find_project_root(target)
    existing = [root / name for name in YAML_CONFIG_NAMES if (root / name).is_file()]
    destination = existing[0] if existing else root / YAML_CONFIG_NAMES[0]
    if existing and not force and not to_stdout:
        _fail(f"{destination} exists; --force replaces it, --stdout prints the starter instead")
    settings = _settings(root, None)
    _performance(settings, None, False, None)
    try:
        with _progress(wanted(sys.stderr, False), "analysing") as bar:
            result = scan(settings, [root], progress=bar)
    except (ConfigError, DiscoveryError, LoaderError) as exc:
        _fail(str(exc))
    text = render_starter(result)
    _check_starter(root, destination.name, text)
    if to_stdout:
        click.echo(text, nl=False)
        return
    dropped = other_settings(result, destination.name) if existing else []
    try:
        destination.write_text(text, encoding="utf-8")
    except OSError as exc:
        _fail(f"cannot write {destination}: {exc.strerror or exc}")
    unowned = text.count("owner: null")
    click.echo(
        f"debtlint: wrote {destination} ({unowned} owner{'s' if unowned != 1 else ''} to fill "
        "in); then run `debtlint scan --write-baseline .debtlint-baseline.json`",
        err=True,
    )
    if dropped:
        click.echo(
            f"debtlint: the previous {destination.name} also set {', '.join(dropped)}, which the "
            "starter does not carry over; restore them from version control",
            err=True,
        )


def _check_starter(root: Path, name: str, text: str) -> None:
    """The starter must load, together with the project's pyproject.toml (keys set in both
    files are an error): try it in a scratch folder before writing anything."""
    import shutil
    import tempfile

    with tempfile.TemporaryDirectory(prefix="debtlint-init-") as tmp:
        scratch = Path(tmp)
        (scratch / name).write_text(text, encoding="utf-8")
        if (root / "pyproject.toml").is_file():
            shutil.copyfile(root / "pyproject.toml", scratch / "pyproject.toml")
        try:
            load_settings(scratch)
        except ConfigError as exc:
            _fail(
                f"the starter does not load with this project's settings ({exc}); use --stdout "
                "and merge it by hand"
            )


@main.command("config")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@config_option
@click.option("--select", multiple=True, help="As for `scan`: see which rules it would run.")
@click.option("--extend-select", multiple=True, help="As for `scan`.")
@click.option("--ignore", multiple=True, help="As for `scan`.")
@click.option(
    "--rule-pack-entry-point", "entry_points", multiple=True, metavar="NAME", help="As for `scan`."
)
@click.option(
    "--output-format", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def config_command(
    path: Path | None,
    config_file: Path | None,
    select: tuple[str, ...],
    extend_select: tuple[str, ...],
    ignore: tuple[str, ...],
    entry_points: tuple[str, ...],
    output_format: str,
) -> None:
    """Show the settings of the project at PATH (default: the current directory), where each one
    comes from, and whether each rule is enabled (and if not, why)."""
    from debtlint.config_report import render_json, render_text, report
    from debtlint.engine import prepare

    target = (path or Path.cwd()).resolve()
    if not target.exists():
        _fail(f"{target}: no such file or directory")
    settings = _settings(target, config_file)
    _performance(settings, None, False, None)
    overrides = {}
    if os.environ.get(ENV_CACHE_DIR, "").strip():
        overrides["cache-dir"] = f"${ENV_CACHE_DIR}"
    if entry_points:
        overrides["rule-pack-entry-points"] = "--rule-pack-entry-point"
    _enable_entry_points(settings, entry_points)
    selection = Selection(
        select=_split(select) or None, extend_select=_split(extend_select), ignore=_split(ignore)
    )
    try:
        registry, ruleset = prepare(settings, selection)
        doc = report(settings, registry, ruleset, overrides)
    except ConfigError as exc:
        _fail(str(exc))
    click.echo(render_json(doc) if output_format == "json" else render_text(doc), nl=False)


@main.command("test")
@click.argument("packs", nargs=-1, type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--config",
    "config_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Take the default packs from this debtlint.yaml or pyproject.toml.",
)
@click.option(
    "--rule-pack-entry-point", "entry_points", multiple=True, metavar="NAME", help="As for `scan`."
)
def test_command(
    packs: tuple[Path, ...], config_file: Path | None, entry_points: tuple[str, ...]
) -> None:
    """Run the VALID/INVALID examples of the rule packs PACKS (folders; default: the project's
    `rule-packs` and enabled entry-point packs). Exit 1 when an example fails."""
    from debtlint.packtest import Outcome, run_pack
    from debtlint.plugins import PluginError, pack_directories

    folders = [p.resolve() for p in packs]
    if not folders:
        settings = _settings(Path.cwd().resolve(), config_file)
        _enable_entry_points(settings, entry_points)
        try:
            folders = pack_directories(settings)
        except PluginError as exc:
            _fail(str(exc))
        if not folders:
            _fail(
                "no rule pack given, and the project configures none "
                "(`rule-packs` or `rule-pack-entry-points`); give a pack folder"
            )
    for folder in folders:
        if not folder.is_dir():
            _fail(f"rule pack {folder} is not a directory")

    def show(outcome: Outcome) -> None:
        where = f"  ({outcome.where})" if outcome.where else ""
        click.echo(f"{'PASS' if outcome.passed else 'FAIL'}  {outcome.case.id}{where}")
        for problem in outcome.problems:
            click.echo(f"      {problem}")

    failed = total = 0
    for folder in folders:
        try:
            rules, outcomes = run_pack(folder, show)
        except (LoaderError, ConfigError) as exc:
            _fail(str(exc))
        for rule in rules:
            if not rule.VALID and not rule.INVALID:
                click.echo(
                    f"note: {rule.code} ({rule.name}) has no examples; add VALID and INVALID"
                )
        bad = sum(1 for o in outcomes if not o.passed)
        click.echo(
            f"{folder}: {len(outcomes)} example{'s' if len(outcomes) != 1 else ''} of "
            f"{len(rules)} rule{'s' if len(rules) != 1 else ''}: {len(outcomes) - bad} passed, "
            f"{bad} failed"
        )
        failed += bad
        total += len(outcomes)
    sys.exit(EXIT_FAIL if failed else EXIT_OK)
