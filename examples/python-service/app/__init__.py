"""python-service: users and orders behind a small HTTP API."""

__version__ = "0.1.0"
