"""Repositories of users: the interface, in memory, and on PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from typing import Protocol

from app.models import User


class UserRepository(Protocol):
    def add(self, user: User) -> User: ...

    def get(self, user_id: int) -> User | None: ...

    def by_email(self, email: str) -> User | None: ...


class MemoryUsers:
    def __init__(self) -> None:
        self._users: dict[int, User] = {}

    def add(self, user: User) -> User:
        stored = replace(user, id=len(self._users) + 1)
        self._users[stored.id] = stored
        return stored

    def get(self, user_id: int) -> User | None:
        return self._users.get(user_id)

    def by_email(self, email: str) -> User | None:
        return next((u for u in self._users.values() if u.email == email), None)


class PostgresUsers:
    """Users in a PostgreSQL table; `connection` is a psycopg connection."""

    def __init__(self, connection) -> None:
        self.connection = connection
        with connection.cursor() as cur:
            cur.execute(
                "CREATE TABLE IF NOT EXISTS users ("
                " id SERIAL PRIMARY KEY, email TEXT UNIQUE NOT NULL,"
                " name TEXT NOT NULL, password_hash TEXT NOT NULL)"
            )
        connection.commit()

    def add(self, user: User) -> User:
        with self.connection.cursor() as cur:
            cur.execute(
                "INSERT INTO users (email, name, password_hash) VALUES (%s, %s, %s) RETURNING id",
                (user.email, user.name, user.password_hash),
            )
            (user_id,) = cur.fetchone()
        self.connection.commit()
        return replace(user, id=user_id)

    def get(self, user_id: int) -> User | None:
        return self._one("SELECT id, email, name, password_hash FROM users WHERE id = %s", user_id)

    def by_email(self, email: str) -> User | None:
        return self._one("SELECT id, email, name, password_hash FROM users WHERE email = %s", email)

    def _one(self, query: str, value) -> User | None:
        with self.connection.cursor() as cur:
            cur.execute(query, (value,))
            row = cur.fetchone()
        return None if row is None else User(*row)
