"""The HTTP API, as a WSGI application."""
