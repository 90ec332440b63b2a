from tests.wsgi_client import call  # noqa: F401 (a fixture, registered by import)
