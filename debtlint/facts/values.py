"""Static value resolution: what string, path, list of columns or data a Python expression holds.

Nothing is executed. A value that cannot be resolved stays symbolic and says why
(``<parameter path of load_frame>``); it is never invented.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import libcst as cst

from debtlint.facts import deferred
from debtlint.facts.names import dotted

_NO_READS: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Value:
    text: str | None = None  # a resolved string: a path, URI or name
    is_path: bool = False  # made by pathlib, so `/` joins
    strings: tuple[str, ...] | None = None  # a list/tuple of resolved strings (e.g. columns)
    symbolic: str | None = None  # why it is not resolved
    confidence: str = "high"
    reads: frozenset[int] = _NO_READS  # indexes of data reads flowing into this value
    model: str | None = None  # a ModelSite id this value is
    instance_of: str | None = None  # qualified name of a class this value is an instance of
    handle: int | None = None  # the data access an open() file object stands for
    columns: tuple[str, ...] = field(default=())  # columns known to be selected into this value
    glue: bool = False  # made by a glue API (an argument parser, a logger): its methods are glue
    # A loaded config document (file) or a node in it (file, keys): `params["train"]["data"]`.
    config: tuple[str, tuple[str, ...]] | None = None
    parser: str | None = None  # an argparse parser (id in the extractor's option table)
    args_of: str | None = None  # the namespace a parser's parse_args() returned

    def describe(self) -> str:
        if self.text is not None:
            return deferred.readable(self.text)
        return self.symbolic or "<expression>"


UNKNOWN = Value(symbolic="<expression>", confidence="low")
# Deeper sub-expressions are not evaluated (their data flow is lost, never invented); real code
# stays far below this, and it keeps evaluation well inside Python's recursion limit.
MAX_EVAL_DEPTH = 100
TOO_DEEP = Value(symbolic="<expression nested too deeply>", confidence="low")


class Scope:
    """Straight-line name bindings of a module or a function (flow-insensitive across branches)."""

    def __init__(self, name: str, parent: Scope | None = None) -> None:
        self.name = name
        self.parent = parent
        self.names: dict[str, Value] = {}

    def lookup(self, name: str) -> Value | None:
        scope: Scope | None = self
        while scope is not None:
            value = scope.names.get(name)
            if value is not None:
                return value
            scope = scope.parent
        return None


def config_node(base: Value, key: str) -> Value:
    """``params["train"]`` / ``cfg.train``: a node of a config document, deferred to phase 2."""
    assert base.config is not None
    file, keys = base.config
    path = (*keys, key)
    return Value(text=deferred.cfg(file, path), config=(file, path), confidence="medium")


def normalise_path(text: str) -> str:
    """POSIX, no ``./``, no ``a/../``; URIs and absolute paths keep their form."""
    if "://" in text or text.startswith(("s3:", "gs:", "hf:")):
        return text
    text = text.replace("\\", "/")
    norm = posixpath.normpath(text)
    return "." if norm in ("", ".") else norm


def merge_reads(values: list[Value]) -> frozenset[int]:
    out: set[int] = set()
    for value in values:
        out |= value.reads
    return frozenset(out)


class Evaluator:
    """Evaluates expressions in a scope. ``qualname`` resolves dotted names through imports;
    ``call_result`` gives what the fact extractor already recorded for a call node."""

    def __init__(
        self,
        file_path: str,
        qualname: Callable[[cst.BaseExpression], str | None],
        call_result: Callable[[cst.Call], Value | None],
        project_module: Callable[[str], bool],
        option_default: Callable[[str, str], Value | None] = lambda parser, dest: None,
    ) -> None:
        self.file_path = file_path
        self.qualname = qualname
        self.call_result = call_result
        self.project_module = project_module
        self.option_default = option_default
        self._depth = 0

    def eval(self, node: cst.BaseExpression | None, scope: Scope) -> Value:
        if node is None:
            return UNKNOWN
        if self._depth >= MAX_EVAL_DEPTH:
            # Evaluation recurses on sub-expressions; generated code can nest thousands deep.
            return TOO_DEEP
        method = getattr(self, f"_eval_{type(node).__name__}", None)
        if method is None:
            return self._generic(node, scope)
        self._depth += 1
        try:
            return method(node, scope)
        finally:
            self._depth -= 1

    # -- literals -------------------------------------------------------------------------------
    def _eval_SimpleString(self, node: cst.SimpleString, scope: Scope) -> Value:
        value = node.evaluated_value
        if isinstance(value, bytes):
            return UNKNOWN
        return Value(text=value)

    def _eval_Integer(self, node: cst.Integer, scope: Scope) -> Value:
        # Numbers matter only inside strings: `f"fold_{3}.csv"`, `"{}".format(3)`.
        return Value(text=node.value)

    _eval_Float = _eval_Integer

    def _eval_ConcatenatedString(self, node: cst.ConcatenatedString, scope: Scope) -> Value:
        left, right = self.eval(node.left, scope), self.eval(node.right, scope)
        if left.text is not None and right.text is not None:
            return Value(text=left.text + right.text)
        return Value(symbolic="<concatenated string>", confidence="low")

    def _eval_FormattedString(self, node: cst.FormattedString, scope: Scope) -> Value:
        out: list[str] = []
        unresolved: list[str] = []
        reads: list[Value] = []
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                out.append(part.value)
                continue
            if part.format_spec:
                unresolved.append("format spec")
                continue
            value = self.eval(part.expression, scope)
            reads.append(value)
            if value.text is None:
                unresolved.append(value.describe())
            else:
                out.append(value.text)
        if unresolved:
            return Value(
                symbolic=f"<f-string with {', '.join(unresolved)}>",
                confidence="low",
                reads=merge_reads(reads),
            )
        return Value(text="".join(out))

    def _eval_List(self, node: cst.List | cst.Tuple, scope: Scope) -> Value:
        items = [self.eval(el.value, scope) for el in node.elements]
        texts = [v.text for v in items]
        strings = tuple(t for t in texts if t is not None) if None not in texts else None
        return Value(strings=strings, reads=merge_reads(items), symbolic="<list>")

    _eval_Tuple = _eval_List

    # -- names ----------------------------------------------------------------------------------
    def _eval_Name(self, node: cst.Name, scope: Scope) -> Value:
        if node.value == "__file__":
            return Value(text=self.file_path, is_path=True)
        found = scope.lookup(node.value)
        if found is not None:
            return found
        qual = self.qualname(node)
        if qual and "." in qual and self.project_module(qual.rsplit(".", 1)[0]):
            return Value(text=deferred.const(qual), confidence="medium")
        return Value(symbolic=f"<variable {node.value}>", confidence="low")

    def _eval_Attribute(self, node: cst.Attribute, scope: Scope) -> Value:
        name = dotted(node)
        if name is not None:
            bound = scope.lookup(name)  # `self.model = ...` binds the dotted name
            if bound is not None:
                return bound
        base = self.eval(node.value, scope)
        attr = node.attr.value
        if base.text is not None and base.is_path:
            if attr == "parent":
                return replace(base, text=_parent(base.text))
            if attr in ("stem", "name", "suffix"):
                return _path_part(base.text, attr)
        if base.config is not None:
            return config_node(base, attr)
        if base.args_of is not None:
            option = self.option_default(base.args_of, attr)
            if option is not None:
                return option
        qual = self.qualname(node)
        if qual and self.project_module(qual.rsplit(".", 1)[0]):
            return Value(text=deferred.const(qual), confidence="medium")
        symbolic = f"<attribute {name}>" if name else "<attribute>"
        return replace(base, text=None, strings=None, symbolic=symbolic, confidence="low")

    # -- operators ------------------------------------------------------------------------------
    def _eval_BinaryOperation(self, node: cst.BinaryOperation, scope: Scope) -> Value:
        left, right = self.eval(node.left, scope), self.eval(node.right, scope)
        reads = left.reads | right.reads
        if left.text is not None and right.text is not None:
            if isinstance(node.operator, cst.Add) and not left.is_path:
                return Value(text=left.text + right.text, reads=reads)
            if isinstance(node.operator, cst.Divide) and (left.is_path or right.is_path):
                return Value(text=_join(left.text, right.text), is_path=True, reads=reads)
            if isinstance(node.operator, cst.Modulo):
                return Value(symbolic="<%-formatted string>", confidence="low", reads=reads)
        if (
            left.strings is not None
            and right.strings is not None
            and isinstance(node.operator, cst.Add)
        ):
            return Value(strings=left.strings + right.strings, reads=reads)
        return Value(
            symbolic=f"<expression {left.describe()} ... {right.describe()}>",
            confidence="low",
            reads=reads,
            columns=left.columns or right.columns,
        )

    def _eval_Subscript(self, node: cst.Subscript, scope: Scope) -> Value:
        base = self.eval(node.value, scope)
        index_values: list[Value] = []
        for element in node.slice:
            if isinstance(element.slice, cst.Index):
                index_values.append(self.eval(element.slice.value, scope))
        columns: tuple[str, ...] = ()
        if len(index_values) == 1 and base.config is not None:
            key = index_values[0].text
            if key is not None and not deferred.is_deferred(key):
                return config_node(base, key)
        if len(index_values) == 1:
            idx = index_values[0]
            if idx.strings is not None:
                columns = idx.strings
            elif idx.text is not None:
                columns = (idx.text,)
        return Value(
            symbolic="<subscript>",
            confidence="low",
            reads=base.reads | merge_reads(index_values),
            model=base.model,
            columns=columns,
        )

    def _eval_Call(self, node: cst.Call, scope: Scope) -> Value:
        recorded = self.call_result(node)
        if recorded is not None:
            return recorded
        qual = self.qualname(node.func)
        args = [self.eval(arg.value, scope) for arg in node.args]
        reads = merge_reads(args)
        if qual in _PATH_CALLS:
            return _PATH_CALLS[qual](node, args, reads)
        if isinstance(node.func, cst.Attribute):
            receiver = self.eval(node.func.value, scope)
            method = node.func.attr.value
            if method in MODEL_VIEWS and (receiver.model or receiver.instance_of):
                return receiver  # `model.state_dict()` is still the model when it is saved
            handled = _path_method(receiver, method, node, args)
            if handled is not None:
                return handled
            reads = reads | receiver.reads
            return Value(
                symbolic=f"<result of {dotted(node.func) or method}()>",
                confidence="low",
                reads=reads,
                columns=receiver.columns if method in _KEEP_COLUMNS else (),
            )
        name = dotted(node.func) or "call"
        return Value(symbolic=f"<result of {name}()>", confidence="low", reads=reads)

    def _generic(self, node: cst.BaseExpression, scope: Scope) -> Value:
        # Anything else (comprehensions, lambdas, ...) only carries the data flowing through it.
        from debtlint.facts.walk import iter_tree

        reads: set[int] = set()
        for sub in iter_tree(node):
            if isinstance(sub, cst.Name) and sub is not node:
                found = scope.lookup(sub.value)
                if found is not None:
                    reads |= found.reads
            elif isinstance(sub, cst.Call):
                recorded = self.call_result(sub)
                if recorded is not None:
                    reads |= recorded.reads
        return Value(symbolic="<expression>", confidence="low", reads=frozenset(reads))


# Methods whose result stands for the model itself (its weights, a device copy, a mode switch).
MODEL_VIEWS = frozenset(
    {
        "state_dict",
        "get_weights",
        "get_booster",
        "cpu",
        "cuda",
        "to",
        "eval",
        "train",
        "half",
        "float",
        "double",
        "module",
        "booster_",
    }
)
_KEEP_COLUMNS = frozenset({"copy", "astype", "fillna", "dropna", "to_numpy", "values"})


def _join(*parts: str) -> str:
    return posixpath.join(*parts)


def _parent(text: str) -> str:
    parent = posixpath.dirname(text.rstrip("/"))
    return parent or "."


def _path_part(text: str, attr: str) -> Value:
    name = posixpath.basename(text)
    stem, dot, suffix = name.rpartition(".")
    if attr == "name":
        return Value(text=name)
    if attr == "stem":
        return Value(text=stem if dot else name)
    return Value(text=f".{suffix}" if dot else "")


def _all_text(args: list[Value]) -> list[str] | None:
    texts = [a.text for a in args]
    return None if any(t is None for t in texts) else [t for t in texts if t is not None]


def _unresolved(what: str, args: list[Value], reads: frozenset[int]) -> Value:
    missing = ", ".join(a.describe() for a in args if a.text is None)
    return Value(symbolic=f"<{what} with {missing}>", confidence="low", reads=reads)


def _os_path_join(node: cst.Call, args: list[Value], reads: frozenset[int]) -> Value:
    texts = _all_text(args)
    if not texts:
        return _unresolved("os.path.join", args, reads)
    return Value(text=_join(*texts), reads=reads)


def _pathlib_path(node: cst.Call, args: list[Value], reads: frozenset[int]) -> Value:
    if not args:
        return Value(text=".", is_path=True)
    texts = _all_text(args)
    if not texts:
        return _unresolved("Path", args, reads)
    return Value(text=_join(*texts), is_path=True, reads=reads)


def _dirname(node: cst.Call, args: list[Value], reads: frozenset[int]) -> Value:
    if args and args[0].text is not None:
        return Value(text=_parent(args[0].text), reads=reads)
    return _unresolved("os.path.dirname", args, reads)


def _same(node: cst.Call, args: list[Value], reads: frozenset[int]) -> Value:
    if args and args[0].text is not None:
        return replace(args[0], reads=reads)
    return _unresolved("call", args, reads)


def _env_get(node: cst.Call, args: list[Value], reads: frozenset[int]) -> Value:
    # os.environ.get(NAME, default): the default is what runs when nothing overrides it.
    name = args[0].text if args else None
    if len(args) >= 2 and args[1].text is not None:
        return Value(text=args[1].text, confidence="medium", reads=reads)
    return Value(symbolic=f"<environment variable {name or '?'}>", confidence="low")


_PATH_CALLS: dict[str, Callable[[cst.Call, list[Value], frozenset[int]], Value]] = {
    "os.path.join": _os_path_join,
    "posixpath.join": _os_path_join,
    "pathlib.Path": _pathlib_path,
    "pathlib.PurePath": _pathlib_path,
    "pathlib.PosixPath": _pathlib_path,
    "os.path.dirname": _dirname,
    "os.path.abspath": _same,
    "os.path.realpath": _same,
    "os.path.normpath": _same,
    "os.fspath": _same,
    "os.environ.get": _env_get,
    "os.getenv": _env_get,
}


def _path_method(receiver: Value, method: str, node: cst.Call, args: list[Value]) -> Value | None:
    if method == "format" and receiver.text is not None and receiver.strings is None:
        positional = [a for a, arg in zip(args, node.args, strict=True) if arg.keyword is None]
        keywords = {
            arg.keyword.value: a
            for a, arg in zip(args, node.args, strict=True)
            if arg.keyword is not None
        }
        if _UNSAFE_FORMAT.search(receiver.text):
            # `"{:999999999}".format(x)` would allocate gigabytes: never run such a format.
            return Value(symbolic="<str.format>", confidence="low")
        try:
            text = receiver.text.format(
                *[a.text if a.text is not None else _Missing() for a in positional],
                **{k: v.text if v.text is not None else _Missing() for k, v in keywords.items()},
            )
        except (IndexError, KeyError, ValueError, AttributeError, TypeError, OverflowError):
            # TypeError: `"{0[key]}".format(unresolved)` subscripts the placeholder.
            return Value(symbolic="<str.format>", confidence="low")
        if "\x00missing" in text:
            return Value(symbolic="<str.format with unresolved parts>", confidence="low")
        return Value(text=text)
    if receiver.text is None or not receiver.is_path:
        return None
    if method == "joinpath":
        texts = _all_text(args)
        if texts is None:
            return _unresolved("joinpath", args, merge_reads(args))
        return Value(text=_join(receiver.text, *texts), is_path=True)
    if method in ("resolve", "absolute", "expanduser"):
        return receiver
    if method == "with_suffix" and args and args[0].text is not None:
        stem, dot, _ = receiver.text.rpartition(".")
        base = stem if dot and "/" not in receiver.text[len(stem) :] else receiver.text
        return Value(text=base + args[0].text, is_path=True)
    if method == "with_name" and args and args[0].text is not None:
        return Value(text=_join(_parent(receiver.text), args[0].text), is_path=True)
    return None


# A format spec with a nested field (its width comes from an argument) or a width or precision of
# five digits or more.
_UNSAFE_FORMAT = re.compile(r"\{[^{}]*:[^{}]*(\{|\d{5,})")


class _Missing:
    def __format__(self, spec: str) -> str:
        return "\x00missing"

    def __str__(self) -> str:
        return "\x00missing"
