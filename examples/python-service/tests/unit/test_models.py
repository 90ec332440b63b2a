from decimal import Decimal

import pytest

from app.models import Order, OrderLine, User, ValidationError

pytestmark = pytest.mark.unit


def test_user_needs_a_valid_email():
    with pytest.raises(ValidationError):
        User(id=None, email="not-an-email", name="Ada")


def test_user_needs_a_name():
    with pytest.raises(ValidationError):
        User(id=None, email="ada@example.com", name="  ")


def test_order_line_total():
    assert OrderLine("A1", 3, Decimal("2.50")).total == Decimal("7.50")


def test_order_line_rejects_zero_quantity():
    with pytest.raises(ValidationError):
        OrderLine("A1", 0, Decimal("1"))


def test_order_line_rejects_negative_price():
    with pytest.raises(ValidationError):
        OrderLine("A1", 1, Decimal("-1"))


def test_order_total_sums_lines():
    order = Order(user_id=1)
    order.add(OrderLine("A", 2, Decimal("10")))
    order.add(OrderLine("B", 1, Decimal("5")))
    assert order.total == Decimal("25")
