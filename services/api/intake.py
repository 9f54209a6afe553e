"""What a request sends: JSON bodies decoded strictly (a refused one names the field it got
wrong), and query parameters given once.

Litestar reads a route's ``data`` through ``Request.json()`` and then converts the result to
the route's type with msgspec. ``JsonRequest`` replaces the first step so that every way a
body can be unreadable is a catalogued error: a content type other than JSON is
``UNSUPPORTED_MEDIA_TYPE``; an empty body, bytes that are not UTF-8, malformed JSON, NaN or
Infinity, numbers beyond a double and nesting deeper than the decoder allows are
``VALIDATION_FAILED`` naming ``body``. For the second step, msgspec names a refused entry of
a mapping ``[...]`` (``params[...][0]``); ``field_path`` puts the key back
(``params.indepvars[0]``), the way a user writes it.

A query parameter the route declares and the request repeats (``?limit=5&limit=50``) is
``VALIDATION_FAILED``: which one was meant cannot be known, so none is guessed. So is one a
``/v1`` route does not declare (``?famliy=panel``): a misspelt filter must not silently list
everything.
"""

from __future__ import annotations

import re
import types
import typing
from typing import Any

import msgspec
from litestar import Request

from libs.contracts.errors import ErrorCode, SSError, json_path

#: Where a decoded body waits in the ASGI scope's state for ``field_path`` (the exception
#: handler gets a fresh Request on the same scope).
_STATE_KEY = "ss.body"
#: A token of a msgspec error path: ``.name``, ``[3]`` or ``[...]`` (a mapping's value).
_TOKEN = re.compile(r"\.?([A-Za-z_][A-Za-z0-9_]*)|\[(\d+|\.\.\.)\]")
_decoder = msgspec.json.Decoder()


def is_json(content_type: str) -> bool:
    """``application/json`` or a ``+json`` type (parameters such as charset ignored)."""
    kind = content_type.partition(";")[0].strip().lower()
    return kind == "application/json" or (kind.startswith("application/")
                                          and kind.endswith("+json"))


def _refused(message: str) -> SSError:
    return SSError(ErrorCode.VALIDATION_FAILED, message,
                   fields=[{"field": "body", "message": message}])


class JsonRequest(Request[Any, Any, Any]):
    """The API's request class: JSON bodies are read by ``json()`` below."""

    async def json(self) -> Any:
        """The body as JSON values, or a catalogued error saying why it is not JSON."""
        given = self.headers.get("content-type", "")
        if given and not is_json(given):
            raise SSError(ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                          f"this route takes application/json, not {given[:100]!r}",
                          content_type=given[:100])
        body = await self.body()
        if not body.strip():
            raise _refused("the request body is empty: send a JSON object")
        try:
            value = _decoder.decode(body)
        except UnicodeDecodeError as exc:
            raise _refused(f"the request body is not UTF-8 (byte {exc.start})") from exc
        except RecursionError as exc:
            raise _refused("the request body is nested too deeply") from exc
        except msgspec.DecodeError as exc:
            # msgspec's own words: where it is malformed, or that a number is out of range
            # (NaN and Infinity are not JSON; 1e400 is not a double).
            raise _refused(f"the request body is not valid JSON: {exc}") from exc
        self.scope.setdefault("state", {})[_STATE_KEY] = value
        return value


def field_path(request: Request[Any, Any, Any], path: str) -> str:
    """``path`` (a body field as msgspec names it) with each ``[...]`` replaced by the key
    that was refused, found by converting the body's entries one by one; ``path`` itself
    when the body is not at hand or does not follow it."""
    body = request.scope.get("state", {}).get(_STATE_KEY, msgspec.UNSET)
    data = request.route_handler.parsed_data_field
    if body is msgspec.UNSET or data is None or "[...]" not in path:
        return path
    parts: list[str | int] = []
    value, kind = body, data.annotation
    end = 0
    for token in _TOKEN.finditer(path):
        if token.start() != end:
            return path
        end = token.end()
        name, index = token.groups()
        if name is not None:
            kind = _member(kind, msgspec.Struct)
            field = next((f for f in msgspec.structs.fields(kind) if f.encode_name == name),
                         None) if _is(kind, msgspec.Struct) else None
            if field is None or not isinstance(value, dict) or name not in value:
                return path
            value, kind = value[name], field.type
            parts.append(name)
        elif index == "...":
            kind = _member(kind, dict)
            if not isinstance(value, dict) or len(typing.get_args(kind)) != 2:
                return path
            kind = typing.get_args(kind)[1]
            key = next((k for k, v in value.items() if not _fits(v, kind)), None)
            if key is None:
                return path
            value = value[key]
            parts.append(key)
        else:
            kind = _member(kind, list)
            position = int(index)
            if not isinstance(value, list) or position >= len(value) or not typing.get_args(kind):
                return path
            value, kind = value[position], typing.get_args(kind)[0]
            parts.append(position)
    return json_path(*parts) if end == len(path) and parts else path


def _member(kind: Any, wanted: type) -> Any:
    """``kind`` itself, or the member of a union ``kind`` that is a ``wanted`` (a Struct, a
    dict or a list type)."""
    if typing.get_origin(kind) in (typing.Union, types.UnionType):
        for member in typing.get_args(kind):
            if _is(member, wanted):
                return member
    return kind


def _is(kind: Any, wanted: type) -> bool:
    origin = typing.get_origin(kind) or kind
    return isinstance(origin, type) and issubclass(origin, wanted)


def _fits(value: Any, kind: Any) -> bool:
    try:
        msgspec.convert(value, kind, strict=False, str_keys=True)
    except msgspec.ValidationError:
        return False
    return True


#: Arguments of route functions that Litestar fills in itself, never from the query.
_RESERVED = frozenset({"request", "data", "state", "scope", "headers", "cookies", "socket"})


async def check_query_parameters(request: Request[Any, Any, Any]) -> None:
    """``before_request`` hook: a declared query parameter given more than once, or (on the
    ``/v1`` API) one the route does not declare, is refused.

    A coroutine, so Litestar runs it on the event loop: a plain function is handed to a
    worker thread and back on every request. A request without a query string has nothing
    to check.
    """
    if not request.scope.get("query_string"):
        return
    handler = request.route_handler
    declared = handler.parsed_fn_signature.parameters
    if request.scope["path"].startswith("/v1/"):
        accepted = set(declared) - set(handler.resolve_dependencies()) - _RESERVED
        unknown = sorted({name for name in request.query_params if name not in accepted})
        if unknown:
            raise SSError(ErrorCode.VALIDATION_FAILED,
                          f"unknown query parameter {unknown[0]!r}",
                          fields=[{"field": name, "message": "not a parameter of this route"}
                                  for name in unknown])
    repeated = [name for name, values in request.query_params.dict().items()
                if len(values) > 1 and name in declared]
    if repeated:
        raise SSError(ErrorCode.VALIDATION_FAILED,
                      f"query parameter {repeated[0]!r} is given more than once",
                      fields=[{"field": name, "message": "given more than once"}
                              for name in repeated])
