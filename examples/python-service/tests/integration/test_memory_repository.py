import pytest

from app.models import User
from app.services import UserService

pytestmark = pytest.mark.integration


def test_service_and_repository_round_trip(users):
    service = UserService(users)
    created = service.register("grace@example.com", "Grace", "long password")
    assert users.get(created.id) == created
    assert users.by_email("grace@example.com") == created


def test_ids_are_assigned_in_order(users):
    first = users.add(User(id=None, email="a@example.com", name="A"))
    second = users.add(User(id=None, email="b@example.com", name="B"))
    assert (first.id, second.id) == (1, 2)
