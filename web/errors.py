"""One mapping from refusals to HTTP: 404, 403, 422, 409, 400 — always with the human message."""

from __future__ import annotations

from typing import Any

import asyncpg
from litestar import Request, Response

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


def storage_data_error_handler(
    _: Request[Any, Any, Any], exc: asyncpg.DataError
) -> Response[ErrorView]:
    """Input PostgreSQL cannot hold (a NUL in a path, say) is the caller's error, not ours."""
    return Response(
        ErrorView(
            status_code=400,
            rule="invalid_request",
            detail="The request contains characters that cannot be stored (such as NUL).",
        ),
        status_code=400,
    )


def out_of_range_handler(_: Request[Any, Any, Any], exc: OverflowError) -> Response[ErrorView]:
    """A date such as 0001-01-01T00:00:00+14:00 decodes, then overflows once made UTC."""
    return Response(
        ErrorView(
            status_code=400,
            rule="invalid_request",
            detail="A date or number in the request is outside the range this platform handles.",
        ),
        status_code=400,
    )


def too_deep_handler(_: Request[Any, Any, Any], exc: RecursionError) -> Response[ErrorView]:
    return Response(
        ErrorView(
            status_code=400,
            rule="invalid_request",
            detail="The request body is nested too deeply to be read.",
        ),
        status_code=400,
    )
