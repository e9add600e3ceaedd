"""Knowledge about ML and data APIs: versioned YAML tables (one per framework) and their loader."""

from debtlint.knowledge.catalog import (
    ROLES,
    SCHEMA_VERSION,
    TRAITS,
    ApiEntry,
    ArgSpec,
    Catalog,
    CatalogError,
    KeyHyperparameters,
    ModeSpec,
)

__all__ = [
    "ROLES",
    "SCHEMA_VERSION",
    "TRAITS",
    "ApiEntry",
    "ArgSpec",
    "Catalog",
    "CatalogError",
    "KeyHyperparameters",
    "ModeSpec",
]
