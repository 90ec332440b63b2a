"""Connecting to PostgreSQL."""

from __future__ import annotations

import os

DEFAULT_DSN = "postgresql://tiergate:tiergate@localhost:5432/tiergate_example"


def dsn() -> str:
    return os.environ.get("TIERGATE_EXAMPLE_DSN", DEFAULT_DSN)


def connect():
    import psycopg  # imported here so the rest of the app needs no driver

    return psycopg.connect(dsn(), connect_timeout=5)
