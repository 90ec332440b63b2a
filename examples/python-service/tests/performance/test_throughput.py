import time

import pytest

pytestmark = [pytest.mark.performance, pytest.mark.slow]


def test_health_throughput(call):
    started = time.perf_counter()
    for _ in range(2000):
        status, _ = call("GET", "/health")
        assert status == 200
    elapsed = time.perf_counter() - started
    # A generous floor: 2,000 in-process requests within 10 s on a busy machine.
    assert elapsed < 10


def test_registration_cost(call):
    started = time.perf_counter()
    for i in range(5):
        call(
            "POST",
            "/users",
            {"email": f"u{i}@example.com", "name": "U", "password": "long password"},
        )
    assert time.perf_counter() - started < 20
