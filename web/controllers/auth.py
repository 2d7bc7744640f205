"""Sign-in, sign-out, API tokens and account creation."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, delete, get, post
from litestar.datastructures import Cookie
from litestar.exceptions import HTTPException, NotFoundException, PermissionDeniedException
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_409_CONFLICT

from web import schemas as s
from web.dependencies import SESSION_COOKIE
from web.identity import Account, Identity, LoginFailed, LoginThrottled, UsernameTaken


def account_view(account: Account) -> s.AccountView:
    return s.AccountView(
        account_id=account.account_id,
        username=account.username,
        display_name=account.display_name,
        is_admin=account.is_admin,
        bargaining_units=list(account.bargaining_units),
    )


class AuthController(Controller):
    path = "/api/auth"
    tags = ("identity",)

    @post("/login", status_code=HTTP_200_OK)
    async def login(
        self,
        request: Request[Any, Any, Any],
        data: s.Login,
        identity: Identity,
    ) -> Response[s.TokenView]:
        """Check a password; answers a session token and sets it as an HttpOnly cookie."""
        remote = request.client.host if request.client else "unknown"
        try:
            account = await identity.login(data.username, data.password, remote=remote)
        except LoginThrottled as throttled:
            raise HTTPException(
                status_code=429,
                detail=f"Too many failed sign-ins: try again in {throttled.retry_after} seconds.",
                headers={"Retry-After": str(throttled.retry_after)},
            ) from None
        except LoginFailed:
            raise HTTPException(status_code=401, detail="Wrong username or password.") from None
        issued = await identity.issue_token(account, kind="session", label="sign-in")
        # Secure on HTTPS, also behind a trusted proxy (the guard set the scheme it reported).
        secure = bool(request.app.state.settings.secure_cookies) or request.url.scheme == "https"
        return Response(
            s.TokenView(
                token_id=issued.token_id,
                token=issued.token,
                kind="session",
                label="sign-in",
                expires_at=issued.expires_at,
            ),
            cookies=[
                Cookie(
                    key=SESSION_COOKIE,
                    value=issued.token,
                    httponly=True,
                    samesite="lax",
                    secure=secure,
                    path="/",
                    max_age=int(identity.session_lifetime.total_seconds()),
                )
            ],
        )

    @post("/logout", status_code=HTTP_200_OK)
    async def logout(
        self,
        request: Request[Any, Any, Any],
        account: Account,
        identity: Identity,
    ) -> Response[None]:
        """Revoke the token this request was made with and clear the cookie."""
        await identity.revoke_token(account.account_id, request.state.token_id)
        response: Response[None] = Response(None)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    @get("/me")
    async def me(self, account: Account) -> s.AccountView:
        return account_view(account)

    @post("/tokens", status_code=HTTP_201_CREATED)
    async def create_token(
        self, data: s.CreateToken, account: Account, identity: Identity
    ) -> s.TokenView:
        """A bearer token for an API client; shown once, revocable."""
        issued = await identity.issue_token(account, kind="api", label=data.label)
        return s.TokenView(
            token_id=issued.token_id, token=issued.token, kind="api", label=data.label
        )

    @get("/tokens")
    async def list_tokens(self, account: Account, identity: Identity) -> list[s.TokenInfoView]:
        return [
            s.TokenInfoView(
                token_id=r["token_id"],
                kind=r["kind"],
                label=r["label"],
                created_at=r["created_at"],
                expires_at=r["expires_at"],
                revoked_at=r["revoked_at"],
            )
            for r in await identity.list_tokens(account.account_id)
        ]

    @delete("/tokens/{token_id:str}", status_code=200)
    async def revoke_token(self, token_id: str, account: Account, identity: Identity) -> None:
        if not await identity.revoke_token(account.account_id, token_id):
            raise NotFoundException("No live token with that id on your account.")


class AccountController(Controller):
    path = "/api/accounts"
    tags = ("identity",)

    @post("/", status_code=HTTP_201_CREATED)
    async def create_account(
        self, data: s.CreateAccount, account: Account, identity: Identity
    ) -> s.AccountView:
        """Administrators create accounts (members, team members, officials)."""
        if not account.is_admin:
            raise PermissionDeniedException("Only an administrator creates accounts.")
        try:
            created = await identity.create_account(
                username=data.username,
                display_name=data.display_name,
                password=data.password,
                is_admin=data.is_admin,
                bargaining_units=tuple(data.bargaining_units),
            )
        except UsernameTaken:
            raise HTTPException(
                status_code=HTTP_409_CONFLICT, detail=f"The username {data.username!r} is taken."
            ) from None
        return account_view(created)
