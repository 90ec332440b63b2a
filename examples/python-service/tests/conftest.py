"""Shared fixtures. The database fixture needs a real PostgreSQL: it fails,
never skips, when the server is not reachable."""

from __future__ import annotations

import io
import json
import uuid

import pytest

from app.api.app import create_app
from app.database.repository import MemoryUsers


@pytest.fixture
def users():
    return MemoryUsers()


@pytest.fixture
def call():
    """Call the WSGI app: call(method, path, body) -> (status code, json)."""
    app = create_app()

    def request(method: str, path: str, body: dict | None = None):
        payload = json.dumps(body).encode() if body is not None else b""
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "CONTENT_LENGTH": str(len(payload)),
            "wsgi.input": io.BytesIO(payload),
        }
        captured = {}

        def start_response(status, headers):
            captured["status"] = int(status.split()[0])

        body_bytes = b"".join(app(environ, start_response))
        return captured["status"], json.loads(body_bytes)

    return request


@pytest.fixture
def pg():
    from app.database.connection import connect

    connection = connect()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cur:
        cur.execute(f"CREATE SCHEMA {schema}")
        cur.execute(f"SET search_path TO {schema}")
    connection.commit()
    yield connection
    connection.rollback()
    with connection.cursor() as cur:
        cur.execute(f"DROP SCHEMA {schema} CASCADE")
    connection.commit()
    connection.close()
