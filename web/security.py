"""The guard every request passes: trusted proxy headers, cross-site refusals, JSON-only bodies,
and the security headers of each response.

It is plain ASGI middleware, so it covers every route and websocket (web/controllers/live.py's
feed included) without any handler knowing: a handler behind it may assume the request came
from our own pages, a configured origin or a bearer-token client.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

import msgspec

from web.settings import Settings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Overlays are shown in OBS browser sources and may be framed by a streaming page.
EMBEDDABLE_PREFIXES = ("/overlays/",)
# The API documentation pages (Redoc, Swagger UI) load their scripts from a CDN.
DOCUMENTATION_PREFIX = "/schema"

_CSP_BASE = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'"
)
PAGE_CSP = _CSP_BASE + "; frame-ancestors 'none'"
EMBEDDABLE_CSP = _CSP_BASE

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(entries: Iterable[str]) -> tuple[Network, ...]:
    """`127.0.0.1`, `10.0.0.0/8`, `::1`: addresses and networks a proxy header is trusted from."""
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry)


def _in(networks: tuple[Network, ...], address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value).decode("latin-1")
    return None


def forwarded_client(peer: str, forwarded_for: str | None, trusted: tuple[Network, ...]) -> str:
    """The address a request came from: the peer, unless the peer is a trusted proxy; then the
    nearest address in X-Forwarded-For that is not itself a trusted proxy (the ones further
    left were written by the client and prove nothing)."""
    if not forwarded_for or not _in(trusted, peer):
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _in(trusted, hop):
            return hop
    return hops[0] if hops else peer


def apply_trusted_proxy(scope: Scope, trusted: tuple[Network, ...]) -> None:
    """Rewrite the scope's client and scheme from X-Forwarded-For / -Proto, only when the peer
    is one of TRUSTED_PROXIES (uvicorn's own proxy handling is off: it trusts 127.0.0.1)."""
    client = scope.get("client")
    if not trusted or not client or not _in(trusted, client[0]):
        return
    address = forwarded_client(client[0], _header(scope, b"x-forwarded-for"), trusted)
    scope["client"] = (address, 0 if address != client[0] else client[1])
    proto = _header(scope, b"x-forwarded-proto")
    if proto:
        proto = proto.split(",")[-1].strip().lower()
        if proto in ("http", "https"):
            secure = proto == "https"
            if scope["type"] == "websocket":
                scope["scheme"] = "wss" if secure else "ws"
            else:
                scope["scheme"] = proto


def is_https(scope: Scope) -> bool:
    return scope.get("scheme") in ("https", "wss")


def own_origin(scope: Scope) -> str | None:
    host = _header(scope, b"host")
    if not host:
        return None
    return f"{'https' if is_https(scope) else 'http'}://{host.lower()}"


def _normal_origin(origin: str) -> str:
    parts = urlsplit(origin.strip().lower())
    netloc = parts.netloc
    default = {"http": ":80", "https": ":443"}.get(parts.scheme)
    if default and netloc.endswith(default):
        netloc = netloc[: -len(default)]
    return f"{parts.scheme}://{netloc}"


def _uses_bearer(scope: Scope) -> bool:
    authorization = _header(scope, b"authorization") or ""
    if authorization.lower().startswith("bearer "):
        return True
    if scope["type"] != "websocket":
        return False  # over HTTP only the header counts: a ?token= must not excuse the cookie
    # The live feed also takes its token in the query (browsers cannot set headers there), and
    # then ignores the cookie (web/controllers/live.py).
    query = parse_qs(bytes(scope.get("query_string", b"")).decode("latin-1"))
    return bool(query.get("token"))


def cross_site_reason(scope: Scope, allowed: frozenset[str]) -> str | None:
    """Why this request must be refused as cross-site, or None. Bearer tokens are not sent by
    browsers on their own, so a request carrying one is never a forged one."""
    if _uses_bearer(scope):
        return None
    origin = _header(scope, b"origin")
    if origin is not None and origin != "null":
        normal = _normal_origin(origin)
        own = own_origin(scope)
        if (own is not None and normal == _normal_origin(own)) or normal in allowed:
            return None
        if (
            own is not None
            and not is_https(scope)
            and normal == "https://" + _normal_origin(own).removeprefix("http://")
        ):
            # Same host, other scheme: behind an HTTPS proxy whose X-Forwarded-Proto we ignore.
            return (
                f"Requests from {origin} are refused: this server sees plain HTTP. Behind an "
                "HTTPS proxy, list it in TRUSTED_PROXIES so its X-Forwarded-Proto is believed."
            )
        return (
            f"Requests from {origin} are refused: this platform only accepts changes and live "
            "feeds from its own pages (or an origin listed in ALLOWED_ORIGINS)."
        )
    if origin == "null":
        return "Requests from an opaque origin (a sandboxed page or a file) are refused."
    # Without an Origin (older browsers, plain clients) the fetch metadata still tells.
    if _header(scope, b"sec-fetch-site") in ("cross-site", "same-site"):
        return "Cross-site requests are refused: use this platform's own pages or a bearer token."
    return None


def _json_content_type(scope: Scope) -> bool:
    content_type = (_header(scope, b"content-type") or "").split(";")[0].strip().lower()
    return content_type == "application/json" or content_type.endswith("+json")


def _has_body(scope: Scope) -> bool:
    length = _header(scope, b"content-length")
    if length is not None:
        return length.strip() not in ("", "0")
    return _header(scope, b"transfer-encoding") is not None


def _error_body(status: int, rule: str, detail: str) -> bytes:
    return msgspec.json.encode({"status_code": status, "rule": rule, "detail": detail})


async def _refuse_http(send: Send, status: int, rule: str, detail: str) -> None:
    body = _error_body(status, rule, detail)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"x-content-type-options", b"nosniff"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _refuse_websocket(scope: Scope, receive: Receive, send: Send, detail: str) -> None:
    message = await receive()
    if message["type"] != "websocket.connect":
        return
    if "websocket.http.response" in scope.get("extensions", {}):
        body = _error_body(403, "cross_site_request", detail)
        await send(
            {
                "type": "websocket.http.response.start",
                "status": 403,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "websocket.http.response.body", "body": body})
    else:
        await send({"type": "websocket.close", "code": 1008, "reason": detail[:120]})


def _security_headers(scope: Scope, headers: list[tuple[bytes, bytes]]) -> None:
    names = {name.lower() for name, _ in headers}
    add = headers.append
    if b"x-content-type-options" not in names:
        add((b"x-content-type-options", b"nosniff"))
    if b"referrer-policy" not in names:
        add((b"referrer-policy", b"same-origin"))
    if is_https(scope) and b"strict-transport-security" not in names:
        add((b"strict-transport-security", b"max-age=31536000"))
    content_type = next((v for n, v in headers if n.lower() == b"content-type"), b"")
    path = str(scope.get("path", ""))
    if path.startswith(DOCUMENTATION_PREFIX):
        return
    if content_type.startswith(b"text/html") and b"content-security-policy" not in names:
        embeddable = path.startswith(EMBEDDABLE_PREFIXES)
        add((b"content-security-policy", (EMBEDDABLE_CSP if embeddable else PAGE_CSP).encode()))
        if not embeddable:
            add((b"x-frame-options", b"DENY"))


class MethodTable:
    """Which methods a path answers, over every route of that path: Litestar answers OPTIONS
    (and 405) with the methods of one route only, e.g. GET without the POST beside it."""

    def __init__(self, routes: Iterable[Any]) -> None:
        methods: dict[str, set[str]] = {}
        for route in routes:
            methods.setdefault(route.path_format, set()).update(getattr(route, "methods", ()))
        self._methods = methods
        # Static segments win over parameters, as in the router: /audit/head before /audit/{id}.
        self._patterns = sorted(
            (
                (path_format.count("{"), re.compile(_pattern(path_format)), path_format)
                for path_format in methods
            ),
            key=lambda entry: entry[0],
        )

    def allowed(self, path: str) -> str | None:
        path = path.rstrip("/") or "/"
        for _, pattern, path_format in self._patterns:
            if pattern.fullmatch(path):
                return ", ".join(sorted(self._methods[path_format]))
        return None


def _pattern(path_format: str) -> str:
    parts = re.split(r"(\{[^}]+\})", path_format.rstrip("/") or "/")
    return "".join("[^/]+" if part.startswith("{") else re.escape(part) for part in parts)


class SecurityGuard:
    def __init__(
        self, app: ASGIApp, settings: Settings, routes: Callable[[], Iterable[Any]] = tuple
    ) -> None:
        self.app = app
        self.trusted = parse_networks(settings.trusted_proxies)
        self.allowed = frozenset(_normal_origin(o) for o in settings.allowed_origins if o)
        self._routes = routes
        self._methods: MethodTable | None = None

    def methods(self) -> MethodTable:
        if self._methods is None:  # the routes are complete once the app serves
            self._methods = MethodTable(self._routes())
        return self._methods

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        apply_trusted_proxy(scope, self.trusted)
        if scope["type"] == "websocket":
            reason = cross_site_reason(scope, self.allowed)
            if reason is not None:
                await _refuse_websocket(scope, receive, send, reason)
                return
            await self.app(scope, receive, send)
            return

        if scope["method"] in UNSAFE_METHODS:
            reason = cross_site_reason(scope, self.allowed)
            if reason is not None:
                await _refuse_http(send, 403, "cross_site_request", reason)
                return
            if _has_body(scope) and not _json_content_type(scope):
                await _refuse_http(
                    send,
                    415,
                    "unsupported_media_type",
                    "Send the request body as JSON, with Content-Type: application/json.",
                )
                return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                _security_headers(scope, headers)
                if scope["method"] == "OPTIONS" or message["status"] == 405:
                    allow = self.methods().allowed(scope["path"])
                    if allow is not None:
                        headers = [(n, v) for n, v in headers if n.lower() != b"allow"]
                        headers.append((b"allow", allow.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
