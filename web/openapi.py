"""The OpenAPI schema says what the API answers: every refusal with its body, no unknown fields.

Litestar generates the operations from the handlers; this completes the generated document once,
generically, so no handler has to list its refusals: the status codes web/errors.py and
web/security.py answer with, the one error body they share, request bodies described by msgspec
itself (Litestar drops constraints on list items and allows unknown fields, which msgspec
refuses) and 64-bit bounds on integer parameters.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import msgspec
from litestar import Litestar, Request
from litestar.openapi.plugins import JsonRenderPlugin

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "Error",
    "description": "A refusal: `rule` names the rule in a word, `detail` says it in a sentence.",
    "required": ["status_code", "rule", "detail"],
    "properties": {
        "status_code": {"type": "integer"},
        "rule": {"type": "string"},
        "detail": {"type": "string"},
        "extra": {"description": "Where the framework says which field was wrong."},
    },
}

ERROR_DESCRIPTIONS = {
    "400": "The request is malformed: bad JSON, a wrong type, an unknown field, out of range.",
    "401": "Not signed in, or the bearer token is unknown, expired or revoked.",
    "403": "Not permitted: not on the team, not the chief, or a cross-site request.",
    "404": "No such negotiation, article, session, package or token (or not visible to you).",
    "409": "A bargaining rule refuses it now, or the negotiation changed meanwhile: reload.",
    "413": "The request body is too large.",
    "415": "The body is not JSON (send Content-Type: application/json).",
    "422": "The request is well formed but asks for something impossible.",
    "429": "Too many failed sign-ins from this address: wait for Retry-After seconds.",
    "503": "This server has not caught up with the position the read waits for: retry after "
    "Retry-After seconds.",
}
READ_ERRORS = ("400", "401", "403", "404", "503")
WRITE_ERRORS = (*READ_ERRORS, "409", "413", "415", "422")
WRITE_METHODS = frozenset({"post", "put", "patch", "delete"})
THROTTLED_PATHS = frozenset({"/api/auth/login"})
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
NO_NUL = "^[^\\x00]*$"
# A negotiation id is a UUID wherever it is passed: paths declare it; a query filter takes one,
# or nothing (empty: no filter), which its handler parses itself.
QUERY_PARAMETER_SCHEMAS: dict[str, dict[str, Any]] = {
    "negotiation_id": {
        "anyOf": [{"type": "string", "format": "uuid"}, {"type": "string", "maxLength": 0}]
    }
}
# Streamed exports are documented by Litestar as JSON; their path says what they are.
EXPORT_MEDIA_TYPES = {".csv": "text/csv", ".jsonl": "application/x-ndjson"}

_ERROR_REF = {"$ref": "#/components/schemas/Error"}


def _error_response(code: str) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": ERROR_DESCRIPTIONS[code],
        "content": {"application/json": {"schema": _ERROR_REF}},
    }
    if code in ("429", "503"):
        response["headers"] = {"Retry-After": {"schema": {"type": "integer", "minimum": 0}}}
    return response


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any] | None:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
        target = components.get(ref.rsplit("/", 1)[1])
        return target if isinstance(target, dict) else None
    return schema


def _close_objects(schema: Any, components: dict[str, Any], seen: set[int]) -> None:
    """`additionalProperties: false` on every object a request body can contain."""
    if isinstance(schema, list):
        for item in schema:
            _close_objects(item, components, seen)
        return
    if not isinstance(schema, dict):
        return
    target = _resolve(schema, components)
    if target is None or id(target) in seen:
        return
    seen.add(id(target))
    if target.get("type") == "object" and "properties" in target:
        target.setdefault("additionalProperties", False)
    for key in ("properties",):
        for value in target.get(key, {}).values():
            _close_objects(value, components, seen)
    for key in ("items", "oneOf", "anyOf", "allOf"):
        if key in target:
            _close_objects(target[key], components, seen)


def _as_int64(bound: Any, default: int) -> int:
    """Litestar writes bounds as floats: 2**63 - 1 becomes 9.223372036854776e18, which is
    2**63, one more than any position; an integer bound must stay exact."""
    if bound is None:
        return default
    if isinstance(bound, float):
        bound = int(bound)
    return max(INT64_MIN, min(INT64_MAX, int(bound)))


def _bound_integers(schema: Any, declared: Bounds | None = None) -> None:
    """Exact 64-bit bounds on every integer, the handler's own where it declares them."""
    if not isinstance(schema, dict):
        return
    if schema.get("type") == "integer":
        for key, value in (declared or {}).items():
            schema[key] = value
        schema["minimum"] = _as_int64(schema.get("minimum"), INT64_MIN)
        schema["maximum"] = _as_int64(schema.get("maximum"), INT64_MAX)
    options = schema.get("oneOf", []) + schema.get("anyOf", [])
    if options:
        # Litestar puts an optional integer's bounds beside the oneOf, where they bind nothing.
        outer = {k: schema.pop(k) for k in ("minimum", "maximum") if k in schema}
        for option in options:
            _bound_integers(option, {**outer, **(declared or {})})


def request_body_types(app: Litestar) -> list[Any]:
    """The type of every handler's `data`: what the server decodes request bodies into."""
    found: dict[str, Any] = {}
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            data = handler.parsed_fn_signature.parameters.get("data")
            if data is not None:
                found.setdefault(repr(data.annotation), data.annotation)
    return list(found.values())


Bounds = dict[str, int | float]


def parameter_bounds(app: Litestar) -> dict[tuple[str, str, str], Bounds]:
    """(path, method, parameter) -> the ge/gt/le/lt its handler declares: Litestar drops them
    from the schema when the parameter is optional (`int | None`)."""
    found: dict[tuple[str, str, str], Bounds] = {}
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            for name, field in handler.parsed_fn_signature.parameters.items():
                kwarg = field.kwarg_definition
                bounds = {
                    key: getattr(kwarg, attribute)
                    for key, attribute in (
                        ("minimum", "ge"),
                        ("exclusiveMinimum", "gt"),
                        ("maximum", "le"),
                        ("exclusiveMaximum", "lt"),
                    )
                    if getattr(kwarg, attribute, None) is not None
                }
                if bounds:
                    alias = getattr(kwarg, "query", None) or name
                    for method in getattr(handler, "http_methods", ()):
                        found[(route.path_format, method.lower(), alias)] = bounds
    return found


def _precise_request_schemas(components: dict[str, Any], types: Iterable[Any]) -> None:
    """Replace Litestar's description of each request body struct with msgspec's own, which
    is exactly what msgspec will accept (item constraints, additionalProperties: false)."""
    _, precise = msgspec.json.schema_components(
        list(types), ref_template="#/components/schemas/{name}"
    )
    components.update(precise)


def _format_ids(parameter: dict[str, Any]) -> None:
    precise = QUERY_PARAMETER_SCHEMAS.get(parameter.get("name", ""))
    if precise is not None and parameter.get("in") == "query":
        parameter["schema"] = dict(precise)


def _no_nul(schema: Any) -> None:
    """PostgreSQL cannot hold a NUL character, so no text parameter may carry one (a 400)."""
    if not isinstance(schema, dict):
        return
    if schema.get("type") == "string" and "format" not in schema:
        schema.setdefault("pattern", NO_NUL)
    for option in schema.get("oneOf", []) + schema.get("anyOf", []):
        _no_nul(option)


def complete_schema(
    document: dict[str, Any],
    request_types: Iterable[Any] = (),
    bounds: dict[tuple[str, str, str], Bounds] | None = None,
) -> dict[str, Any]:
    """Complete the generated document in place (idempotent) and return it."""
    components = document.setdefault("components", {}).setdefault("schemas", {})
    _precise_request_schemas(components, request_types)
    components["Error"] = ERROR_SCHEMA
    request_bodies: list[Any] = []
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            codes = WRITE_ERRORS if method in WRITE_METHODS else READ_ERRORS
            if path in THROTTLED_PATHS:
                codes = (*codes, "429")
            responses = operation["responses"]
            for suffix, media_type in EXPORT_MEDIA_TYPES.items():
                if path.endswith(suffix) and "200" in responses:
                    responses["200"]["content"] = {media_type: {"schema": {"type": "string"}}}
            for code in codes:
                # Litestar's own 400 describes a body without `rule`; ours always has one.
                responses[code] = _error_response(code)
            for parameter in operation.get("parameters", []):
                declared = (bounds or {}).get((path, method, parameter.get("name", "")))
                _bound_integers(parameter.get("schema"), declared)
                _format_ids(parameter)
                _no_nul(parameter.get("schema"))
            body = operation.get("requestBody", {}).get("content", {})
            request_bodies.extend(media.get("schema") for media in body.values())
    seen: set[int] = set()
    for schema in request_bodies:
        _close_objects(schema, components, seen)
    return document


class CompleteJsonRenderPlugin(JsonRenderPlugin):
    """/schema/openapi.json, completed by complete_schema before it is first served."""

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        # Litestar hands every render the same cached dict: completing it once is enough.
        if "Error" not in openapi_schema.get("components", {}).get("schemas", {}):
            complete_schema(
                openapi_schema, request_body_types(request.app), parameter_bounds(request.app)
            )
        return super().render(request, openapi_schema)
