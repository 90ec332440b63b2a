"""The `call` fixture: the WSGI app called in process, for the API tests."""

from __future__ import annotations

import io
import json

import pytest

from app.api.app import create_app


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
