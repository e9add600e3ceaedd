"""Import-alias maps and dotted names: the cheap stand-in for libcst's qualified-name provider."""

from __future__ import annotations

import libcst as cst


def dotted(node: cst.BaseExpression) -> str | None:
    """``a.b.c`` for a Name/Attribute chain, else None."""
    parts: list[str] = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if isinstance(node, cst.Name):
        parts.append(node.value)
        return ".".join(reversed(parts))
    return None


def root_name(node: cst.BaseExpression) -> str | None:
    """The variable at the base of ``a.b(c).d[e]``: ``a``."""
    while True:
        if isinstance(node, cst.Name):
            return node.value
        if isinstance(node, cst.Attribute):
            node = node.value
        elif isinstance(node, cst.Call):
            node = node.func
        elif isinstance(node, cst.Subscript):
            node = node.value
        else:
            return None


def module_name(path: str) -> str:
    """``src/pkg/mod.py`` -> ``src.pkg.mod``; ``pkg/__init__.py`` -> ``pkg``."""
    stem = path[:-3] if path.endswith(".py") else path.rsplit(".", 1)[0]
    parts = [p for p in stem.split("/") if p]
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _relative_base(module: str, is_package: bool, level: int) -> str:
    parts = module.split(".") if module else []
    # For a module, level 1 is its package; for a package's __init__, level 1 is itself.
    drop = level - 1 if is_package else level
    if drop > len(parts):
        return ""
    return ".".join(parts[: len(parts) - drop])


def add_import(
    aliases: dict[str, str], node: cst.Import | cst.ImportFrom, module: str, is_package: bool
) -> list[str]:
    """Record what an import statement binds; return the modules it imports."""
    imported: list[str] = []
    if isinstance(node, cst.Import):
        for alias in node.names:
            full = dotted(alias.name) or ""
            imported.append(full)
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                aliases[alias.asname.name.value] = full
            else:
                # `import a.b` binds `a`.
                head = full.split(".", 1)[0]
                aliases[head] = head
        return imported
    level = len(node.relative)
    base = dotted(node.module) if node.module is not None else ""
    if level:
        prefix = _relative_base(module, is_package, level)
        base = f"{prefix}.{base}" if prefix and base else (prefix or base or "")
    if base:
        imported.append(base)
    if isinstance(node.names, cst.ImportStar):
        return imported
    for alias in node.names:
        name = dotted(alias.name) or ""
        local = name
        if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
            local = alias.asname.name.value
        aliases[local] = f"{base}.{name}" if base else name
    return imported


def qualify(aliases: dict[str, str], name: str | None) -> str | None:
    """Rewrite the head of a dotted name through the alias map; unknown heads stay unresolved."""
    if not name:
        return None
    head, _, rest = name.partition(".")
    target = aliases.get(head)
    if target is None:
        return None
    return f"{target}.{rest}" if rest else target
