"""One mapping from domain refusals to HTTP: 404, 403, 422, 409 — always with the human message."""

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
