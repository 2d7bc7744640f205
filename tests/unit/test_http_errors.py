"""web/errors.py: every framework refusal has the documented shape, its sentence and headers."""

from litestar.exceptions import NotAuthorizedException, ServiceUnavailableException

from web.errors import http_error_handler


def test_a_refusal_keeps_its_sentence_and_names_its_rule():
    response = http_error_handler(None, NotAuthorizedException("Sign in first."))  # type: ignore[arg-type]
    assert response.status_code == 401
    assert response.content == {
        "status_code": 401,
        "rule": "not_signed_in",
        "detail": "Sign in first.",
    }


def test_a_read_not_caught_up_keeps_its_sentence_and_retry_after():
    raised = ServiceUnavailableException("Not caught up with 42 yet.", headers={"Retry-After": "1"})
    response = http_error_handler(None, raised)  # type: ignore[arg-type]
    assert response.status_code == 503
    assert response.content["rule"] == "not_caught_up"
    assert response.content["detail"] == "Not caught up with 42 yet."
    assert response.headers["Retry-After"] == "1"
