"""Password hashing and signed tokens, with the standard library only."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import time

ITERATIONS = 120_000


def hash_password(password: str, salt: bytes | None = None) -> str:
    if len(password) < 8:
        raise ValueError("password must have at least 8 characters")
    salt = salt or os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, ITERATIONS)
    return f"{salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    salt_hex, _, digest_hex = stored.partition("$")
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), bytes.fromhex(salt_hex), ITERATIONS)
    return hmac.compare_digest(digest.hex(), digest_hex)


def sign_token(user_id: int, secret: bytes, ttl: int = 3600, now: float | None = None) -> str:
    expires = int((now if now is not None else time.time()) + ttl)
    payload = f"{user_id}.{expires}".encode()
    signature = hmac.new(secret, payload, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(payload + b"." + signature).decode()


def verify_token(token: str, secret: bytes, now: float | None = None) -> int | None:
    try:
        raw = base64.urlsafe_b64decode(token.encode())
        user_id, expires, signature = raw.split(b".", 2)
    except ValueError:
        return None
    expected = hmac.new(secret, user_id + b"." + expires, hashlib.sha256).digest()
    if not hmac.compare_digest(signature, expected):
        return None
    if int(expires) < (now if now is not None else time.time()):
        return None
    return int(user_id)
