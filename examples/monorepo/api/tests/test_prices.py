import pytest

from app.prices import apply_discount


def test_no_discount_keeps_the_price():
    assert apply_discount(1000, 0) == 1000


def test_a_discount_rounds_down():
    assert apply_discount(999, 10) == 899


def test_a_discount_over_100_is_refused():
    with pytest.raises(ValueError):
        apply_discount(100, 101)
