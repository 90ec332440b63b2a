"""An order: items, quantities, and what it costs."""

from app.prices import apply_discount
from app.stock import available

PRICES = {"apple": 50, "pear": 80}


def order_total(lines: dict, discount: int = 0) -> int:
    """The total in cents of `lines` ({item: quantity}) after `discount` %."""
    for item, quantity in lines.items():
        if not available(item, quantity):
            raise ValueError(f"not enough {item} in stock")
    total = sum(PRICES[item] * quantity for item, quantity in lines.items())
    return apply_discount(total, discount)
