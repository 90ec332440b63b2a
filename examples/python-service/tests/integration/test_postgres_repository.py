import pytest

from app.database.repository import PostgresUsers
from app.models import User
from app.services import UserService

pytestmark = [pytest.mark.integration, pytest.mark.database]


def test_users_are_stored_in_postgres(pg):
    repo = PostgresUsers(pg)
    stored = repo.add(User(id=None, email="pg@example.com", name="Pg"))
    assert stored.id is not None
    assert repo.get(stored.id) == stored


def test_lookup_by_email(pg):
    repo = PostgresUsers(pg)
    repo.add(User(id=None, email="find@example.com", name="Find"))
    assert repo.by_email("find@example.com").name == "Find"
    assert repo.by_email("nobody@example.com") is None


def test_the_server_is_postgres(pg):
    with pg.cursor() as cur:
        cur.execute("SELECT version()")
        (version,) = cur.fetchone()
    assert version.startswith("PostgreSQL")


def test_register_through_the_service(pg):
    service = UserService(PostgresUsers(pg))
    user = service.register("svc@example.com", "Svc", "long password")
    assert service.authenticate("svc@example.com", "long password") == user
