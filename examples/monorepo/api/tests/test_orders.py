import pytest

from app.orders import order_total


def test_the_total_sums_the_lines():
    assert order_total({"apple": 2, "pear": 1}) == 180


def test_the_discount_applies_to_the_total():
    assert order_total({"apple": 2}, discount=50) == 50


def test_an_order_beyond_the_stock_is_refused():
    with pytest.raises(ValueError):
        order_total({"pear": 4})
