"""The fact extractor: one visitor, run in the same walk as the file rules, that records what a file
reads and writes, which models it defines, builds, trains and saves, and how its statements divide
into model code, glue and the rest.

Which call does what comes from the knowledge tables (:mod:`debtlint.knowledge`), never from here.
Data flow is followed through straight-line assignments inside one function or module
(flow-insensitive: a name keeps the union of what it was bound to last), which is what ML scripts
and notebooks mostly are.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import replace

import libcst as cst

from debtlint.facts import deferred
from debtlint.facts.context import FileContext
from debtlint.facts.graphfacts import GraphFacts
from debtlint.facts.model import (
    CallSite,
    ClassInfo,
    DataAccess,
    FileFacts,
    ModelSite,
    ModelUse,
    PathValue,
    PipelineNode,
)
from debtlint.facts.names import add_import, dotted, root_name
from debtlint.facts.pathkinds import is_config_path
from debtlint.facts.values import Evaluator, Scope, Value, merge_reads, normalise_path
from debtlint.facts.walk import iter_tree
from debtlint.knowledge import ApiEntry, ArgSpec, ModeSpec

# How statements are classified for the glue-code measure (documented in rules/dl4/glue_code_ratio.py).
MODEL_ROLES = frozenset(
    {
        "construct",
        "train",
        "predict",
        "evaluate",
        "pretrained",
        "load-model",
        "save-model",
        "ml-core",
    }
)
GLUE_ROLES = frozenset({"read", "write", "open", "convert", "glue"})


class FactExtractor:
    def __init__(self, ctx: FileContext, project_module: Callable[[str], bool]) -> None:
        self.ctx = ctx
        self.facts = FileFacts(path=ctx.path, module=ctx.module_name)
        self.facts.aliases = ctx.aliases
        self.module_scope = Scope("<module>")
        self.scope = self.module_scope
        self._results: dict[int, Value] = {}
        self._keep: list[cst.CSTNode] = []  # keeps nodes alive while their id() is a key
        self.evaluator = Evaluator(
            ctx.path,
            ctx.qualname,
            lambda n: self._results.get(id(n)),
            project_module,
            self._option_default,
        )
        # argparse parsers: id -> option dest -> default value
        self._parsers: dict[str, dict[str, Value]] = {}
        self.project_module = project_module
        self._functions: list[str] = []
        self._model_classes: list[ModelSite | None] = []
        self._local_classes: dict[str, ModelSite | None] = {}
        self._sites: dict[str, ModelSite] = {}
        self._statement_roles: list[set[str]] = []
        self._optimiser_uses: list[ModelUse] = []
        # What this file's functions return (a model, a path, data), for calls to them later on.
        self._returns: dict[str, Value] = {}
        # Training inside a function on its parameters: callers' arguments are its inputs.
        self._parameter_trains: dict[str, list[ModelUse]] = {}
        # Facts for the graph rules (predictions, literal hyperparameters, config keys).
        self.graph_facts = GraphFacts(self)

    # -- scopes --------------------------------------------------------------------------------
    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        name = node.name.value
        owner = [c.name for c in self._model_classes if c is not None]
        qual = ".".join([*owner, name]) if owner else name
        outer = self.scope
        self._functions.append(qual)
        self.scope = Scope(qual, self.scope)
        params = [*node.params.posonly_params, *node.params.params, *node.params.kwonly_params]
        if outer is self.module_scope and not owner:
            self.facts.functions[name] = [p.name.value for p in params]
        decorated = self._decorator_values(node)
        function = f"{self.ctx.module_name}.{qual}" if self.ctx.module_name else qual
        for index, param in enumerate(params):
            pname = param.name.value
            default = self._param_default(param)
            if pname in decorated:
                self.scope.names[pname] = decorated[pname]
            elif default is not None and default.text is not None:
                # A default is what runs unless a caller overrides it: medium confidence.
                self.scope.names[pname] = Value(text=default.text, confidence="medium")
            elif outer is self.module_scope and not owner:
                # Followed one level up to the call sites in phase 2.
                self.scope.names[pname] = Value(
                    text=deferred.param(function, index, pname), confidence="low"
                )
            else:
                self.scope.names[pname] = Value(
                    symbolic=f"<parameter {pname} of {qual}>", confidence="low"
                )

    def _param_default(self, param: cst.Param) -> Value | None:
        if param.default is None:
            return None
        default = self.evaluator.eval(param.default, self.scope)
        call = param.default
        typer = (
            isinstance(call, cst.Call)
            and call.args
            and (self.ctx.qualname(call.func) or "").startswith("typer.")
        )
        if default.text is None and typer:
            # typer: `path: str = typer.Option("data/x.csv")`
            default = self.evaluator.eval(call.args[0].value, self.scope)  # type: ignore[union-attr]
        return default

    def _decorator_values(self, node: cst.FunctionDef) -> dict[str, Value]:
        """Parameters whose value a decorator supplies: Hydra's config, click option defaults."""
        values: dict[str, Value] = {}
        params = [p.name.value for p in node.params.params]
        for decorator in node.decorators:
            call = decorator.decorator
            if not isinstance(call, cst.Call):
                continue
            qual = self.ctx.qualname(call.func) or ""
            args = _Args(call)
            if qual == "hydra.main" and params:
                config = self._hydra_config(args)
                if config is not None:
                    values[params[0]] = Value(symbolic="<hydra config>", config=(config, ()))
            elif qual in ("click.option", "click.argument"):
                names = [self.evaluator.eval(a, self.scope).text for a in args.positional]
                dest = _click_dest([n for n in names if n])
                default = args.keywords.get("default")
                if dest and default is not None:
                    value = self.evaluator.eval(default, self.scope)
                    if value.text is not None:
                        values[dest] = Value(text=value.text, confidence="medium")
        return values

    def _hydra_config(self, args: _Args) -> str | None:
        path_node = args.keywords.get("config_path") or (
            args.positional[0] if args.positional else None
        )
        name_node = args.keywords.get("config_name") or (
            args.positional[1] if len(args.positional) > 1 else None
        )
        conf_dir = self.evaluator.eval(path_node, self.scope).text if path_node else None
        name = self.evaluator.eval(name_node, self.scope).text if name_node else None
        if conf_dir is None or name is None or deferred.is_deferred(conf_dir + name):
            return None
        base = self.ctx.path.rpartition("/")[0]
        if not name.endswith((".yaml", ".yml")):
            name += ".yaml"
        return normalise_path(f"{base}/{conf_dir}/{name}" if base else f"{conf_dir}/{name}")

    def _option_default(self, parser: str, dest: str) -> Value | None:
        return self._parsers.get(parser, {}).get(dest)

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._functions.pop()
        self.scope = self.scope.parent or self.module_scope

    def leave_Return(self, node: cst.Return) -> None:
        if not self._functions or node.value is None:
            return
        value = self.evaluator.eval(node.value, self.scope)
        previous = self._returns.get(self._functions[-1])
        if previous is None or (value.model is not None and previous.model is None):
            self._returns[self._functions[-1]] = value

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        bases = []
        for arg in node.bases:
            qual = self.ctx.qualname(arg.value)
            if qual is None and isinstance(arg.value, cst.Name):
                qual = arg.value.value if arg.value.value in self._local_classes else None
            bases.append(qual or dotted(arg.value) or "?")
        info = ClassInfo(node.name.value, bases, self.ctx.span(node))
        self.facts.classes.append(info)
        site = None
        for base in bases:
            entry = self.ctx.catalog.model_base(base)
            local = self._local_classes.get(base)
            if entry is not None or local is not None:
                line, _, end_line, _ = info.span
                site = ModelSite(
                    id=f"class:{node.name.value}",
                    kind="class",
                    name=node.name.value,
                    api=base,
                    span=self.ctx.span(node.name),
                    framework=entry.framework if entry else (local.framework if local else ""),
                    traits=list(entry.traits if entry else (local.traits if local else [])),
                    loc=end_line - line + 1,
                    bases=bases,
                )
                self._add_site(site)
                break
        self._local_classes[node.name.value] = site
        self._model_classes.append(site)

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        self._model_classes.pop()

    # -- statements ----------------------------------------------------------------------------
    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        self._statement_roles.append(set())

    def leave_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        roles = self._statement_roles.pop()
        if all(isinstance(s, (cst.Import, cst.ImportFrom, cst.Pass)) for s in node.body):
            return
        only = node.body[0] if len(node.body) == 1 else None
        if isinstance(only, cst.Expr) and isinstance(
            only.value, (cst.SimpleString, cst.ConcatenatedString)
        ):
            return  # docstrings are documentation, not code
        stats = self.facts.stats
        if roles & MODEL_ROLES:
            stats.model += 1
        elif roles & GLUE_ROLES:
            stats.glue += 1
        else:
            stats.other += 1

    def _note_role(self, role: str) -> None:
        if self._statement_roles:
            self._statement_roles[-1].add(role)

    def visit_Import(self, node: cst.Import) -> None:
        self._record_import(node)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        self._record_import(node)

    def _record_import(self, node: cst.Import | cst.ImportFrom) -> None:
        # Module-level imports were read before the walk; nested ones are added here.
        is_package = self.ctx.path.endswith("__init__.py")
        for module in add_import(self.ctx.aliases, node, self.ctx.module_name, is_package):
            if module and module not in self.facts.imported_modules:
                self.facts.imported_modules.append(module)

    def leave_Assign(self, node: cst.Assign) -> None:
        value = self.evaluator.eval(node.value, self.scope)
        for target in node.targets:
            pairs = _parallel(target.target, node.value)
            if pairs:
                # `X, y = df[cols], df["target"]`: each name gets its own value.
                for name, expr in pairs:
                    self._bind(name, self.evaluator.eval(expr, self.scope))
            else:
                self._bind(target.target, value)
        self.graph_facts.assign([t.target for t in node.targets], node.value)

    def leave_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._bind(node.target, self.evaluator.eval(node.value, self.scope))
            self.graph_facts.assign([node.target], node.value)

    def leave_AugAssign(self, node: cst.AugAssign) -> None:
        old = self.evaluator.eval(node.target, self.scope)
        new = self.evaluator.eval(node.value, self.scope)
        self._bind(node.target, Value(symbolic="<augmented>", reads=old.reads | new.reads))
        self.graph_facts.assign([node.target], node.value)

    def leave_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._bind(node.asname.name, self.evaluator.eval(node.item, self.scope))

    def visit_For(self, node: cst.For) -> None:
        source = self.evaluator.eval(node.iter, self.scope)
        self._bind(node.target, Value(symbolic="<loop variable>", reads=source.reads))

    def _bind(self, target: cst.BaseExpression, value: Value) -> None:
        if isinstance(target, (cst.Tuple, cst.List)):
            # Unpacking (`X_train, X_test, ... = train_test_split(...)`): each part keeps the flow.
            part = Value(symbolic="<unpacked>", reads=value.reads, confidence="low")
            for element in target.elements:
                self._bind(element.value, part)
            return
        if isinstance(target, cst.Subscript):
            # `df["new"] = f(other)`: the frame now also holds what flowed into the column.
            base = root_name(target.value)
            if base is not None:
                old = self.scope.lookup(base) or Value(symbolic=f"<variable {base}>")
                self.scope.names[base] = Value(
                    symbolic=old.symbolic,
                    reads=old.reads | value.reads,
                    model=old.model,
                    columns=old.columns,
                )
            return
        name = dotted(target) if isinstance(target, (cst.Name, cst.Attribute)) else None
        if name is None:
            return
        self.scope.names[name] = value
        if value.model is not None:
            site = self._sites.get(value.model)
            if (
                site is not None
                and site.kind in ("construct", "pretrained", "load")
                and not (site.name)
            ):
                site.name = name
        if self.scope is self.module_scope and value.text is not None and "." not in name:
            self.facts.constants[name] = value.text

    # -- calls ---------------------------------------------------------------------------------
    def leave_Call(self, node: cst.Call) -> None:
        func = node.func
        qual = self.ctx.qualname(func)
        self.graph_facts.call(node, qual)
        entries: tuple[ApiEntry, ...] = ()
        method: str | None = None
        if qual is not None:
            entries = self.ctx.catalog.lookup_call(qual)
        unmatched_receiver: Value | None = None
        if not entries and isinstance(func, cst.Attribute):
            # `df.to_csv(...)`, and also methods of imported classes: `AutoModel.from_pretrained`.
            method = func.attr.value
            entries = self.ctx.catalog.lookup_method(method, self.ctx.imported_roots)
            if not entries:
                unmatched_receiver = self.evaluator.eval(func.value, self.scope)
            if unmatched_receiver is not None and _is_model(unmatched_receiver):
                # A model built without importing its library (Hydra's `instantiate`, a loaded
                # artifact): its `fit`/`predict` count whichever ML library it comes from.
                entries = tuple(
                    e
                    for e in self.ctx.catalog.lookup_method(method, self.ctx.catalog.ml_packages)
                    if e.receiver == "model"
                )
        if not entries:
            if unmatched_receiver is not None and qual is None and unmatched_receiver.glue:
                # `parser.add_argument(...)`, `logger.info(...)`: plumbing of a glue object.
                self._note_role("glue")
                self._remember(node, self._glue_method(node, func.attr.value, unmatched_receiver))  # type: ignore[union-attr]
                return
            self._unmatched_call(node, qual)
            return
        call = _Args(node)
        receiver = (
            self.evaluator.eval(func.value, self.scope)
            if method is not None and isinstance(func, cst.Attribute)
            else None
        )
        api = qual or f".{method}"
        result: Value | None = None
        for entry in entries:
            if entry.receiver == "model" and not _is_model(receiver):
                continue
            self._note_role(entry.role)
            handler = _ROLE_HANDLERS.get(entry.role)
            if handler is not None:
                produced = handler(self, node, entry, call, receiver, api)
                result = result or produced
            if entry.role == "ml-core":
                self._count_layer(api)
                self._maybe_optimiser(node, api, call)
        if result is None and any(e.role == "glue" for e in entries):
            # Still a value (`os.path.join(...)` is a path); the flag makes its methods glue too.
            result = dataclasses.replace(self.evaluator.eval(node, self.scope), glue=True)
            if api in _PARSERS:
                result = dataclasses.replace(result, parser=str(len(self._parsers)))
                self._parsers[result.parser or ""] = {}
        if result is not None:
            self._remember(node, result)

    def _glue_method(self, node: cst.Call, method: str, receiver: Value) -> Value:
        """Methods of glue objects; argparse's are followed so `args.data` has its default."""
        if receiver.parser is not None:
            if method in ("add_argument", "add_option"):
                self._add_option(node, receiver.parser)
            elif method in ("parse_args", "parse_known_args", "parse_intermixed_args"):
                return Value(symbolic="<parsed arguments>", glue=True, args_of=receiver.parser)
            elif method in ("add_argument_group", "add_mutually_exclusive_group"):
                return Value(symbolic="<argument group>", glue=True, parser=receiver.parser)
        # Still a value: `HERE.joinpath("x")` on a pathlib path is a path.
        return dataclasses.replace(self.evaluator.eval(node, self.scope), glue=True)

    def _add_option(self, node: cst.Call, parser: str) -> None:
        call = _Args(node)
        names = [self.evaluator.eval(a, self.scope).text for a in call.positional]
        dest_node = call.keywords.get("dest")
        dest = self.evaluator.eval(dest_node, self.scope).text if dest_node else None
        dest = dest or _option_dest([n for n in names if n])
        default = call.keywords.get("default")
        if dest is None or default is None:
            return
        value = self.evaluator.eval(default, self.scope)
        if value.text is not None:
            # The default is what runs unless the command line says otherwise.
            self._parsers[parser][dest] = Value(text=value.text, confidence="medium")

    def _instantiated(self, node: cst.Call, qual: str) -> None:
        """Hydra's `instantiate(cfg.model)`: an object of the config node's `_target_` class.
        Phase 2 reads the target; it becomes a model only if the target is one."""
        config = self.evaluator.eval(node.args[0].value, self.scope).config
        if config is None:
            return
        file, keys = config
        site = ModelSite(
            id=f"instantiate:{len(self._sites)}",
            kind="construct",
            name="",
            api=deferred.cfg(file, (*keys, "_target_")),
            span=self.ctx.span(node),
            framework="hydra",
            kwargs_splat=True,  # the hyperparameters come from the config node
        )
        self._add_site(site)
        self._remember(node, Value(symbolic=f"<instance of {qual}>", model=site.id))

    def _pipeline_node(self, node: cst.Call) -> None:
        """Kedro's `node(func, inputs, outputs, name=...)`: a declared step and its datasets."""
        call = _Args(node)
        func = call.keywords.get("func") or (call.positional[0] if call.positional else None)
        if func is None:
            return
        target = self.ctx.qualname(func)
        if target is None and isinstance(func, cst.Name):
            target = f"{self.ctx.module_name}.{func.value}"
        names = []
        for index, key in ((1, "inputs"), (2, "outputs")):
            arg = call.keywords.get(key) or (
                call.positional[index] if len(call.positional) > index else None
            )
            names.append(self._dataset_names(arg))
        name_node = call.keywords.get("name")
        name = self.evaluator.eval(name_node, self.scope).text if name_node else None
        self.facts.pipeline_nodes.append(
            PipelineNode("kedro", target or "?", names[0], names[1], name, self.ctx.span(node))
        )

    def _dataset_names(self, node: cst.BaseExpression | None) -> list[str]:
        if node is None:
            return []
        if isinstance(node, cst.Dict):
            values = [e.value for e in node.elements if isinstance(e, cst.DictElement)]
            return [t for v in values if (t := self.evaluator.eval(v, self.scope).text)]
        value = self.evaluator.eval(node, self.scope)
        if value.strings is not None:
            return list(value.strings)
        return [value.text] if value.text else []

    def _unmatched_call(self, node: cst.Call, qual: str | None) -> None:
        """A call the knowledge tables do not know: maybe one of this project's functions or
        classes. Its arguments are evaluated once, for everything below that needs them."""
        func = node.func
        local = func.value if isinstance(func, cst.Name) else None
        if local is not None and qual is None:
            callee: str | None = (
                f"{self.ctx.module_name}.{local}" if self.ctx.module_name else local
            )
        elif qual is not None and self.project_module(qual.rpartition(".")[0]):
            callee = qual
        else:
            callee = None
        follows = local is not None and (local in self._parameter_trains or local in self._returns)
        args = (
            [self.evaluator.eval(a.value, self.scope) for a in node.args]
            if callee is not None or follows
            else []
        )
        if callee is not None:
            self._record_call_site(node, callee, args)
        if qual in _PIPELINE_NODES:
            self._pipeline_node(node)
        if qual in _INSTANTIATE and node.args:
            self._instantiated(node, qual)
            return
        if local is not None and local in self._parameter_trains:
            for use in self._parameter_trains[local]:
                use.inputs = sorted(set(use.inputs) | merge_reads(args))
        if local is not None and local in self._returns:
            # A local function's result: what it returns, plus whatever its arguments carry in.
            value = self._returns[local]
            self._remember(node, replace(value, reads=value.reads | merge_reads(args)))
        else:
            self._maybe_instance(node, qual)

    def _record_call_site(self, node: cst.Call, callee: str, values: list[Value]) -> None:
        """Calls into this project's own functions with string arguments (see CallSite)."""
        args: list[str | None] = []
        kwargs: dict[str, str] = {}
        for arg, value in zip(node.args, values, strict=True):
            if arg.star:
                continue  # `*args`, `**kwargs`: which parameter they fill is unknown
            if arg.keyword is not None:
                if value.text is not None:
                    kwargs[arg.keyword.value] = value.text
            else:
                args.append(value.text)
        if any(a is not None for a in args) or kwargs:
            self.facts.calls.append(
                CallSite(callee, args, kwargs, self.ctx.span(node), self._function())
            )

    def _remember(self, node: cst.Call, value: Value) -> None:
        self._results[id(node)] = value
        self._keep.append(node)

    def _function(self) -> str | None:
        return self._functions[-1] if self._functions else None

    def _path(self, node: cst.BaseExpression | None) -> tuple[PathValue, Value]:
        if node is None:
            return PathValue(None, "<no path argument>", "low"), Value(symbolic="<none>")
        value = self.evaluator.eval(node, self.scope)
        conf = value.confidence if value.confidence in ("high", "medium", "low") else "high"
        if deferred.is_deferred(value.text):
            # Resolved in phase 2 (another module's constant, a config key, a caller's argument).
            template = normalise_path(value.text or "")
            return PathValue(None, value.describe(), conf, template=template), value  # type: ignore[arg-type]
        if value.text is not None:
            return PathValue(normalise_path(value.text), None, conf), value  # type: ignore[arg-type]
        return PathValue(None, value.describe(), "low"), value

    def _access(
        self,
        kind: str,
        api: str,
        path: PathValue,
        node: cst.CSTNode,
        columns: Sequence[str] = (),
    ) -> int:
        self.facts.data.append(
            DataAccess(
                kind=kind,  # type: ignore[arg-type]
                api=api,
                path=path,
                span=self.ctx.span(node),
                columns=list(columns),
                function=self._function(),
            )
        )
        return len(self.facts.data) - 1

    def on_read(self, node, entry, call, receiver, api) -> Value:  # type: ignore[no-untyped-def]
        path_node = call.find(entry.path)
        if entry.file_object and path_node is not None:
            handle = self.evaluator.eval(path_node, self.scope)
            if handle.handle is not None:
                return self._loaded(handle.handle)
        if receiver is not None and path_node is None and receiver.handle is not None:
            return self._loaded(receiver.handle)
        path, value = self._path(path_node)
        if path_node is not None and value.handle is not None:
            return self._loaded(value.handle)
        columns_value = self.evaluator.eval(call.find(entry.columns), self.scope)
        columns = columns_value.strings or ()
        index = self._access("read", api, path, node, columns)
        self.facts.data[index].revision = call.find(entry.revision) is not None
        self.facts.data[index].hub = entry.revision is not None
        self.graph_facts.note_read(node, index)
        return replace(self._loaded(index), columns=tuple(columns))

    def _loaded(self, index: int) -> Value:
        """What a read returns: data, and a config document when the file is configuration."""
        path = self.facts.data[index].path.value
        config = (path, ()) if path and is_config_path(path) else None
        return Value(symbolic="<data>", reads=frozenset({index}), config=config)

    def on_write(self, node, entry, call, receiver, api) -> Value | None:  # type: ignore[no-untyped-def]
        path_node = call.find(entry.path)
        index: int | None = None
        if entry.file_object and path_node is not None:
            handle = self.evaluator.eval(path_node, self.scope)
            index = handle.handle
        if index is None:
            path, value = self._path(path_node)
            index = value.handle if value.handle is not None else None
            if index is None:
                index = self._access("write", api, path, node)
        self.graph_facts.write(node, call.find(entry.value), index)
        written = self.evaluator.eval(call.find(entry.value), self.scope) if entry.value else None
        if written is not None and _is_model(written):
            self._use("save", written, api, node, path=self.facts.data[index].path)
        return None

    def on_open(self, node, entry, call, receiver, api) -> Value:  # type: ignore[no-untyped-def]
        mode = entry.mode.default if entry.mode is not None else "r"
        if entry.mode is not None:
            mode_node = call.find(entry.mode)
            if mode_node is not None:
                mode_value = self.evaluator.eval(mode_node, self.scope)
                mode = mode_value.text if mode_value.text is not None else mode
        kind = "write" if ModeSpec.writes(mode) else "read"
        path, _ = self._path(call.find(entry.path))
        index = self._access(kind, api, path, node)
        reads = frozenset({index}) if kind == "read" else frozenset()
        return Value(symbolic="<file object>", handle=index, reads=reads)

    def on_construct(self, node, entry, call, receiver, api) -> Value:  # type: ignore[no-untyped-def]
        site = ModelSite(
            id=f"construct:{api}:{len(self._sites)}",
            kind="construct",
            name="",
            api=api,
            span=self.ctx.span(node),
            framework=entry.framework,
            traits=list(entry.traits),
            hyperparameters=call.keyword_names(),
            kwargs_splat=call.splat,
        )
        self.graph_facts.hyper_literals(node, api, "construct")
        if entry.submodels is not None:
            for nested in call.find_all(entry.submodels):
                self._absorb_submodels(site, nested)
        self._add_site(site)
        return Value(symbolic=f"<model {api}>", model=site.id)

    def _absorb_submodels(self, site: ModelSite, node: cst.CSTNode) -> None:
        # Estimators nested in a stacking/voting/search construction are parts of one model.
        for sub in iter_tree(node):
            if not isinstance(sub, cst.Call):
                continue
            inner = self._results.get(id(sub))
            if inner is None or inner.model is None or inner.model not in self._sites:
                continue
            part = self._sites.pop(inner.model)
            self.facts.models.remove(part)
            site.submodels += 1 + part.submodels
            for trait in part.traits:
                if trait not in site.traits:
                    site.traits.append(trait)

    def on_pretrained(self, node, entry, call, receiver, api) -> Value:  # type: ignore[no-untyped-def]
        path, _ = self._path(call.find(entry.path))
        revision = call.find(entry.revision) if entry.revision is not None else None
        site = ModelSite(
            id=f"pretrained:{len(self._sites)}",
            kind="pretrained",
            name="",
            api=api,
            span=self.ctx.span(node),
            framework=entry.framework,
            traits=list(entry.traits) or ["neural-network"],
            hyperparameters=call.keyword_names(),
            kwargs_splat=call.splat,
            path=path,
            hub=entry.revision is not None,
        )
        if revision is not None and "revision" not in site.hyperparameters:
            site.hyperparameters.append("revision")
        self._add_site(site)
        return Value(symbolic=f"<model {path.describe()}>", model=site.id)

    def on_load_model(self, node, entry, call, receiver, api) -> Value:  # type: ignore[no-untyped-def]
        path, _ = self._path(call.find(entry.path))
        site = ModelSite(
            id=f"load:{len(self._sites)}",
            kind="load",
            name="",
            api=api,
            span=self.ctx.span(node),
            framework=entry.framework,
            path=path,
            hub=entry.revision is not None,
        )
        if entry.revision is not None and call.find(entry.revision) is not None:
            site.hyperparameters.append("revision")  # pinned (see DL203)
        self._add_site(site)
        return Value(symbolic="<loaded model>", model=site.id)

    def on_save_model(self, node, entry, call, receiver, api) -> Value | None:  # type: ignore[no-untyped-def]
        model = receiver if _is_model(receiver) else None
        if entry.value is not None:
            candidate = self.evaluator.eval(call.find(entry.value), self.scope)
            if _is_model(candidate):
                model = candidate
        path, _ = self._path(call.find(entry.path))
        self._access("write", api, path, node)
        if model is not None:
            self._use("save", model, api, node, path=path)
        return None

    def on_train(self, node, entry, call, receiver, api) -> Value | None:  # type: ignore[no-untyped-def]
        model = receiver
        if entry.model is not None:
            model = self.evaluator.eval(call.find(entry.model), self.scope)
        if not _is_model(model):
            return None
        self.graph_facts.hyper_literals(node, api, "train")
        input_nodes = call.find_all(entry.inputs) if entry.inputs is not None else call.values()
        inputs = [self.evaluator.eval(n, self.scope) for n in input_nodes]
        use = self._use("train", model, api, node)
        if use is not None:
            use.inputs = sorted(merge_reads(inputs))
            # The features are the columns of X (the first input), not of the target y.
            use.columns = list(dict.fromkeys(inputs[0].columns)) if inputs else []
            if not use.inputs and len(self._functions) == 1:
                # `def train(X, y): model.fit(X, y)`: the data comes from train()'s callers.
                self._parameter_trains.setdefault(self._functions[0], []).append(use)
        return model

    def on_predict(self, node, entry, call, receiver, api) -> Value | None:  # type: ignore[no-untyped-def]
        if entry.model is not None and not _is_model(receiver):
            # `cross_val_score(model, X, y)`: the model is an argument, not the receiver.
            receiver = self.evaluator.eval(call.find(entry.model), self.scope)
        if not _is_model(receiver):
            return None
        inputs = [self.evaluator.eval(n, self.scope) for n in call.values()]
        use = self._use(entry.role, receiver, api, node)  # type: ignore[arg-type]
        if use is not None:
            use.inputs = sorted(merge_reads(inputs))
            if entry.role == "predict":
                self.graph_facts.note_predict(node, use.model)
        return Value(symbolic="<predictions>", reads=merge_reads(inputs))

    # -- models --------------------------------------------------------------------------------
    def _add_site(self, site: ModelSite) -> None:
        self._sites[site.id] = site
        self.facts.models.append(site)

    def _site_for(self, value: Value, node: cst.CSTNode) -> ModelSite | None:
        if value.model is not None:
            return self._sites.get(value.model)
        if value.instance_of is None:
            return None
        site_id = f"instance:{value.instance_of}"
        site = self._sites.get(site_id)
        if site is None:
            site = ModelSite(
                id=site_id,
                kind="instance",
                name=value.instance_of.rsplit(".", 1)[-1],
                api=value.instance_of,
                span=self.ctx.span(node),
            )
            self._add_site(site)
        return site

    def _use(
        self, kind: str, model: Value, api: str, node: cst.Call, path: PathValue | None = None
    ) -> ModelUse | None:
        site = self._site_for(model, node)
        if site is None:
            return None
        use = ModelUse(kind=kind, model=site.id, api=api, span=self.ctx.span(node), path=path)  # type: ignore[arg-type]
        self.facts.uses.append(use)
        self._note_role("train" if kind == "train" else "predict")
        return use

    def _maybe_instance(self, node: cst.Call, qual: str | None) -> None:
        """A call to a class of this project: maybe a model (decided when it is fitted or saved)."""
        func = node.func
        if qual is None and isinstance(func, cst.Name) and func.value in self._local_classes:
            local = self._local_classes[func.value]
            if local is not None:
                self._remember(node, Value(symbolic=f"<model {local.name}>", model=local.id))
            else:
                qualified = f"{self.ctx.module_name}.{func.value}"
                self._remember(node, Value(symbolic="<instance>", instance_of=qualified))
            return
        if qual is None or "." not in qual:
            return
        module, _, name = qual.rpartition(".")
        if name[:1].isupper() and self.project_module(module):
            self._remember(node, Value(symbolic=f"<instance of {qual}>", instance_of=qual))

    def _count_layer(self, api: str) -> None:
        current = self._model_classes[-1] if self._model_classes else None
        if current is not None and api.rpartition(".")[2][:1].isupper():
            current.layers += 1

    def _maybe_optimiser(self, node: cst.Call, api: str, call: _Args) -> None:
        # `torch.optim.Adam(model.parameters())` means this file trains `model`.
        if not api.startswith("torch.optim.") or not call.positional:
            return
        first = call.positional[0]
        if not (isinstance(first, cst.Call) and isinstance(first.func, cst.Attribute)):
            return
        if first.func.attr.value != "parameters":
            return
        model = self.evaluator.eval(first.func.value, self.scope)
        if _is_model(model):
            use = self._use("train", model, api, node)
            if use is not None:
                self._optimiser_uses.append(use)

    # -- graph-rule facts (see debtlint/facts/graphfacts.py) ----------------------------------
    def leave_Subscript(self, node: cst.Subscript) -> None:
        self.graph_facts.subscript(node)

    def leave_Attribute(self, node: cst.Attribute) -> None:
        self.graph_facts.attribute(node)

    def finish(self) -> FileFacts:
        self.graph_facts.finish()
        all_reads = [i for i, d in enumerate(self.facts.data) if d.kind == "read"]
        for use in self._optimiser_uses:
            # A hand-written training loop: what it trains on is what the file reads.
            use.inputs = all_reads
        stats = self.facts.stats
        stats.ncloc = sum(
            1 for line in self.ctx.source.splitlines() if line.strip() and not _is_comment(line)
        )
        roots = {m.split(".", 1)[0] for m in self.facts.imported_modules}
        stats.ml_packages = sorted(roots & self.ctx.catalog.ml_packages)
        self.facts.aliases = dict(self.ctx.aliases)
        return self.facts


_PARSERS = frozenset({"argparse.ArgumentParser"})
_PIPELINE_NODES = frozenset({"kedro.pipeline.node", "kedro.pipeline.node.node"})
_INSTANTIATE = frozenset({"hydra.utils.instantiate", "hydra.utils.call"})


def _option_dest(names: Sequence[str]) -> str | None:
    """argparse's rule: the first long option, else the first name, without dashes."""
    longs = [n for n in names if n.startswith("--")]
    chosen = longs[0] if longs else (names[0] if names else None)
    return chosen.lstrip("-").replace("-", "_") if chosen else None


def _click_dest(names: Sequence[str]) -> str | None:
    """click's rule: a bare identifier names the parameter, else the first long option."""
    bare = [n for n in names if n.isidentifier()]
    if bare:
        return bare[0]
    return _option_dest(names)


def _parallel(
    target: cst.BaseExpression, value: cst.BaseExpression
) -> list[tuple[cst.BaseExpression, cst.BaseExpression]]:
    """Element pairs of `a, b = x, y` (same length, no starred parts); empty otherwise."""
    if not isinstance(target, (cst.Tuple, cst.List)) or not isinstance(
        value, (cst.Tuple, cst.List)
    ):
        return []
    if len(target.elements) != len(value.elements):
        return []
    if any(isinstance(e, cst.StarredElement) for e in [*target.elements, *value.elements]):
        return []
    return [(t.value, v.value) for t, v in zip(target.elements, value.elements, strict=True)]


def _is_comment(line: str) -> bool:
    return line.lstrip().startswith("#")


def _is_model(value: Value | None) -> bool:
    return value is not None and (value.model is not None or value.instance_of is not None)


class _Args:
    """A call's arguments, split for :class:`ArgSpec` lookups."""

    def __init__(self, node: cst.Call) -> None:
        self.positional: list[cst.BaseExpression] = []
        self.keywords: dict[str, cst.BaseExpression] = {}
        self.splat = False
        for arg in node.args:
            if arg.star == "**":
                self.splat = True
            elif arg.star == "*":
                continue
            elif arg.keyword is not None:
                self.keywords[arg.keyword.value] = arg.value
            else:
                self.positional.append(arg.value)

    def find(self, spec: ArgSpec | None) -> cst.BaseExpression | None:
        if spec is None:
            return None
        return spec.find(self.positional, self.keywords)

    def find_all(self, spec: ArgSpec) -> list[cst.BaseExpression]:
        return spec.find_all(self.positional, self.keywords)

    def values(self) -> list[cst.BaseExpression]:
        return [*self.positional, *self.keywords.values()]

    def keyword_names(self) -> list[str]:
        return list(self.keywords)


_ROLE_HANDLERS: dict[str, Callable[..., Value | None]] = {
    "read": FactExtractor.on_read,
    "write": FactExtractor.on_write,
    "open": FactExtractor.on_open,
    "construct": FactExtractor.on_construct,
    "pretrained": FactExtractor.on_pretrained,
    "load-model": FactExtractor.on_load_model,
    "save-model": FactExtractor.on_save_model,
    "train": FactExtractor.on_train,
    "predict": FactExtractor.on_predict,
    "evaluate": FactExtractor.on_predict,
}
