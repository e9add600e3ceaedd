"""The public API for rule authors: everything a rule module needs, and nothing else."""

from debtlint.complexity import Complexity, model_complexity
from debtlint.facts.context import FileContext
from debtlint.facts.frames import PandasNames, pandas_names
from debtlint.facts.names import dotted
from debtlint.facts.rows import DEFAULT_PREPROCESSORS, RowAnalysis, row_analysis
from debtlint.findings import Confidence, Finding, Location, Severity
from debtlint.graph import Declaration, Model, Owner, ProjectGraph, Read
from debtlint.notebook import notebook_invocation
from debtlint.rule import FileRule, Option, ProjectExample, ProjectRule, Rule, Status

__all__ = [
    "DEFAULT_PREPROCESSORS",
    "Complexity",
    "Confidence",
    "Declaration",
    "FileContext",
    "FileRule",
    "Finding",
    "Location",
    "Model",
    "Option",
    "Owner",
    "PandasNames",
    "ProjectExample",
    "ProjectGraph",
    "ProjectRule",
    "Read",
    "RowAnalysis",
    "Rule",
    "Severity",
    "Status",
    "dotted",
    "model_complexity",
    "notebook_invocation",
    "pandas_names",
    "row_analysis",
]
