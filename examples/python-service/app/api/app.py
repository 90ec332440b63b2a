"""A WSGI application: GET /health, POST /users, GET /users/<id>, POST /login."""

from __future__ import annotations

import json
from http import HTTPStatus

from app import __version__
from app.database.repository import MemoryUsers, UserRepository
from app.models import ValidationError
from app.security import sign_token
from app.services import UserService


def create_app(users: UserRepository | None = None, secret: bytes = b"dev-secret"):
    service = UserService(users if users is not None else MemoryUsers())

    def respond(start_response, status: HTTPStatus, body: dict):
        payload = json.dumps(body).encode()
        start_response(
            f"{status.value} {status.phrase}",
            [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))],
        )
        return [payload]

    def read_json(environ) -> dict:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        try:
            return json.loads(environ["wsgi.input"].read(length) or b"{}")
        except json.JSONDecodeError as error:
            raise ValidationError(f"invalid JSON: {error}") from error

    def application(environ, start_response):
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "/")
        try:
            if method == "GET" and path == "/health":
                return respond(
                    start_response, HTTPStatus.OK, {"status": "ok", "version": __version__}
                )
            if method == "POST" and path == "/users":
                data = read_json(environ)
                user = service.register(
                    data.get("email", ""), data.get("name", ""), data.get("password", "")
                )
                return respond(
                    start_response, HTTPStatus.CREATED, {"id": user.id, "email": user.email}
                )
            if method == "GET" and path.startswith("/users/"):
                user = service.users.get(int(path.rsplit("/", 1)[1]))
                if user is None:
                    return respond(start_response, HTTPStatus.NOT_FOUND, {"error": "no such user"})
                return respond(
                    start_response,
                    HTTPStatus.OK,
                    {"id": user.id, "email": user.email, "name": user.name},
                )
            if method == "POST" and path == "/login":
                data = read_json(environ)
                user = service.authenticate(data.get("email", ""), data.get("password", ""))
                if user is None:
                    return respond(
                        start_response, HTTPStatus.UNAUTHORIZED, {"error": "bad credentials"}
                    )
                return respond(
                    start_response, HTTPStatus.OK, {"token": sign_token(user.id, secret)}
                )
            return respond(start_response, HTTPStatus.NOT_FOUND, {"error": "not found"})
        except (ValidationError, ValueError) as error:
            return respond(start_response, HTTPStatus.BAD_REQUEST, {"error": str(error)})

    return application
