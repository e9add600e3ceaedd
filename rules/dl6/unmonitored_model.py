import re
from typing import Any

import libcst as cst

from debtlint.api import (
    Confidence,
    FileContext,
    FileRule,
    ProjectExample,
    ProjectGraph,
    Severity,
    Status,
    dotted,
    iter_tree,
    scope_nodes,
)

# Methods whose result is a prediction, whatever the receiver (inside a request handler).
_PREDICT_METHODS = frozenset(
    {"predict", "predict_proba", "predict_log_proba", "decision_function", "predict_on_batch"}
)
# Methods that predict when the receiver is a model (`model.generate(...)`, ONNX `sess.run`).
_MODEL_METHODS = frozenset({"generate", "forward", "run", "infer", "transform"})
# Names people give a loaded model, for models the file does not visibly load.
_MODEL_NAMES = frozenset(
    {
        "model",
        "clf",
        "classifier",
        "regressor",
        "estimator",
        "predictor",
        "pipe",
        "pipeline",
        "net",
        "learner",
        "booster",
        "ort_session",
        "onnx_session",
    }
)
# A helper imported from elsewhere whose name says it predicts (`from .model import predict`).
_PREDICT_HELPER = re.compile(r"^(predict|make_prediction|get_prediction|run_inference|inference$)")
# Logging: receivers, modules and methods.
_LOGGERS = frozenset({"logger", "log", "logging", "_logger", "_log", "LOGGER", "LOG", "app_logger"})
_LOG_MODULES = frozenset({"logging", "structlog", "loguru", "absl"})
_LOG_METHODS = frozenset(
    {"debug", "info", "warning", "warn", "error", "exception", "critical", "log", "msg"}
)
# Methods that put a record somewhere durable: databases, queues, streams, files, metrics.
_RECORD_METHODS = frozenset(
    {
        "insert",
        "insert_one",
        "insert_many",
        "add_all",
        "bulk_save_objects",
        "commit",
        "put_item",
        "put_record",
        "put_records",
        "send_message",
        "publish",
        "produce",
        "xadd",
        "lpush",
        "rpush",
        "observe",
        "inc",
        "labels",
        "add_task",
    }
)
# Words in the name of a project function that say it records something: `log_prediction(...)`,
# `save_to_db(...)`, `store.persist(...)`.
_RECORD_WORDS = frozenset(
    {
        "log",
        "logs",
        "record",
        "records",
        "monitor",
        "track",
        "store",
        "persist",
        "save",
        "audit",
        "emit",
        "publish",
        "capture",
        "observe",
        "collect",
        "insert",
    }
)
# Middleware that sees requests without recording them.
_PLAIN_MIDDLEWARE = frozenset(
    {
        "CORSMiddleware",
        "GZipMiddleware",
        "TrustedHostMiddleware",
        "HTTPSRedirectMiddleware",
        "SessionMiddleware",
        "ProxyHeadersMiddleware",
    }
)
# Application hooks that see every request and response: a hook that records, or middleware
# added by class, covers every handler of the module.
_HOOKS = frozenset(
    {
        "middleware",
        "after_request",
        "before_request",
        "after_app_request",
        "before_app_request",
        "teardown_request",
    }
)
# Gradio event listeners whose function answers the user.
_UI_EVENTS = frozenset({"click", "submit", "change", "upload", "select", "input"})
_TRACKERS = frozenset({"mlflow"})
_FOLLOW_DEPTH = 3
# Functions that are a project's prediction API, and a cheap test for files that may hold one.
_PREDICTOR_NAME = re.compile(r"^(predict|infer|inference|run_inference|__call__|handle|generate)")
_PREDICTOR_TEXT = re.compile(r"predict|infer|generate")
# Deployment descriptors: SageMaker endpoint configs (CloudFormation, CDK output, SAM) capture
# requests and responses with these keys.
_CAPTURE_KEYS = frozenset({"DataCaptureConfig", "data_capture_config", "EnableCapture"})
_MAX_DEPLOYMENT_FILES = 500


class UnmonitoredModel(FileRule):
    """A request handler serves a model's predictions and nothing records them.

    ## What it does
    Finds request handlers that answer with a model's predictions and checks that something
    records what the model sees and says. A handler is:

    - a function with a route decorator of a web framework application or router built in the
      file (`app = FastAPI()`, `@app.post("/predict")`; Flask `@app.route`, blueprints, Quart,
      Starlette, Sanic, aiohttp route tables), a route decorator imported as such
      (`@litestar.post`, `@bentoml.api`, Django REST framework's `@api_view`), or a decorator
      `@x.post("/path")` on an application imported from another module;
    - a handler method of a served class: `__call__` of a Ray Serve `@serve.deployment` or a
      BentoML `@bentoml.service`, `predict` of a KServe `Model`, LitServe `LitAPI` or Cog
      `BasePredictor`, `handle`/`inference` of a TorchServe handler, `get`/`post` of a Flask
      `MethodView`, Flask-RESTful resource, DRF `APIView` or Tornado `RequestHandler`;
    - the function of a Gradio `Interface` or event listener, and the top level of a Streamlit
      script (both with low confidence: they are often demos; so are Cog predictors, whose
      platform, Replicate, keeps every prediction).

    It serves predictions when it calls `predict`, `predict_proba`, `decision_function`, a loaded
    model (`model(x)`, `model.generate(...)`), a function of the same module that does, or an
    imported helper named like `predict*` (not the `predict` of a client of a model served
    elsewhere, such as a Vertex AI `Endpoint`). It is reported when nothing records what it
    serves:

    - neither the handler nor what it calls in the same module logs the inputs or predictions (a
      `logging`, `structlog`, `loguru` or `print` call that mentions them), records them (a
      write to a file, a database, a queue, a stream; a background task or a helper named
      `log_*`, `save_*`, `store_*`, ...) or sends them to a tracker (MLflow, Weights & Biases);
    - the module has no request hook that records (a logging middleware, Flask's
      `after_request`);
    - no file of the project imports a monitoring library (`evidently`, `whylogs`, `nannyml`,
      `alibi_detect`, `deepchecks`, `arize`, `fiddler`, `prometheus_client` and its FastAPI and
      Flask exporters, OpenTelemetry, Datadog, LangFuse, ...) or a platform's model monitor
      (`sagemaker.model_monitor`, Vertex AI model monitoring, `azureml.monitoring`,
      `bentoml.monitor`);
    - no deployment file turns on the platform's payload logging (a KServe `InferenceService`
      or Seldon deployment with a `logger`, SageMaker `DataCaptureConfig`, BentoML
      `monitoring: {enabled: true}`);
    - for a handler that predicts with a model it is handed or imports
      (`model=Depends(get_model)`): no prediction function elsewhere in the project (a model
      wrapper's `predict`) logs or stores what it predicts.

    Test files are ignored. The frameworks, decorators and libraries are tables in
    `debtlint/knowledge/serving.yaml` and `monitoring.yaml`.

    This rule is a **preview**: monitoring often lives outside the code — a sidecar that logs
    requests, an API gateway, a service mesh, the serving platform's own data capture (SageMaker,
    Vertex AI, KServe's payload logger, Seldon), or a monitoring job in another repository. None
    of these is visible to a static reading of the project's Python.

    Known false positives: monitoring done by the infrastructure (above); a monitoring SDK the
    tables do not list (add it to a table, see `debtlint/knowledge/README.md`); predictions
    logged by a helper in another module whose name does not say so; demos and tutorials that
    are never deployed.

    ## Why is this bad?
    Sculley et al. (2015, §7) insist that live monitoring of a model's behaviour is critical: the
    world changes, inputs drift, upstream producers change, and a served model degrades silently
    unless someone compares its predictions with what was expected (prediction bias, action
    limits). Breck et al. (2017, Monitor 4 and Monitor 7) ask for monitoring of the training/
    serving skew and of the model's prediction quality. Without a record of inputs and
    predictions nothing can be monitored, debugged or retrained on.

    ## Example
    ```python
    app = FastAPI()
    model = joblib.load("model.joblib")

    @app.post("/predict")
    def predict(features: Features):
        return {"score": float(model.predict_proba([features.values])[0, 1])}
    ```

    ## Use instead
    ```python
    @app.post("/predict")
    def predict(features: Features):
        score = float(model.predict_proba([features.values])[0, 1])
        logger.info("prediction", extra={"features": features.values, "score": score})
        PREDICTIONS.observe(score)          # a prometheus_client Histogram
        return {"score": score}
    ```
    or log requests and responses to a store a monitoring job reads (Evidently, whylogs,
    NannyML), or enable the serving platform's data capture.

    ## Options
    None.

    ## References
    - Sculley et al., "Hidden Technical Debt in Machine Learning Systems", NeurIPS 2015, §7
      ("Monitoring and Testing").
    - Breck et al., "The ML Test Score: A Rubric for ML Production Readiness and Technical Debt
      Reduction", IEEE Big Data 2017 (Monitor 4, Monitor 7).
    """

    code = "DL602"
    name = "unmonitored-model"
    severity = Severity.WARNING
    status = Status.PREVIEW
    remediation_minutes = 240

    _SERVICE = """
        import joblib
        from fastapi import FastAPI
        from pydantic import BaseModel

        app = FastAPI()
        model = joblib.load("models/model.joblib")

        class Features(BaseModel):
            values: list[float]
        """
    VALID = [
        _SERVICE
        + """
        import logging
        logger = logging.getLogger(__name__)

        @app.post("/predict")
        def predict(features: Features):
            score = float(model.predict_proba([features.values])[0, 1])
            logger.info("features=%s score=%s", features.values, score)
            return {"score": score}

        @app.get("/health")
        def health():
            return {"ok": True}
        """,
        _SERVICE
        + """
        from fastapi import BackgroundTasks

        def store_prediction(values, label):
            ...

        @app.post("/predict")
        def predict(features: Features, tasks: BackgroundTasks):
            label = int(model.predict([features.values])[0])
            tasks.add_task(store_prediction, features.values, label)
            return {"label": label}
        """,
        _SERVICE
        + """
        from prometheus_client import Histogram
        SCORES = Histogram("score", "predicted scores")

        @app.post("/predict")
        def predict(features: Features):
            score = float(model.predict_proba([features.values])[0, 1])
            SCORES.observe(score)
            return {"score": score}
        """,
        _SERVICE
        + """
        import logging
        logger = logging.getLogger("access")

        @app.middleware("http")
        async def log_requests(request, call_next):
            response = await call_next(request)
            logger.info("%s %s", request.url, await request.body())
            return response

        @app.post("/predict")
        def predict(features: Features):
            return {"label": int(model.predict([features.values])[0])}
        """,
        """
        import joblib

        model = joblib.load("models/model.joblib")

        def score_batch(rows):
            return model.predict(rows)
        """,
        ProjectExample(
            {
                "serving/app.py": """
                import joblib
                from flask import Flask, jsonify, request

                app = Flask(__name__)
                model = joblib.load("models/model.joblib")

                @app.route("/predict", methods=["POST"])
                def predict():
                    return jsonify(model.predict([request.json["values"]]).tolist())
                """,
                "serving/monitoring.py": """
                from evidently.report import Report

                def drift_report(reference, current):
                    return Report(metrics=[]).run(reference_data=reference, current_data=current)
                """,
            },
            "the project runs a monitoring library: drift is watched elsewhere",
        ),
        ProjectExample(
            {
                "tests/test_app.py": """
                import joblib
                from fastapi import FastAPI
                app = FastAPI()
                model = joblib.load("model.joblib")

                @app.post("/predict")
                def predict(x: list[float]):
                    return {"y": model.predict([x]).tolist()}
                """,
            },
            "a handler in a test file",
        ),
    ]
    INVALID = [
        _SERVICE
        + """
        @app.post("/predict")
        def predict(features: Features):  # expect: DL602
            return {"score": float(model.predict_proba([features.values])[0, 1])}

        @app.get("/health")
        def health():
            return {"ok": True}
        """,
        """
        import logging
        import torch
        from flask import Flask, jsonify, request

        app = Flask(__name__)
        logger = logging.getLogger(__name__)
        net = torch.jit.load("model.pt")

        def run_model(values):
            return net(torch.tensor(values)).tolist()

        @app.route("/predict", methods=["POST"])
        def serve():  # expect: DL602
            logger.info("request received")
            return jsonify(run_model(request.json["values"]))
        """,
        """
        from ray import serve
        from transformers import pipeline

        @serve.deployment
        class Sentiment:
            def __init__(self):
                self.classifier = pipeline("sentiment-analysis")

            async def __call__(self, request):  # expect: DL602
                text = (await request.json())["text"]
                return self.classifier(text)[0]
        """,
    ]

    def start(self, ctx: FileContext) -> None:
        super().start(ctx)
        self._monitoring = False
        self._handlers: list[dict[str, Any]] = []
        self._recorders: list[str] = []

    def finish(self) -> None:
        ctx = self.ctx
        catalog = ctx.catalog
        self._monitoring = _uses_monitoring(ctx)
        if self._monitoring:
            return
        roots = set(ctx.imported_roots) | {v.partition(".")[0] for v in ctx.aliases.values()}
        serving = not roots.isdisjoint(catalog.imports_of("serving"))
        if not serving and not _PREDICTOR_TEXT.search(ctx.source):
            return
        module = _Module(ctx, roots)
        self._recorders = module.recording_predictors()
        if serving:
            self._handlers = module.unrecorded_handlers()

    def project_facts(self) -> Any:
        if self._monitoring:
            return {"monitoring": True}
        facts: dict[str, Any] = {}
        if self._handlers:
            facts["handlers"] = self._handlers
        if self._recorders:
            facts["recorders"] = self._recorders
        return facts or None

    def check_project(self, graph: ProjectGraph) -> None:
        code = [f for f in graph.files.values() if not f.is_test]
        if any((f.rule_facts.get(self.code) or {}).get("monitoring") for f in code):
            return
        found = [
            (facts, handler)
            for facts in sorted(code, key=lambda f: f.path)
            for handler in (facts.rule_facts.get(self.code) or {}).get("handlers", [])
        ]
        if not found or _platform_monitoring(graph):
            return
        # A prediction function elsewhere that logs what it predicts (a model wrapper's
        # `predict`) may be what a handler calls through an injected or imported object.
        recorded = any((f.rule_facts.get(self.code) or {}).get("recorders") for f in code)
        for facts, handler in found:
            if recorded and not handler.get("direct"):
                continue
            span = tuple(handler["span"])
            self.report(
                facts.location(span),  # type: ignore[arg-type]
                f"{handler['what']} serves predictions ({handler['predicts']}) but nothing "
                "records its inputs or predictions: no logging of them, no prediction store, "
                "no metrics or monitoring library in the project",
                entity=f"{facts.path}::{handler['name']}",
                confidence=Confidence(handler["confidence"]),
                help=(
                    "Log each request's inputs and the prediction to a durable sink (structured "
                    "logs, a table, a stream) and watch them: metrics (prometheus_client), a "
                    "drift monitor (Evidently, whylogs, NannyML), or the serving platform's "
                    "data capture."
                ),
                properties={"handler": handler["name"], "kind": handler["kind"]},
            )


def _platform_monitoring(graph: ProjectGraph) -> bool:
    """Whether a deployment file of the project turns on the platform's prediction logging: a
    KServe `InferenceService` or Seldon `SeldonDeployment` with a `logger`, SageMaker data
    capture, or BentoML's `monitoring: {enabled: true}`."""
    flow = graph.flow()
    for path in graph.project_files((".yaml", ".yml"))[:_MAX_DEPLOYMENT_FILES]:
        doc = flow.raw_config(path, max_bytes=256 * 1024)
        if not isinstance(doc, dict):
            continue
        if doc.get("kind") in ("InferenceService", "SeldonDeployment"):
            if _has_key(doc.get("spec"), frozenset({"logger"})):
                return True
        elif _has_key(doc, _CAPTURE_KEYS):
            return True
        monitoring = doc.get("monitoring")
        if isinstance(monitoring, dict) and monitoring.get("enabled") is True:
            return True
    return False


def _has_key(node: Any, keys: frozenset[str], depth: int = 0) -> bool:
    if depth > 12:
        return False
    if isinstance(node, dict):
        return any(str(k) in keys or _has_key(v, keys, depth + 1) for k, v in node.items())
    if isinstance(node, list):
        return any(_has_key(v, keys, depth + 1) for v in node)
    return False


def _uses_monitoring(ctx: FileContext) -> bool:
    catalog = ctx.catalog
    libraries = catalog.imports_of("monitoring")
    prefixes = catalog.group("prediction-monitoring")
    names = set(ctx.aliases.values())
    if not {n.partition(".")[0] for n in names}.isdisjoint(libraries):
        return True
    if not ctx.imported_roots.isdisjoint(libraries):
        return True
    return any(n == p or n.startswith(p + ".") for n in names for p in prefixes)


class _Module:
    """One serving module: its apps, loaded models, functions and handlers."""

    def __init__(self, ctx: FileContext, roots: set[str]) -> None:
        self.ctx = ctx
        self.roots = roots
        catalog = ctx.catalog
        self.app_ctors = catalog.group("serving-app")
        self.routes = catalog.group("serving-route")
        self.handler_methods = catalog.group("serving-handler")
        self.platform_recorded = catalog.group("platform-recorded")
        self.verbs = {r.rpartition(".")[2] for r in self.routes}
        self.trackers = set(_TRACKERS) | set(catalog.imports_of("tracking"))
        self.serving = set(catalog.imports_of("serving"))
        self.apps: dict[str, str] = {}  # local name -> constructor
        self.models: set[str] = set()  # names (and `self.` attributes) holding a model
        # Clients of a model served elsewhere (`aiplatform.Endpoint`): their `predict` is a
        # request to a service that is monitored, or not, where it runs.
        self.remote: set[str] = set()
        self.functions: dict[str, cst.FunctionDef] = {}
        self.ui_functions: set[str] = set()
        self.hooked = False
        self._predicts: dict[int, str | None] = {}
        self._records: dict[int, bool] = {}
        nodes = list(_walk(ctx.module))
        for node in nodes:
            if isinstance(node, cst.Assign):
                for target in node.targets:
                    self._assigned(target.target, node.value)
            elif isinstance(node, cst.AnnAssign) and node.value is not None:
                self._assigned(node.target, node.value)
            elif isinstance(node, cst.FunctionDef):
                self.functions[node.name.value] = node
            elif isinstance(node, cst.Call):
                self._call(node)
        self.nodes = nodes

    # -- what the module builds ------------------------------------------------------------------
    def _assigned(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        name = _target_name(target)
        if name is None or not isinstance(value, cst.Call):
            return
        qual = self.ctx.qualname(value.func)
        if qual in self.app_ctors:
            self.apps[name] = qual
        elif qual in self.ctx.catalog.group("remote-model-client"):
            self.remote.add(name)
        elif self._loads_model(value, qual):
            self.models.add(name)

    def _loads_model(self, call: cst.Call, qual: str | None) -> bool:
        catalog = self.ctx.catalog
        if qual is not None:
            if qual in catalog.group("model-loader"):
                return True
            roles = {e.role for e in catalog.lookup_call(qual)}
            if roles & {"load-model", "pretrained", "construct"}:
                return True
        if isinstance(call.func, cst.Attribute):
            method = call.func.attr.value
            entries = catalog.lookup_method(method, frozenset(self.roots))
            return any(e.role in ("load-model", "pretrained") for e in entries)
        return False

    def _call(self, call: cst.Call) -> None:
        func = call.func
        if isinstance(func, cst.Attribute) and func.attr.value == "add_middleware" and call.args:
            added = dotted(call.args[0].value) or ""
            if added.rpartition(".")[2] not in _PLAIN_MIDDLEWARE:
                self.hooked = True
        qual = self.ctx.qualname(func)
        ui = self.ctx.catalog.group("serving-ui")
        gradio_event = (
            isinstance(func, cst.Attribute)
            and func.attr.value in _UI_EVENTS
            and "gradio" in self.roots
        )
        if qual in ui or gradio_event:
            fn = next((a.value for a in call.args if a.keyword and a.keyword.value == "fn"), None)
            if fn is None and call.args and call.args[0].keyword is None:
                fn = call.args[0].value
            if isinstance(fn, cst.Name):
                self.ui_functions.add(fn.value)

    # -- handlers --------------------------------------------------------------------------------
    def unrecorded_handlers(self) -> list[dict[str, Any]]:
        if self.hooked or any(self._hook(n) for n in self.nodes if isinstance(n, cst.FunctionDef)):
            return []
        found: list[dict[str, Any]] = []
        seen: set[int] = set()
        for node in self.nodes:
            if isinstance(node, cst.ClassDef):
                for method, kind, platform in self._class_handlers(node):
                    seen.add(id(method))
                    confidence = Confidence.LOW if platform else Confidence.MEDIUM
                    found.extend(self._check(method, kind, f"{node.name.value}.", confidence))
        for node in self.nodes:
            if not isinstance(node, cst.FunctionDef) or id(node) in seen:
                continue
            kind = self._route(node)
            if kind is not None:
                found.extend(self._check(node, kind[0], "", kind[1]))
            elif node.name.value in self.ui_functions:
                found.extend(self._check(node, "Gradio app", "", Confidence.LOW))
        if "streamlit" in self.roots:
            found.extend(self._streamlit())
        return found

    def _hook(self, node: cst.FunctionDef) -> bool:
        """A request hook (`@app.middleware("http")`, `@app.after_request`) that records."""
        for decorator in node.decorators:
            expr = decorator.decorator
            func = expr.func if isinstance(expr, cst.Call) else expr
            if isinstance(func, cst.Attribute) and func.attr.value in _HOOKS:
                return self._recording(node, 0)
        return False

    def _route(self, node: cst.FunctionDef) -> tuple[str, Confidence] | None:
        for decorator in node.decorators:
            expr = decorator.decorator
            call = expr if isinstance(expr, cst.Call) else None
            func = call.func if call is not None else expr
            if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
                ctor = self.apps.get(func.value.value)
                if ctor is not None and f"{ctor}.{func.attr.value}" in self.routes:
                    return f"{ctor.rpartition('.')[2]} route", Confidence.MEDIUM
            qual = self.ctx.qualname(func)
            if qual in self.routes:
                return f"{qual} route", Confidence.MEDIUM
            if (
                isinstance(func, cst.Attribute)
                and func.attr.value in self.verbs
                and call is not None
                and call.args
                and _url_path(call.args[0].value)
            ):
                return "web route", Confidence.LOW  # an application built in another module
        return None

    def _class_handlers(self, node: cst.ClassDef) -> list[tuple[cst.FunctionDef, str, bool]]:
        owners = [self.ctx.qualname(b.value) for b in node.bases]
        for decorator in node.decorators:
            expr = decorator.decorator
            owners.append(self.ctx.qualname(expr.func if isinstance(expr, cst.Call) else expr))
        found = []
        for stmt in node.body.body:
            if not isinstance(stmt, cst.FunctionDef):
                continue
            for owner in owners:
                if owner and f"{owner}.{stmt.name.value}" in self.handler_methods:
                    found.append((stmt, f"{owner} handler", owner in self.platform_recorded))
                    break
        return found

    def _check(
        self, node: cst.FunctionDef, kind: str, prefix: str, confidence: Confidence
    ) -> list[dict[str, Any]]:
        predicts = self._predicting(node, 0)
        if predicts is None or self._recording(node, 0):
            return []
        direct = self._direct(node, 0)
        if predicts.endswith("()*"):  # an imported helper: its name is the only evidence
            predicts = predicts[:-1]
            confidence = Confidence.LOW
        return [
            {
                "name": prefix + node.name.value,
                "what": f"'{prefix}{node.name.value}' ({kind})",
                "kind": kind,
                "predicts": predicts,
                "confidence": confidence.value,
                "direct": direct,
                "span": list(self.ctx.span(node.name)),
            }
        ]

    def _streamlit(self) -> list[dict[str, Any]]:
        body = [
            s for s in self.ctx.module.body if not isinstance(s, (cst.FunctionDef, cst.ClassDef))
        ]
        predicting = None
        for stmt in body:
            found = self._predicting_nodes(scope_nodes([stmt]), 0)
            if found is not None:
                predicting = (stmt, found)
                break
        if predicting is None or any(self._records_in(scope_nodes([s]), set(), 0) for s in body):
            return []
        stmt, what = predicting
        return [
            {
                "name": "<module>",
                "what": "Streamlit app",
                "kind": "Streamlit app",
                "predicts": what.rstrip("*"),
                "confidence": Confidence.LOW.value,
                "span": list(self.ctx.span(stmt)),
            }
        ]

    def recording_predictors(self) -> list[str]:
        """Prediction functions (`predict`, `infer`, `__call__`, ...) of this module that log or
        store what they predict."""
        found = []
        for node in self.nodes:
            if (
                isinstance(node, cst.FunctionDef)
                and _PREDICTOR_NAME.match(node.name.value)
                and self._predicting(node, 0) is not None
                and self._recording(node, 0)
            ):
                found.append(node.name.value)
        return sorted(set(found))

    def _direct(self, node: cst.FunctionDef, depth: int) -> bool:
        """Whether the handler (or a function of this module it calls) uses a model this module
        loads itself, rather than one it is handed or imports."""
        for inner in scope_nodes([node.body]):
            name = _target_name(inner) if isinstance(inner, (cst.Name, cst.Attribute)) else None
            if name is not None and name in self.models:
                return True
            if isinstance(inner, cst.Call) and depth < _FOLLOW_DEPTH:
                callee = self._local(inner.func)
                if callee is not None and callee is not node and self._direct(callee, depth + 1):
                    return True
        return False

    # -- predictions -----------------------------------------------------------------------------
    def _predicting(self, node: cst.FunctionDef, depth: int) -> str | None:
        key = id(node)
        if key not in self._predicts:
            self._predicts[key] = None  # recursion guard
            self._predicts[key] = self._predicting_nodes(scope_nodes([node.body]), depth)
        return self._predicts[key]

    def _predicting_nodes(self, nodes: Any, depth: int) -> str | None:
        helper = None
        for node in nodes:
            if not isinstance(node, cst.Call):
                continue
            func = node.func
            text = dotted(func) or ""
            if isinstance(func, cst.Attribute):
                method = func.attr.value
                if _target_name(func.value) in self.remote:
                    continue
                if method in _PREDICT_METHODS:
                    return f"{text or method}()"
                if method in _MODEL_METHODS and self._is_model(func.value):
                    return f"{text or method}()"
                inner = func.value
                if isinstance(inner, cst.Attribute) and inner.attr.value in _PREDICT_METHODS:
                    return f"{text or method}()"  # BentoML runners: `runner.predict.run(x)`
            if self._is_model(func):
                return f"{text}()"
            callee = self._local(func)
            if callee is not None and depth < _FOLLOW_DEPTH:
                inner = self._predicting(callee, depth + 1)
                if inner is not None:
                    return f"{text}() -> {inner}"
            elif (
                callee is None
                and isinstance(func, cst.Name)
                and _PREDICT_HELPER.match(func.value)
                and func.value in self.ctx.aliases
            ):
                helper = helper or f"{func.value}()*"
        return helper

    def _is_model(self, expr: cst.BaseExpression) -> bool:
        name = _target_name(expr)
        if name is None:
            return False
        if name in self.models:
            return True
        last = name.rpartition(".")[2]
        # An imported `pipeline` is transformers' factory, not a model.
        return last in _MODEL_NAMES and name not in self.ctx.aliases

    def _local(self, func: cst.BaseExpression) -> cst.FunctionDef | None:
        """A function of this module the call runs: `helper(...)` or `self.helper(...)`."""
        if isinstance(func, cst.Name) and func.value not in self.ctx.aliases:
            return self.functions.get(func.value)
        if (
            isinstance(func, cst.Attribute)
            and isinstance(func.value, cst.Name)
            and func.value.value in ("self", "cls")
        ):
            return self.functions.get(func.attr.value)
        return None

    # -- records ---------------------------------------------------------------------------------
    def _recording(self, node: cst.FunctionDef, depth: int) -> bool:
        key = id(node)
        if key not in self._records:
            self._records[key] = False  # recursion guard
            params = {
                p.name.value
                for p in (*node.params.params, *node.params.kwonly_params)
                if p.name.value not in ("self", "cls")
            }
            self._records[key] = self._records_in(scope_nodes([node.body]), params, depth)
        return self._records[key]

    def _records_in(self, nodes: Any, params: set[str], depth: int) -> bool:
        nodes = list(nodes)
        # Flask's and Quart's `request` is a global: the input of every handler.
        tracked = set(params) | {
            local for local, qual in self.ctx.aliases.items() if qual.endswith(".request")
        }
        # Names that hold inputs or predictions: parameters, and what is computed from them or
        # from a prediction (to a fixed point, order ignored).
        assigns = [n for n in nodes if isinstance(n, (cst.Assign, cst.AnnAssign, cst.AugAssign))]
        changed = True
        while changed:
            changed = False
            for assign in assigns:
                value = assign.value
                if value is None or not self._mentions(value, tracked):
                    continue
                targets = (
                    [t.target for t in assign.targets]
                    if isinstance(assign, cst.Assign)
                    else [assign.target]
                )
                for target in targets:
                    for name in _names(target):
                        if name not in tracked:
                            tracked.add(name)
                            changed = True
        for node in nodes:
            if isinstance(node, cst.Call) and self._records_call(node, tracked, depth):
                return True
        return False

    def _mentions(self, expr: cst.CSTNode, tracked: set[str]) -> bool:
        for node in _walk(expr):
            if isinstance(node, cst.Name) and node.value in tracked:
                return True
            if isinstance(node, cst.Call) and self._predicting_nodes([node], _FOLLOW_DEPTH):
                return True
        return False

    def _records_call(self, call: cst.Call, tracked: set[str], depth: int) -> bool:
        func = call.func
        qual = self.ctx.qualname(func) or ""
        root = qual.partition(".")[0]
        if root in self.trackers:
            return True
        if root in self.serving:
            return False  # `st.write`, `jsonify`: showing a result is not recording it
        method = func.attr.value if isinstance(func, cst.Attribute) else None
        if self._is_log(func, qual, method) or qual == "builtins.print":
            return any(self._mentions(a.value, tracked) for a in call.args)
        if method in _RECORD_METHODS:
            return True
        if self._writes(qual, method, call):
            return True
        name = method or (func.value if isinstance(func, cst.Name) else "")
        # A library's `np.log` is no record; a project's `log_prediction` is.
        library = bool(qual) and self.ctx.catalog.frameworks_for(qual) is not None
        if name and not library and not _RECORD_WORDS.isdisjoint(_words(name)):
            return True
        callee = self._local(func)
        return callee is not None and depth < _FOLLOW_DEPTH and self._recording(callee, depth + 1)

    def _is_log(self, func: cst.BaseExpression, qual: str, method: str | None) -> bool:
        if method not in _LOG_METHODS:
            return False
        if qual.partition(".")[0] in _LOG_MODULES:
            return True
        receiver = dotted(func.value) if isinstance(func, cst.Attribute) else None
        last = (receiver or "").rpartition(".")[2]
        return last in _LOGGERS or last.endswith("logger")

    def _writes(self, qual: str, method: str | None, call: cst.Call) -> bool:
        catalog = self.ctx.catalog
        entries = list(catalog.lookup_call(qual)) if qual else []
        if method is not None and not entries:
            entries = list(catalog.lookup_method(method, frozenset(self.roots)))
        for entry in entries:
            if entry.role == "write":
                return True
            if entry.role == "open" and entry.mode is not None:
                mode = call_arg(call, entry.mode)
                if isinstance(mode, cst.SimpleString) and entry.mode.writes(mode.evaluated_value):
                    return True
        return False


def call_arg(call: cst.Call, spec: Any) -> cst.BaseExpression | None:
    positional = [a.value for a in call.args if a.keyword is None and not a.star]
    keywords = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
    return spec.find(positional, keywords)


def _words(name: str) -> set[str]:
    """`log_prediction` and `logPrediction` -> {"log", "prediction"}."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    return {w for w in spaced.lower().split("_") if w}


_walk = iter_tree


def _target_name(expr: cst.BaseExpression) -> str | None:
    """`model` or `self.model` as a dotted name; None for anything else."""
    name = dotted(expr)
    if name is None:
        return None
    parts = name.split(".")
    if len(parts) == 1 or (len(parts) == 2 and parts[0] in ("self", "cls")):
        return name if len(parts) == 1 else parts[1]
    return None


def _names(target: cst.BaseExpression) -> list[str]:
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, (cst.Tuple, cst.List)):
        return [n for e in target.elements for n in _names(e.value)]
    name = _target_name(target)
    return [name] if name else []


def _url_path(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, cst.SimpleString) and expr.evaluated_value.startswith("/")
