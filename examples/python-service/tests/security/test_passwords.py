import pytest

from app.security import hash_password, verify_password

pytestmark = pytest.mark.security


def test_hash_is_salted():
    assert hash_password("long password") != hash_password("long password")


def test_verify_accepts_the_right_password():
    assert verify_password("long password", hash_password("long password"))


def test_verify_refuses_a_wrong_password():
    assert not verify_password("long passwore", hash_password("long password"))


def test_short_passwords_are_refused():
    with pytest.raises(ValueError):
        hash_password("short")
