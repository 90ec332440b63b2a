import pytest

pytestmark = pytest.mark.api


def test_create_and_fetch_a_user(call):
    status, body = call(
        "POST", "/users", {"email": "ada@example.com", "name": "Ada", "password": "long password"}
    )
    assert status == 201
    status, fetched = call("GET", f"/users/{body['id']}")
    assert status == 200
    assert fetched["name"] == "Ada"


def test_unknown_user_is_404(call):
    status, _ = call("GET", "/users/999")
    assert status == 404


def test_invalid_email_is_400(call):
    status, body = call(
        "POST", "/users", {"email": "nope", "name": "X", "password": "long password"}
    )
    assert status == 400
    assert "invalid email" in body["error"]


def test_login_returns_a_token(call):
    call("POST", "/users", {"email": "ada@example.com", "name": "Ada", "password": "long password"})
    status, body = call("POST", "/login", {"email": "ada@example.com", "password": "long password"})
    assert status == 200
    assert body["token"]
