"""Dataclasses to JSON-ready values and back, driven by their type hints.

The phase-1 cache (:mod:`debtlint.cache`) stores facts and findings as JSON, never as pickles, and
reads every entry as untrusted input: :func:`from_plain` rebuilds an object only when every value
has exactly the type its field declares (a ``Literal`` one of its values, a ``Span`` four integers)
and raises :class:`PlainDataError` otherwise, so a corrupt or foreign entry is rejected rather
than handed to phase 2. Being driven by the type hints, it follows new fields of the fact model
without changes here.

Supported: dataclasses, ``str``-valued enums, str/int/float/bool/None, ``Literal``, unions,
``list``, ``tuple`` (fixed or ``...``), ``dict`` with str or int keys, and ``Any`` (JSON values;
tuples inside ``Any`` are tagged so that they come back as tuples).
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from collections.abc import Callable
from typing import Any

_TUPLE_TAG = "__tuple__"

Converter = Callable[[Any], Any]


class PlainDataError(ValueError):
    """A value that cannot be encoded, or JSON data that does not match the declared types."""


# -- encoding -------------------------------------------------------------------------------------


def to_plain(value: Any, tag_tuples: bool = True) -> Any:
    """A tree of dict/list/str/int/float/bool/None for ``value`` (dataclasses become dicts).

    Tuples in fields whose declared type says so (``Span``) become lists; elsewhere (``Any``) they
    are tagged, so that decoding gives back a tuple.
    """
    if value is None or isinstance(value, (str, bool, int, float)):
        return value.value if isinstance(value, enum.Enum) else value
    if isinstance(value, enum.Enum):
        return to_plain(value.value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            name: to_plain(getattr(value, name), tags)
            for name, tags in _encoded_fields(type(value))
        }
    if isinstance(value, list):
        return [to_plain(item, tag_tuples) for item in value]
    if isinstance(value, tuple):
        items = [to_plain(item, tag_tuples) for item in value]
        return {_TUPLE_TAG: items} if tag_tuples else items
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if isinstance(key, bool) or not isinstance(key, (str, int)):
                raise PlainDataError(f"dictionary key {key!r} is not a string or an integer")
            out[str(key)] = to_plain(item, tag_tuples)
        return out
    raise PlainDataError(f"cannot store a {type(value).__name__} as JSON")


_FIELDS: dict[type, list[tuple[str, bool]]] = {}


def _encoded_fields(cls: type) -> list[tuple[str, bool]]:
    """(name, whether tuples must be tagged) for each init field of a dataclass."""
    found = _FIELDS.get(cls)
    if found is None:
        hints = typing.get_type_hints(cls)
        found = [(f.name, _mentions_any(hints[f.name])) for f in dataclasses.fields(cls) if f.init]
        _FIELDS[cls] = found
    return found


def _mentions_any(tp: Any) -> bool:
    return tp is Any or any(_mentions_any(arg) for arg in typing.get_args(tp))


# -- decoding -------------------------------------------------------------------------------------

_CONVERTERS: dict[Any, Converter] = {}


def from_plain(tp: Any, data: Any) -> Any:
    """Rebuild a value of type ``tp`` from :func:`to_plain` output; PlainDataError if it does not fit."""
    try:
        return converter(tp)(data)
    except PlainDataError:
        raise
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise PlainDataError(f"{type(exc).__name__}: {exc}") from None


def converter(tp: Any) -> Converter:
    """The (memoised) function that checks and converts JSON data into ``tp``."""
    found = _CONVERTERS.get(tp)
    if found is None:
        # Registered before it is built, so that recursive dataclasses terminate.
        holder: list[Converter] = []
        _CONVERTERS[tp] = lambda data: holder[0](data)
        try:
            built = _build(tp)
        except Exception:
            del _CONVERTERS[tp]
            raise
        holder.append(built)
        _CONVERTERS[tp] = found = built
    return found


def _fail(expected: str, data: Any) -> typing.NoReturn:
    raise PlainDataError(f"expected {expected}, got {type(data).__name__}")


def _build(tp: Any) -> Converter:
    if tp is Any:
        return _decode_any
    if tp is type(None) or tp is None:
        return _exact(type(None), "null")
    if tp is str:
        return _exact(str, "a string")
    if tp is bool:
        return _exact(bool, "a boolean")
    if tp is int:
        return _decode_int
    if tp is float:
        return _decode_float
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return _decode_enum(tp)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return _decode_dataclass(tp)
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is typing.Literal:
        return _decode_literal(args)
    if origin in (typing.Union, types.UnionType):
        return _decode_union([converter(a) for a in args], type(None) in args)
    if origin is list:
        return _decode_list(converter(args[0]) if args else _decode_any)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return _decode_var_tuple(converter(args[0]))
        return _decode_fixed_tuple([converter(a) for a in args])
    if origin is dict:
        key_type, value_type = args if args else (str, Any)
        if key_type not in (str, int):
            raise PlainDataError(f"dictionaries with {key_type} keys are not supported")
        return _decode_dict(key_type is int, converter(value_type))
    raise PlainDataError(f"type {tp!r} is not supported")


def _exact(kind: type, name: str) -> Converter:
    def decode(data: Any) -> Any:
        if type(data) is not kind:
            _fail(name, data)
        return data

    return decode


def _decode_int(data: Any) -> int:
    if type(data) is not int:
        _fail("an integer", data)
    return data


def _decode_float(data: Any) -> float:
    if type(data) not in (int, float):
        _fail("a number", data)
    return float(data)


def _decode_any(data: Any) -> Any:
    if isinstance(data, list):
        return [_decode_any(item) for item in data]
    if isinstance(data, dict):
        if len(data) == 1 and _TUPLE_TAG in data and isinstance(data[_TUPLE_TAG], list):
            return tuple(_decode_any(item) for item in data[_TUPLE_TAG])
        return {key: _decode_any(item) for key, item in data.items()}
    return data


def _decode_enum(kind: type[enum.Enum]) -> Converter:
    def decode(data: Any) -> Any:
        try:
            return kind(data)
        except ValueError:
            raise PlainDataError(f"{data!r} is not a {kind.__name__}") from None

    return decode


def _decode_literal(values: tuple[Any, ...]) -> Converter:
    def decode(data: Any) -> Any:
        # `type(v) is type(data)`: neither True for 1 nor 1 for True.
        if not any(type(v) is type(data) and v == data for v in values):
            raise PlainDataError(f"{data!r} is not one of {', '.join(map(repr, values))}")
        return data

    return decode


def _decode_union(options: list[Converter], nullable: bool) -> Converter:
    def decode(data: Any) -> Any:
        if data is None and nullable:
            return None
        problems = []
        for option in options:
            try:
                return option(data)
            except PlainDataError as exc:
                problems.append(str(exc))
        raise PlainDataError("; ".join(problems))

    return decode


def _decode_list(item: Converter) -> Converter:
    def decode(data: Any) -> Any:
        if type(data) is not list:
            _fail("a list", data)
        return [item(x) for x in data]

    return decode


def _tuple_items(data: Any) -> list[Any]:
    if type(data) is not list:
        _fail("a list", data)
    return data


def _decode_var_tuple(item: Converter) -> Converter:
    def decode(data: Any) -> Any:
        return tuple(item(x) for x in _tuple_items(data))

    return decode


def _decode_fixed_tuple(items: list[Converter]) -> Converter:
    def decode(data: Any) -> Any:
        values = _tuple_items(data)
        if len(values) != len(items):
            raise PlainDataError(f"expected {len(items)} items, got {len(values)}")
        return tuple(conv(x) for conv, x in zip(items, values, strict=True))

    return decode


def _decode_dict(int_keys: bool, value: Converter) -> Converter:
    def decode(data: Any) -> Any:
        if type(data) is not dict:
            _fail("an object", data)
        if int_keys:
            return {int(k): value(v) for k, v in data.items()}
        return {k: value(v) for k, v in data.items()}

    return decode


def _decode_dataclass(cls: type) -> Converter:
    hints = typing.get_type_hints(cls)
    fields = [f for f in dataclasses.fields(cls) if f.init]
    convert = {f.name: converter(hints[f.name]) for f in fields}
    required = frozenset(
        f.name
        for f in fields
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    )

    def decode(data: Any) -> Any:
        if type(data) is not dict:
            _fail(f"a {cls.__name__} object", data)
        unknown = data.keys() - convert.keys()
        if unknown:
            raise PlainDataError(f"unknown fields of {cls.__name__}: {sorted(unknown)}")
        missing = required - data.keys()
        if missing:
            raise PlainDataError(f"missing fields of {cls.__name__}: {sorted(missing)}")
        return cls(**{key: convert[key](item) for key, item in data.items()})

    return decode
