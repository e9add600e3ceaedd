"""Command line. Exit codes: 0 nothing fails the gate, 1 an error-severity finding or a score under
``--fail-under``, 2 usage, configuration or internal error (``--exit-zero`` never hides a 2)."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from debtlint import __version__
from debtlint.config import ConfigError, Settings, find_project_root, load_settings
from debtlint.discovery import DiscoveryError
from debtlint.engine import ScanResult, Selection, scan
from debtlint.findings import Severity
from debtlint.loader import LoaderError, Registry
from debtlint.report import FORMATS
from debtlint.rule import Rule

EXIT_OK, EXIT_FAIL, EXIT_ERROR = 0, 1, 2


def _split(values: Sequence[str]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _fail(message: str) -> None:
    click.echo(f"debtlint: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="debtlint")
def main() -> None:
    """debtlint: find ML technical debt — unowned models, undeclared data dependencies, glue code —
    and score a repository's maintainability."""


@main.command("scan")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--config",
    "config_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Use this debtlint.yaml or pyproject.toml instead of the project's own.",
)
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
    verbose: bool,
) -> None:
    """Scan PATHS (default: the current directory) and report findings and the score."""
    targets = [p.resolve() for p in paths] or [Path.cwd().resolve()]
    for target in targets:
        if not target.exists():
            _fail(f"{target}: no such file or directory")
    settings = _settings(targets[0], config_file)
    selection = Selection(
        select=_split(select) or None, extend_select=_split(extend_select), ignore=_split(ignore)
    )
    try:
        result = scan(settings, targets, selection)
    except ConfigError as exc:
        _fail(str(exc))
    except (DiscoveryError, LoaderError) as exc:
        _fail(str(exc))
    text = FORMATS[output_format](result)
    if output_file is not None:
        output_file.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)
    for note in result.notes if output_format != "json" else ():
        click.echo(f"note: {note}", err=True)
    if verbose:
        for trace in result.tracebacks:
            click.echo(trace, err=True)
    sys.exit(
        _exit_code(result, fail_under if fail_under is not None else settings.fail_under, exit_zero)
    )


def _settings(target: Path, config_file: Path | None) -> Settings:
    root = find_project_root(target)
    try:
        return load_settings(root, config_file.resolve() if config_file else None)
    except ConfigError as exc:
        _fail(str(exc))
        raise  # unreachable: _fail exits


def _exit_code(result: ScanResult, fail_under: float | None, exit_zero: bool) -> int:
    if result.internal_errors:
        return EXIT_ERROR
    failing = any(f.severity is Severity.ERROR for f in result.findings)
    if fail_under is not None and result.score.value < fail_under:
        click.echo(
            f"debtlint: score {result.score.value:g} is under --fail-under {fail_under:g}",
            err=True,
        )
        failing = True
    return EXIT_FAIL if failing and not exit_zero else EXIT_OK


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
