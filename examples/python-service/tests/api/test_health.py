import pytest

pytestmark = pytest.mark.api


def test_health_says_ok(call):
    status, body = call("GET", "/health")
    assert status == 200
    assert body["status"] == "ok"
