"""DL602 unmonitored-model: one mutant per known trap (the trap removed, the handler must be
reported, so that each VALID example really guards something), the frameworks the serving table
names, and the platform and project evidence that silences the rule."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from debtlint.config import load_settings
from debtlint.engine import Selection, scan
from debtlint.findings import Confidence, Finding
from tests.conftest import write_tree

HEAD = """
import joblib
from fastapi import FastAPI

app = FastAPI()
model = joblib.load("models/model.joblib")
"""


def run(tmp_path: Path, files: dict[str, str]) -> list[Finding]:
    write_tree(tmp_path, {k: textwrap.dedent(v).lstrip("\n") for k, v in files.items()})
    result = scan(load_settings(tmp_path), [tmp_path], Selection(select=["DL602"]))
    assert not [f for f in result.findings if f.code == "DL000"]
    return [f for f in result.findings if f.code == "DL602"]


def handler(body: str, extra: str = "") -> str:
    return HEAD + textwrap.dedent(extra) + textwrap.dedent(body)


LOGGED = """
import logging
logger = logging.getLogger(__name__)

@app.post("/predict")
def predict(values: list[float]):
    label = int(model.predict([values])[0])
    logger.info("values=%s label=%s", values, label)
    return {"label": label}
"""


@pytest.mark.parametrize(
    ("trap", "mutant"),
    [
        (LOGGED, LOGGED.replace('"values=%s label=%s", values, label', '"request served"')),
        (
            """
            @app.post("/predict")
            def predict(values: list[float], tasks):
                label = int(model.predict([values])[0])
                tasks.add_task(store_prediction, values, label)
                return {"label": label}
            """,
            """
            @app.post("/predict")
            def predict(values: list[float], tasks):
                label = int(model.predict([values])[0])
                return {"label": label}
            """,
        ),
        (
            """
            def save_prediction(values, label):
                with open("predictions.csv", "a") as fh:
                    fh.write(f"{values},{label}\\n")

            @app.post("/predict")
            def predict(values: list[float]):
                label = int(model.predict([values])[0])
                save_prediction(values, label)
                return {"label": label}
            """,
            """
            def format_label(label):
                return str(label)

            @app.post("/predict")
            def predict(values: list[float]):
                label = int(model.predict([values])[0])
                return {"label": format_label(label)}
            """,
        ),
        (
            """
            import mlflow

            @app.post("/predict")
            def predict(values: list[float]):
                label = int(model.predict([values])[0])
                mlflow.log_metric("label", label)
                return {"label": label}
            """,
            """
            import mlflow

            @app.post("/predict")
            def predict(values: list[float]):
                return {"label": int(model.predict([values])[0])}
            """,
        ),
    ],
    ids=["logging", "background-task", "helper-writes-file", "tracker"],
)
def test_each_record_guards_the_handler(tmp_path, trap, mutant):
    assert run(tmp_path / "trap", {"app.py": handler(trap)}) == []
    found = run(tmp_path / "mutant", {"app.py": handler(mutant)})
    assert [f.location.line for f in found] == [
        next(
            i
            for i, line in enumerate(handler(mutant).lstrip("\n").splitlines(), 1)
            if "def predict" in line
        )
    ]


def test_monitoring_library_anywhere_in_the_project_silences(tmp_path):
    files = {
        "app.py": handler(
            """
            @app.post("/predict")
            def predict(values: list[float]):
                return {"label": int(model.predict([values])[0])}
            """
        ),
        "ops/metrics.py": "from prometheus_client import Counter\nSERVED = Counter('n', 'n')\n",
    }
    assert run(tmp_path / "a", files) == []
    files["ops/metrics.py"] = "import collections\n"
    assert len(run(tmp_path / "b", files)) == 1
    files["ops/metrics.py"] = "from sagemaker.model_monitor import DataCaptureConfig\n"
    assert run(tmp_path / "c", files) == []
    # A monitoring library imported only by a test does not watch production.
    files["ops/metrics.py"] = "import collections\n"
    files["tests/test_drift.py"] = "import evidently\n"
    assert len(run(tmp_path / "d", files)) == 1


def test_platform_payload_logging_silences(tmp_path):
    files = {
        "model.py": """
        import joblib
        from kserve import Model

        class Churn(Model):
            def load(self):
                self.model = joblib.load("model.joblib")

            def predict(self, payload, headers=None):
                return {"predictions": self.model.predict(payload["instances"]).tolist()}
        """,
        "deploy/isvc.yaml": """
        apiVersion: serving.kserve.io/v1beta1
        kind: InferenceService
        metadata:
          name: churn
        spec:
          predictor:
            containers:
              - name: kserve-container
                image: acme/churn:1
        """,
    }
    found = run(tmp_path / "a", files)
    assert [(f.location.path, f.location.line) for f in found] == [("model.py", 8)]
    logger = "    logger:\n      mode: all\n      url: http://sink\n"
    files["deploy/isvc.yaml"] = textwrap.dedent(files["deploy/isvc.yaml"]) + logger
    assert run(tmp_path / "b", files) == []


def test_request_hooks(tmp_path):
    plain = """
    from fastapi.middleware.cors import CORSMiddleware
    app.add_middleware(CORSMiddleware, allow_origins=["*"])

    @app.post("/predict")
    def predict(values: list[float]):
        return {"label": int(model.predict([values])[0])}
    """
    assert len(run(tmp_path / "a", {"app.py": handler(plain)})) == 1
    logged = plain.replace("CORSMiddleware", "RequestLoggingMiddleware")
    assert run(tmp_path / "b", {"app.py": handler(logged)}) == []


@pytest.mark.parametrize(
    ("source", "line", "confidence"),
    [
        (
            """
            import joblib
            from flask import Blueprint, request
            bp = Blueprint("api", __name__)
            clf = joblib.load("clf.pkl")

            @bp.post("/score")
            def score():
                return {"p": clf.predict_proba([request.json["x"]])[0, 1]}
            """,
            7,
            Confidence.MEDIUM,
        ),
        (
            """
            import bentoml

            @bentoml.service
            class Summarizer:
                def __init__(self):
                    from transformers import pipeline
                    self.pipe = pipeline("summarization")

                @bentoml.api
                def summarize(self, text: str) -> str:
                    return self.pipe(text)[0]["summary_text"]
            """,
            10,
            Confidence.MEDIUM,
        ),
        (
            """
            import gradio as gr
            from transformers import pipeline
            asr = pipeline("automatic-speech-recognition")

            def transcribe(audio):
                return asr(audio)["text"]

            gr.Interface(fn=transcribe, inputs="audio", outputs="text").launch()
            """,
            5,
            Confidence.LOW,
        ),
        (
            """
            import joblib
            import streamlit as st
            model = joblib.load("model.pkl")
            x = st.number_input("x")
            if st.button("Predict"):
                st.write(model.predict([[x]])[0])
            """,
            5,
            Confidence.LOW,
        ),
        (
            """
            from fastapi import FastAPI
            from .inference import predict_label
            router_app = FastAPI()

            @router_app.post("/label")
            def label(text: str):
                return {"label": predict_label(text)}
            """,
            6,
            Confidence.LOW,
        ),
    ],
    ids=["flask-blueprint", "bentoml-service", "gradio", "streamlit", "imported-helper"],
)
def test_frameworks(tmp_path, source, line, confidence):
    found = run(tmp_path, {"svc/app.py": source})
    assert [(f.location.line, f.confidence) for f in found] == [(line, confidence)]


def test_handlers_that_do_not_predict_are_not_reported(tmp_path):
    source = handler(
        """
        import requests

        @app.get("/health")
        def health():
            return {"ok": True}

        @app.post("/proxy")
        def proxy(values: list[float]):
            return requests.post("http://model/predict", json=values).json()
        """
    )
    assert run(tmp_path, {"app.py": source}) == []


def test_a_model_wrapper_that_logs_its_predictions(tmp_path):
    wrapper = """
    import joblib
    from loguru import logger

    class PriceModel:
        def __init__(self, path):
            self.model = joblib.load(path)

        def predict(self, payload):
            prediction = self.model.predict([payload])
            logger.info(prediction)
            return prediction
    """
    route = """
    from fastapi import APIRouter, Depends
    from .deps import get_model
    router = APIRouter()

    @router.post("/predict")
    def post_predict(payload: dict, model=Depends(get_model)):
        return {"price": float(model.predict(payload)[0])}
    """
    files = {"svc/models.py": wrapper, "svc/routes.py": route}
    assert run(tmp_path / "a", files) == []
    files["svc/models.py"] = wrapper.replace("logger.info(prediction)", "pass")
    assert len(run(tmp_path / "b", files)) == 1
    # A handler using a model its own module loads is judged on its own code.
    files["svc/models.py"] = wrapper
    files["svc/direct.py"] = handler(
        """
        @app.post("/predict")
        def predict(values: list[float]):
            return {"label": int(model.predict([values])[0])}
        """
    )
    assert [f.location.path for f in run(tmp_path / "c", files)] == ["svc/direct.py"]


def test_a_client_of_a_model_served_elsewhere_is_no_model(tmp_path):
    source = """
    from fastapi import FastAPI
    from google.cloud import aiplatform
    app = FastAPI()
    endpoint = aiplatform.Endpoint("projects/p/locations/l/endpoints/1")

    @app.post("/predict")
    def predict(values: list[float]):
        return {"y": endpoint.predict(instances=[values]).predictions}
    """
    assert run(tmp_path / "a", {"app.py": source}) == []
    local = source.replace('aiplatform.Endpoint("projects/p/locations/l/endpoints/1")', "load()")
    local = local.replace("from google.cloud import aiplatform", "from .models import load")
    assert len(run(tmp_path / "b", {"app.py": local})) == 1
