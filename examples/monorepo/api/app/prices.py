"""Prices in cents, and the discounts applied to them."""


def apply_discount(cents: int, percent: int) -> int:
    """The price after a discount of `percent`, rounded down to a cent."""
    if not 0 <= percent <= 100:
        raise ValueError(f"a discount is between 0 and 100 %, not {percent}")
    return cents * (100 - percent) // 100
