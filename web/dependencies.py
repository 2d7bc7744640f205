"""Request-scoped dependencies: the application, identity, and who is asking."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.exceptions import NotAuthorizedException

from negotiation.application import Negotiations
from web.identity import Account, Identity

SESSION_COOKIE = "negotiation_session"


def provide_negotiations(state: State) -> Negotiations:
    negotiations: Negotiations = state.negotiations
    return negotiations


def provide_identity(state: State) -> Identity:
    identity: Identity = state.identity
    return identity


def bearer_or_cookie(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    """The token a request (or a live feed's websocket) carries: a bearer header, else the
    session cookie. A bearer header excuses the request from the cross-site check
    (web/security.py), so the cookie is not used beside one, even an empty one."""
    header = connection.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return connection.cookies.get(SESSION_COOKIE) or None


async def provide_viewer(request: Request[Any, Any, Any], identity: Identity) -> Account | None:
    """The signed-in account, or None for the public. A bad or revoked token is refused."""
    token = bearer_or_cookie(request)
    if token is None:
        return None
    resolved = await identity.resolve_token(token)
    if resolved is None:
        if request.headers.get("authorization"):
            raise NotAuthorizedException("That access token is unknown, expired or revoked.")
        return None  # a stale cookie just means "signed out"
    account, token_id = resolved
    request.state.token_id = token_id
    return account


async def provide_account(viewer: Account | None) -> Account:
    if viewer is None:
        raise NotAuthorizedException("Sign in first (POST /api/auth/login) or send a bearer token.")
    return viewer
