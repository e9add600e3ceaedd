"""What a path is, by its name: configuration, code and text are not data dependencies."""

from __future__ import annotations

import re

CONFIG_FILE = re.compile(
    r"\.(ya?ml|toml|ini|cfg|conf|env)$|(^|/)[^/]*(config|params|settings|hparams)[^/]*\.json$",
    re.IGNORECASE,
)
NOT_DATA = re.compile(r"\.(py|ipynb|md|txt|rst)$|^/dev/|^-$", re.IGNORECASE)


def is_config_path(path: str) -> bool:
    return bool(CONFIG_FILE.search(path))


def is_data_path(path: str) -> bool:
    return not (CONFIG_FILE.search(path) or NOT_DATA.search(path))
