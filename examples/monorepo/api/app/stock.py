"""How many of each item are left."""

STOCK = {"apple": 10, "pear": 3}


def available(item: str, quantity: int) -> bool:
    return STOCK.get(item, 0) >= quantity
