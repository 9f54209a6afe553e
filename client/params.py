"""Command-line ``name=value`` pairs to typed template parameters, guided by the template's
parameters JSON Schema (``GET /v1/templates/{id}``): lists split, numbers parsed."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from libs.contracts.jobs import ParamValue

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class ParamError(ValueError):
    """A ``name=value`` the template's schema cannot take; the message names the parameter."""


def _convert(name: str, raw: str, schema: dict[str, Any]) -> ParamValue:
    kind = schema.get("type")
    try:
        if kind == "integer":
            return int(raw)
        if kind == "number":
            number = float(raw)
            return int(number) if number.is_integer() and "." not in raw else number
    except ValueError:
        wanted = "an integer" if kind == "integer" else "a number"
        raise ParamError(f"parameter {name!r} wants {wanted}, got {raw!r}") from None
    if kind == "boolean":
        if raw.lower() in _TRUE | _FALSE:
            return raw.lower() in _TRUE
        raise ParamError(f"parameter {name!r} wants true or false, got {raw!r}")
    return raw


def parse_params(words: Iterable[str], schema: dict[str, Any]) -> dict[str, ParamValue]:
    """``["depvar=price", "indepvars=mpg", "weight"]`` -> ``{"depvar": "price", "indepvars":
    ["mpg", "weight"]}``. Array values split on spaces and commas; an array parameter may
    repeat, and a word without ``=`` adds to the array parameter before it."""
    properties: dict[str, Any] = schema.get("properties", {})
    params: dict[str, ParamValue] = {}
    name = ""
    for word in words:
        key, sep, raw = word.partition("=")
        if sep:
            name = key.strip()
        elif properties.get(name, {}).get("type") == "array":
            raw = word
        else:
            raise ParamError(f"expected name=value, got {word!r}")
        if not name:
            raise ParamError(f"expected name=value, got {word!r}")
        if name not in properties:
            known = ", ".join(sorted(properties)) or "none"
            raise ParamError(f"unknown parameter {name!r} (this template takes: {known})")
        prop: dict[str, Any] = properties[name]
        if prop.get("type") == "array":
            previous = params.get(name, [])
            items = [item for item in re.split(r"[\s,]+", raw) if item]
            params[name] = [*(previous if isinstance(previous, list) else []), *items]
        elif name in params:
            raise ParamError(f"parameter {name!r} given twice")
        else:
            params[name] = _convert(name, raw.strip(), prop)
    return params
