"""The public API for rule authors: everything a rule module needs, and nothing else."""

from debtlint.complexity import Complexity, model_complexity
from debtlint.facts.context import FileContext
from debtlint.facts.frames import PandasNames, pandas_names
from debtlint.facts.names import dotted
from debtlint.facts.rows import (
    DEFAULT_PREPROCESSORS,
    RowAnalysis,
    call_argument,
    literal_names,
    may_split,
    read_names,
    row_analysis,
    target_elements,
)
from debtlint.facts.torchloops import (
    disables_grad,
    has_training_step,
    is_optimizer_step,
    method_name,
    surely_disables_grad,
    torch_optimizers_assigned,
)
from debtlint.facts.walk import iter_tree, scope_nodes
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
    "call_argument",
    "disables_grad",
    "dotted",
    "has_training_step",
    "is_optimizer_step",
    "iter_tree",
    "literal_names",
    "may_split",
    "method_name",
    "model_complexity",
    "notebook_invocation",
    "pandas_names",
    "read_names",
    "row_analysis",
    "scope_nodes",
    "surely_disables_grad",
    "target_elements",
    "torch_optimizers_assigned",
]
