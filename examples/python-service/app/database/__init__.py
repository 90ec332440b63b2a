"""Persistence: an in-memory repository and one backed by PostgreSQL."""
