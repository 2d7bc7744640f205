"""One mapping from refusals to HTTP: 404, 403, 422, 409, 400 — always with the human message."""

from __future__ import annotations

from typing import Any

import asyncpg
from litestar import Request, Response
from litestar.exceptions import HTTPException

from negotiation.domain import errors
from web.schemas import ErrorView


def status_for(error: errors.NegotiationError) -> int:
    if isinstance(error, errors.NotFound):
        return 404
    if isinstance(error, errors.NotPermitted):
        return 403
    if isinstance(error, errors.InvalidRequest):
        return 422
    return 409  # a bargaining rule refused it, or a stale write: reload and retry


def negotiation_error_handler(
    _: Request[Any, Any, Any],
    exc: errors.NegotiationError,
) -> Response[ErrorView]:
    status = status_for(exc)
    headers = {"Retry-After": "0"} if isinstance(exc, errors.StaleWrite) else None
    return Response(
        ErrorView(status_code=status, rule=exc.rule, detail=exc.message),
        status_code=status,
        headers=headers,
    )


def _invalid_request(detail: str) -> Response[ErrorView]:
    """Input the platform cannot take, refused as the caller's error (400), not a crash."""
    return Response(
        ErrorView(status_code=400, rule="invalid_request", detail=detail), status_code=400
    )


def storage_data_error_handler(
    _: Request[Any, Any, Any], exc: asyncpg.DataError
) -> Response[ErrorView]:
    """Input PostgreSQL cannot hold (a NUL in a path, say) is the caller's error, not ours."""
    return _invalid_request("The request contains characters that cannot be stored (such as NUL).")


def out_of_range_handler(_: Request[Any, Any, Any], exc: OverflowError) -> Response[ErrorView]:
    """A date such as 0001-01-01T00:00:00+14:00 decodes, then overflows once made UTC."""
    return _invalid_request(
        "A date or number in the request is outside the range this platform handles."
    )


def too_deep_handler(_: Request[Any, Any, Any], exc: RecursionError) -> Response[ErrorView]:
    return _invalid_request("The request body is nested too deeply to be read.")


# Refusals raised by the framework or a handler as plain HTTP errors, named like the domain's.
HTTP_RULES = {
    400: "invalid_request",
    401: "not_signed_in",
    403: "not_permitted",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    429: "too_many_attempts",
    503: "not_caught_up",  # a read waited for a position this server has not reached yet
}


def http_error_handler(_: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    """Every error body has the same shape, {"status_code", "rule", "detail"} (plus "extra"
    where the framework says which field was wrong): the one the API schema documents."""
    status = exc.status_code
    body: dict[str, Any] = {
        "status_code": status,
        "rule": HTTP_RULES.get(status, "invalid_request" if status < 500 else "server_error"),
        # Raised on purpose, so the sentence is meant for people (a crash is not an
        # HTTPException and never reaches here with its details).
        "detail": exc.detail,
    }
    if exc.extra and status < 500:
        body["extra"] = exc.extra
    return Response(body, status_code=status, headers=exc.headers)
