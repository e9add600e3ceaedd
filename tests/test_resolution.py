"""Value resolution: what a careful reader resolves, debtlint resolves; the rest stays symbolic."""

from __future__ import annotations

from pathlib import Path

from debtlint.config import load_settings
from debtlint.engine import scan
from tests.conftest import write_tree


def accesses(root: Path) -> set[tuple[str, str, int, str]]:
    """(kind, file, line, resolved path or symbolic description) of every data access edge."""
    result = scan(load_settings(root), [root])
    out = set()
    for kind, items in (("read", result.graph.reads()), ("write", result.graph.writes())):
        for item in items:
            node = result.graph.data_node(item.data_id)
            out.add((kind, item.location.path, item.location.line, node["name"]))
    return out


def test_constants_imported_from_a_config_module(tmp_path):
    write_tree(
        tmp_path,
        {
            "config.py": 'import os\nDATA_DIR = "input"\nTRAIN = os.path.join(DATA_DIR, "train.csv")\n',
            "pkg/__init__.py": "",
            "pkg/paths.py": 'from pathlib import Path\nROOT = Path("data")\nRAW = ROOT / "raw"\n',
            "train.py": (
                "import os\n"
                "import pandas as pd\n"
                "import config\n"
                "from config import DATA_DIR, TRAIN as TRAIN_CSV\n"
                "from pkg.paths import RAW\n"
                "a = pd.read_csv(TRAIN_CSV)\n"
                "b = pd.read_csv(os.path.join(DATA_DIR, 'test.csv'))\n"
                "c = pd.read_parquet(f'{RAW}/events.parquet')\n"
                "d = pd.read_csv(config.TRAIN)\n"
            ),
        },
    )
    assert accesses(tmp_path) == {
        ("read", "train.py", 6, "input/train.csv"),
        ("read", "train.py", 7, "input/test.csv"),
        ("read", "train.py", 8, "data/raw/events.parquet"),
        ("read", "train.py", 9, "input/train.csv"),
    }


def test_params_yaml_lookups(tmp_path):
    write_tree(
        tmp_path,
        {
            "params.yaml": "data:\n  train: data/train.csv\n  dir: data/prepared\nseed: 3\n",
            "train.py": (
                "import yaml\n"
                "import pandas as pd\n"
                "params = yaml.safe_load(open('params.yaml'))\n"
                "with open('params.yaml') as f:\n"
                "    p2 = yaml.safe_load(f)\n"
                "a = pd.read_csv(params['data']['train'])\n"
                "b = pd.read_csv(p2['data']['dir'] + '/x.csv')\n"
                "c = pd.read_csv(params['data']['missing'])\n"
            ),
        },
    )
    found = accesses(tmp_path)
    assert ("read", "train.py", 6, "data/train.csv") in found
    assert ("read", "train.py", 7, "data/prepared/x.csv") in found
    # a key no config defines stays symbolic and says so
    assert ("read", "train.py", 8, "<params.yaml: data.missing>") in found


def test_hydra_config_with_defaults_list(tmp_path):
    write_tree(
        tmp_path,
        {
            "conf/config.yaml": "defaults:\n  - data: local\n  - _self_\nout: outputs/preds.csv\n",
            "conf/data/local.yaml": "train_path: data/local/train.parquet\n",
            "src/train.py": (
                "import hydra\n"
                "import pandas as pd\n"
                "from omegaconf import DictConfig\n"
                "@hydra.main(config_path='../conf', config_name='config', version_base=None)\n"
                "def main(cfg: DictConfig) -> None:\n"
                "    df = pd.read_parquet(cfg.data.train_path)\n"
                "    df.to_csv(cfg.out)\n"
            ),
        },
    )
    assert accesses(tmp_path) == {
        ("read", "src/train.py", 6, "data/local/train.parquet"),
        ("write", "src/train.py", 7, "outputs/preds.csv"),
    }


def test_argparse_click_and_environment_defaults(tmp_path):
    write_tree(
        tmp_path,
        {
            "cli.py": (
                "import argparse\nimport os\nimport click\nimport pandas as pd\n"
                "parser = argparse.ArgumentParser()\n"
                "parser.add_argument('--train-path', default='data/train.csv')\n"
                "parser.add_argument('-o', '--out', dest='output', default='out/p.csv')\n"
                "args = parser.parse_args()\n"
                "df = pd.read_csv(args.train_path)\n"
                "df.to_csv(args.output)\n"
                "e = pd.read_csv(os.environ.get('EVAL_PATH', 'data/eval.csv'))\n"
                "@click.command()\n"
                "@click.option('--features', default='data/features.parquet')\n"
                "def main(features):\n"
                "    return pd.read_parquet(features)\n"
            ),
        },
    )
    assert accesses(tmp_path) == {
        ("read", "cli.py", 9, "data/train.csv"),
        ("write", "cli.py", 10, "out/p.csv"),
        ("read", "cli.py", 11, "data/eval.csv"),
        ("read", "cli.py", 15, "data/features.parquet"),
    }


def test_wrapper_function_followed_to_its_call_sites(tmp_path):
    write_tree(
        tmp_path,
        {
            "io_utils.py": (
                "import os\nimport pandas as pd\n"
                "def load_frame(name, folder='data'):\n"
                "    return pd.read_csv(os.path.join(folder, name))\n"
                "def load_any(path):\n"
                "    return pd.read_csv(path)\n"
            ),
            "train.py": (
                "from io_utils import load_frame, load_any\n"
                "train = load_frame('train.csv')\n"
                "test = load_frame(name='test.csv')\n"
                "other = load_any(some_variable)\n"
            ),
        },
    )
    found = accesses(tmp_path)
    # each call site that passes a string gives one read, located at the call
    assert ("read", "train.py", 2, "data/train.csv") in found
    assert ("read", "train.py", 3, "data/test.csv") in found
    # a call site passing something unknown leaves the wrapper's read symbolic, saying why
    assert ("read", "io_utils.py", 6, "<argument path of load_any>") in found


def test_pathlib_and_format(tmp_path):
    write_tree(
        tmp_path,
        {
            "a.py": (
                "from pathlib import Path\nimport numpy as np\nimport pandas as pd\n"
                "HERE = Path(__file__).parent\n"
                "x = np.load(HERE.joinpath('arrays', 'x.npy'))\n"
                "y = pd.read_csv((HERE / 'raw' / 'y.txt').with_suffix('.csv'))\n"
                "z = pd.read_csv('data/{}_{split}.csv'.format('fold', split=3))\n"
            ),
        },
    )
    assert accesses(tmp_path) == {
        ("read", "a.py", 5, "arrays/x.npy"),
        ("read", "a.py", 6, "raw/y.csv"),
        ("read", "a.py", 7, "data/fold_3.csv"),
    }


def test_unresolvable_paths_stay_symbolic_and_say_why(tmp_path):
    write_tree(
        tmp_path,
        {
            "a.py": (
                "import sys\nimport pandas as pd\n"
                "a = pd.read_csv(sys.argv[1])\n"
                "b = pd.read_csv(f'data/{undefined}.csv')\n"
            ),
        },
    )
    found = accesses(tmp_path)
    assert ("read", "a.py", 3, "<subscript>") in found
    assert ("read", "a.py", 4, "<f-string with <variable undefined>>") in found


def test_hydra_instantiate_follows_target_to_the_model(tmp_path):
    write_tree(
        tmp_path,
        {
            "conf/config.yaml": (
                "defaults:\n  - model: forest\n  - _self_\n"
                "data: data/train.csv\nnet: {_target_: src.nets.TinyNet}\n"
                "loader: {_target_: torch.utils.data.DataLoader}\n"
            ),
            "conf/model/forest.yaml": (
                "_target_: sklearn.ensemble.RandomForestClassifier\nn_estimators: 10\n"
            ),
            "src/__init__.py": "",
            "src/nets.py": (
                "import torch.nn as nn\n"
                "class TinyNet(nn.Module):\n"
                "    def __init__(self):\n"
                "        super().__init__()\n"
                "        self.fc = nn.Linear(2, 2)\n"
            ),
            "src/train.py": (
                "import hydra\nimport pandas as pd\nfrom hydra.utils import instantiate\n"
                "@hydra.main(config_path='../conf', config_name='config', version_base=None)\n"
                "def main(cfg):\n"
                "    df = pd.read_csv(cfg.data)\n"
                "    model = instantiate(cfg.model)\n"
                "    model.fit(df[['a']], df['y'])\n"
                "    net = instantiate(cfg.net)\n"
                "    loader = instantiate(cfg.loader)\n"
            ),
        },
    )
    graph = scan(load_settings(tmp_path), [tmp_path]).graph
    models = {m.name: m for m in graph.models()}
    forest = models["model"]
    assert forest.site.api == "sklearn.ensemble.RandomForestClassifier"
    assert "ensemble" in forest.site.traits
    assert graph.g.has_edge("data:data/train.csv", forest.id)
    # a project model class named by `_target_` is that class, now in use
    assert models["TinyNet"].in_use and "src/train.py" in models["TinyNet"].used_in
    # a `_target_` that is no model is not one
    assert "loader" not in models and len(models) == 2
