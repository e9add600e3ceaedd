"""The graph rules (DL1xx-DL6xx beyond the core three): fixtures with a real feedback loop and a
correction cascade, the clean pipeline staying clean, the PEERS.md regressions (cases 2, 3, 4),
and the graph and fact features they stand on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from debtlint.config import load_settings
from debtlint.engine import ScanResult, Selection, scan
from tests.conftest import FIXTURES, write_tree

# Every rule of these families that this work added.
GRAPH_RULES = [
    "DL102",
    "DL103",
    "DL104",
    "DL105",
    "DL202",
    "DL203",
    "DL204",
    "DL205",
    "DL301",
    "DL302",
    "DL402",
    "DL403",
    "DL404",
    "DL405",
    "DL501",
    "DL502",
    "DL503",
    "DL601",
]


def _scan(root: Path, select: list[str] | None = None) -> ScanResult:
    return scan(load_settings(root), [root], Selection(select=select or GRAPH_RULES))


def _codes(result: ScanResult) -> list[str]:
    return sorted(f.code for f in result.findings)


# -- fixtures ---------------------------------------------------------------------------------
def test_feedback_loop_fixture_reports_the_whole_cycle(run_cli):
    code, out, _ = run_cli(
        "scan", FIXTURES / "feedback_loop", "--select", "DL3", "--output-format", "json"
    )
    findings = json.loads(out)["findings"]
    assert [(f["code"], f["path"], f["line"]) for f in findings] == [("DL301", "src/score.py", 15)]
    cycle = findings[0]["properties"]["cycle"]
    assert [(h["from"], h["rel"], h["to"], h["path"], h["line"]) for h in cycle] == [
        ("model 'model' (src/train.py)", "predicts", "data/alerts.csv", "src/score.py", 15),
        ("data/alerts.csv", "derives", "data/training_set.csv", "src/build_training_set.py", 10),
        ("data/training_set.csv", "trains", "model 'model' (src/train.py)", "src/train.py", 13),
    ]
    # Every hop, with its file and line, is in the message too.
    for hop in cycle:
        assert f"({hop['path']}:{hop['line']})" in findings[0]["message"]
    assert code == 0


def test_correction_cascade_fixture():
    result = _scan(FIXTURES / "correction_cascade")
    assert [(f.code, f.location.path, f.location.line) for f in result.findings] == [
        ("DL103", "correction/train.py", 12)
    ]
    path = result.findings[0].properties["path"]
    assert [h["rel"] for h in path] == ["predicts", "trains"]
    assert path[0]["from"] == "model 'model' (base/train.py)"
    assert path[-1]["to"] == "model 'model' (correction/train.py)"


def test_clean_pipeline_reports_nothing_from_the_graph_rules():
    result = _scan(FIXTURES / "clean_dvc_pipeline")
    assert result.findings == []
    # ... although the rules did run and the graph knows the pipeline's flow.
    assert set(GRAPH_RULES) <= {r.code for r in result.ruleset.all}
    flow = result.graph.flow()
    assert flow.models_downstream("data:data/raw/customers.csv") == frozenset(
        {"model:src/train.py::model"}
    )


# -- PEERS.md regressions ----------------------------------------------------------------------
def test_peers_case_2_and_3_config_driven_hyperparameters_and_seeds(tmp_path):
    write_tree(
        tmp_path,
        {
            "params.yaml": "train:\n  n_estimators: 300\n  seed: 7\n  test_size: 0.2\n",
            "train.py": (
                "import yaml\n"
                "from hydra.utils import instantiate\n"
                "from sklearn.ensemble import RandomForestRegressor\n"
                "from sklearn.model_selection import train_test_split\n"
                "params = yaml.safe_load(open('params.yaml'))['train']\n"
                "seed = params['seed']\n"
                "X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=params['test_size'],"
                " random_state=seed)\n"
                "model = RandomForestRegressor(**params)\n"
                "other = instantiate(cfg.model)\n"
            ),
        },
    )
    result = _scan(tmp_path, ["DL501", "DL502", "DL503"])
    assert result.findings == []


def test_peers_case_2_a_literal_next_to_them_is_still_reported(tmp_path):
    write_tree(
        tmp_path,
        {
            "params.yaml": "seed: 7\n",
            "train.py": (
                "import yaml\n"
                "from sklearn.ensemble import RandomForestRegressor\n"
                "params = yaml.safe_load(open('params.yaml'))\n"
                "model = RandomForestRegressor(n_estimators=500, random_state=params['seed'])\n"
            ),
        },
    )
    result = _scan(tmp_path, ["DL501"])
    assert [
        (f.code, f.location.line, f.properties["hyperparameters"]) for f in result.findings
    ] == [("DL501", 4, {"n_estimators": "500"})]


def test_peers_case_4_metric_names_are_not_paths(tmp_path):
    write_tree(
        tmp_path,
        {
            "params.yaml": "lr: 0.1\n",
            "train.py": (
                "import json\n"
                "import mlflow\n"
                "import pandas as pd\n"
                "import yaml\n"
                "from sklearn.linear_model import LogisticRegression\n"
                "from torch.utils.tensorboard import SummaryWriter\n"
                "params = yaml.safe_load(open('params.yaml'))\n"
                "df = pd.read_csv('data/train.csv')\n"
                "model = LogisticRegression(C=params['lr'])\n"
                "model.fit(df[['a']], df['y'])\n"
                "proba = model.predict_proba(df[['a']])[:, 1]\n"
                "writer = SummaryWriter()\n"
                "writer.add_scalar('val/loss', 0.3, 1)\n"
                "writer.add_scalar('train/acc', 0.9, 1)\n"
                "mlflow.log_metric('val/loss', 0.3)\n"
                "history = {'val/loss': [0.3], 'train/acc': [0.9]}\n"
                "best = history['val/loss'][-1] < 0.5\n"
                "with open('metrics/scores.json', 'w') as fh:\n"
                "    json.dump({'val/auc': float(proba.mean())}, fh)\n"
            ),
        },
    )
    result = _scan(tmp_path)
    assert result.findings == []


# -- the graph ---------------------------------------------------------------------------------
def test_predictions_of_a_loaded_artifact_become_predicts_edges(tmp_path):
    write_tree(
        tmp_path,
        {
            "train.py": (
                "import joblib\nimport pandas as pd\n"
                "from sklearn.linear_model import LogisticRegression\n"
                "df = pd.read_csv('data/train.csv')\n"
                "m = LogisticRegression()\nm.fit(df[['a']], df['y'])\n"
                "joblib.dump(m, 'models/m.pkl')\n"
            ),
            "score.py": (
                "import joblib\nimport pandas as pd\n"
                "model = joblib.load('models/m.pkl')\n"
                "new = pd.read_csv('data/new.csv')\n"
                "preds = model.predict(new[['a']])\n"
                "out = pd.DataFrame({'id': new['id'], 'p': preds})\n"
                "out.to_parquet('data/preds.parquet')\n"
                "new.to_csv('data/copy.csv')\n"
            ),
        },
    )
    flow = _scan(tmp_path).graph.flow()
    predicts = [(h.source, h.target, h.location.line) for h in flow.predictions()]
    # The untouched copy of the input is not predictions.
    assert predicts == [("model:train.py::m", "data:data/preds.parquet", 7)]
    derives = [(h.source, h.target) for h in flow.edges("derives")]
    assert ("data:data/new.csv", "data:data/preds.parquet") in derives
    assert ("data:data/new.csv", "data:data/copy.csv") in derives


def test_models_downstream_follows_cycles_on_the_condensation(tmp_path):
    root = FIXTURES / "feedback_loop"
    flow = _scan(root).graph.flow()
    model = "model:src/train.py::model"
    # On a cycle, a model is downstream of itself and of everything on the cycle.
    assert flow.models_downstream(model) == frozenset({model})
    assert flow.models_downstream("data:data/transactions.csv") == frozenset({model})
    assert flow.models_downstream("data:data/verdicts.csv") == frozenset({model})


@pytest.mark.parametrize(
    "cmd, expected",
    [
        ("python src/train.py --epochs 3", ["src/train.py"]),
        ("python3 -m src.train", ["src/train.py"]),
        ("cd . && python src/train.py", ["src/train.py"]),
        ("bash run.sh", []),
        ("python missing.py", []),
    ],
)
def test_stage_scripts(tmp_path, cmd, expected):
    write_tree(tmp_path, {"src/__init__.py": "", "src/train.py": "x = 1\n"})
    flow = _scan(tmp_path, ["DL105"]).graph.flow()
    assert flow.stage_scripts([cmd]) == expected


# -- facts ---------------------------------------------------------------------------------------
def test_facts_for_the_graph_rules(tmp_path):
    write_tree(
        tmp_path,
        {
            "params.yaml": "train:\n  lr: 0.1\n",
            "train.py": (
                "import pandas as pd\nimport torch\nimport yaml\n"
                "params = yaml.safe_load(open('params.yaml'))\n"
                "def main():\n"
                "    used = pd.read_csv('data/a.csv')\n"
                "    unused = pd.read_csv('data/b.csv')\n"
                "    lr = params['train']['lr']\n"
                "    wd = params['train'].get('wd', 0.0)\n"
                "    opt = torch.optim.SGD(net.parameters(), lr=lr, momentum=0.9)\n"
                "    return used\n"
            ),
        },
    )
    facts = next(f for f in _scan(tmp_path).facts if f.path == "train.py")
    assert [facts.data[i].path.value for i in facts.unused_reads] == ["data/b.csv"]
    assert [facts.data[i].target for i in facts.unused_reads] == ["unused"]
    assert [(h.keyword, h.value, h.role) for h in facts.hyper_literals] == [
        ("momentum", "0.9", "optimiser")
    ]
    reads = {(r.file, tuple(r.keys), r.default) for r in facts.config_reads}
    assert ("params.yaml", ("train", "lr"), False) in reads
    assert ("params.yaml", ("train", "wd"), True) in reads
    assert {"train", "lr", "wd"} <= set(facts.config_key_hints)
