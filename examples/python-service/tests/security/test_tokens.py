import pytest

from app.security import sign_token, verify_token

pytestmark = pytest.mark.security

SECRET = b"test-secret"


def test_a_signed_token_verifies():
    assert verify_token(sign_token(7, SECRET, now=1000), SECRET, now=1001) == 7


def test_a_tampered_token_is_refused():
    token = sign_token(7, SECRET, now=1000)
    assert verify_token(token[:-4] + "AAAA", SECRET, now=1001) is None


def test_an_expired_token_is_refused():
    assert verify_token(sign_token(7, SECRET, ttl=10, now=1000), SECRET, now=2000) is None


def test_another_secret_is_refused():
    assert verify_token(sign_token(7, SECRET, now=1000), b"other", now=1001) is None
