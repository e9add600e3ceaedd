"""How pictures of the graph look: one palette and one set of shapes per node kind, shared by the
Mermaid, DOT and HTML exports so that a dataset looks the same everywhere."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KindStyle:
    fill: str
    stroke: str
    mermaid_shape: tuple[str, str]  # opening and closing brackets around the quoted label
    dot_shape: str
    dot_style: str = "filled"


# Colours distinguishable by readers with the common colour-vision deficiencies (blue, green, orange,
# purple differ in lightness as well as hue); shapes carry the kind too, for print.
KINDS: dict[str, KindStyle] = {
    "code": KindStyle("#dbe9f6", "#2b6cb0", ("[", "]"), "box"),
    "data": KindStyle("#e1f3df", "#2f855a", ("[(", ")]"), "cylinder"),
    "model": KindStyle("#fde6c8", "#c05621", ("{{", "}}"), "hexagon"),
    "owner": KindStyle("#ece4f7", "#6b46c1", ("([", "])"), "box", "rounded,filled"),
    "column": KindStyle("#eef1f4", "#4a5568", ("[/", "/]"), "parallelogram"),
    "config": KindStyle("#fff5d1", "#975a16", ("[[", "]]"), "note"),
    "consumer": KindStyle("#fde2ec", "#b83280", ("[\\", "/]"), "trapezium"),
}
OTHER = KindStyle("#f2f2f2", "#555555", ("(", ")"), "ellipse")
FINDING_STROKE = "#d62828"
# The HTML page tells severities apart.
FINDING_STROKES = {"error": FINDING_STROKE, "warning": "#d97706", "info": "#2b6cb0"}
TEXT = "#1a202c"

# Edges that say who declared or owns what, rather than how data moves, are drawn dashed; imports,
# which are code structure, dotted.
DASHED_RELS = frozenset({"owns", "declares"})
DOTTED_RELS = frozenset({"imports"})
# Edges that repeat what a longer path already shows (``input -derives-> output`` beside
# ``input -reads-> script -writes-> output``): left out of the layout, and hidden in the HTML page
# until asked for.
SHORTCUT_RELS = frozenset({"derives"})


def kind_style(kind: str) -> KindStyle:
    return KINDS.get(kind, OTHER)


def kind_class(kind: str) -> str:
    """A CSS/Mermaid class name for a kind: the kind itself when known, else ``other``."""
    return kind if kind in KINDS else "other"
