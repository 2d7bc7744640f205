"""web/security.py's decisions on their own: which proxy to believe, which origin, which headers."""

from web.security import (
    PAGE_CSP,
    _security_headers,
    cross_site_reason,
    forwarded_client,
    parse_networks,
)

PROXY = parse_networks(["127.0.0.1", "10.0.0.0/8"])


def test_forwarded_for_is_believed_only_from_a_trusted_proxy():
    assert forwarded_client("203.0.113.5", "198.51.100.1", PROXY) == "203.0.113.5"
    assert forwarded_client("127.0.0.1", "198.51.100.1", PROXY) == "198.51.100.1"
    assert forwarded_client("127.0.0.1", "198.51.100.1", ()) == "127.0.0.1"


def test_the_nearest_untrusted_hop_counts_not_what_the_client_wrote():
    # The client wrote "1.2.3.4" itself; our proxies 10.0.0.2 and 127.0.0.1 appended the rest.
    assert forwarded_client("127.0.0.1", "1.2.3.4, 198.51.100.9, 10.0.0.2", PROXY) == (
        "198.51.100.9"
    )


def _scope(headers: dict[str, str], path: str = "/") -> dict:
    return {
        "type": "http",
        "scheme": "http",
        "path": path,
        "query_string": b"",
        "headers": [(k.encode(), v.encode()) for k, v in headers.items()],
    }


def test_origins_own_configured_and_foreign():
    allowed = frozenset({"https://union.example"})
    own = _scope({"host": "bargain.example:8000", "origin": "http://bargain.example:8000"})
    assert cross_site_reason(own, allowed) is None
    configured = _scope({"host": "h", "origin": "https://union.example"})
    assert cross_site_reason(configured, allowed) is None
    assert cross_site_reason(_scope({"host": "h", "origin": "https://evil.example"}), allowed)
    assert cross_site_reason(_scope({"host": "h", "origin": "null"}), allowed)
    bearer = _scope({"host": "h", "origin": "https://evil.example", "authorization": "Bearer x"})
    assert cross_site_reason(bearer, allowed) is None
    assert cross_site_reason(_scope({"host": "h"}), allowed) is None  # a plain client


def test_overlays_stay_embeddable_and_other_pages_do_not():
    html = [(b"content-type", b"text/html; charset=utf-8")]
    page = list(html)
    _security_headers(_scope({}, "/negotiations/x"), page)
    assert (b"content-security-policy", PAGE_CSP.encode()) in page
    assert (b"x-frame-options", b"DENY") in page
    overlay = list(html)
    _security_headers(_scope({}, "/overlays/x/lower-third"), overlay)
    csp = dict(overlay)[b"content-security-policy"]
    assert b"frame-ancestors" not in csp and b"x-frame-options" not in dict(overlay)


def test_the_login_delay_grows_with_each_failure_up_to_the_window():
    from datetime import timedelta

    from web.identity import Identity

    identity = Identity(None, failures_allowed=5, window_seconds=900, delay_seconds=30)  # type: ignore
    assert identity.delay_after(4) is None
    assert identity.delay_after(5) == timedelta(seconds=30)
    assert identity.delay_after(6) == timedelta(seconds=60)
    assert identity.delay_after(8) == timedelta(seconds=240)
    assert identity.delay_after(50) == timedelta(seconds=900)


def test_an_https_page_behind_an_untrusted_proxy_is_told_what_to_set():
    behind = _scope({"host": "bargain.example", "origin": "https://bargain.example"})
    reason = cross_site_reason(behind, frozenset())
    assert reason is not None and "TRUSTED_PROXIES" in reason
