from decimal import Decimal

import pytest

from app.models import Order, OrderLine, ValidationError
from app.services import UserService, order_total

pytestmark = pytest.mark.unit


def test_register_then_authenticate(users):
    service = UserService(users)
    user = service.register("ada@example.com", "Ada", "correct horse")
    assert user.id == 1
    assert service.authenticate("ada@example.com", "correct horse") == user


def test_wrong_password_is_refused(users):
    service = UserService(users)
    service.register("ada@example.com", "Ada", "correct horse")
    assert service.authenticate("ada@example.com", "wrong horse!") is None


def test_email_registered_twice_is_refused(users):
    service = UserService(users)
    service.register("ada@example.com", "Ada", "correct horse")
    with pytest.raises(ValidationError):
        service.register("ada@example.com", "Ada", "another pass")


def test_small_orders_pay_shipping():
    order = Order(user_id=1, lines=[OrderLine("A", 1, Decimal("10"))])
    assert order_total(order) == Decimal("14.90")


def test_large_orders_ship_free():
    order = Order(user_id=1, lines=[OrderLine("A", 5, Decimal("10"))])
    assert order_total(order) == Decimal("50")
