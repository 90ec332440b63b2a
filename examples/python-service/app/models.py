"""Domain objects and their validation rules."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)


class ValidationError(ValueError):
    """Raised when input does not satisfy a model's rules."""


@dataclass(frozen=True)
class User:
    id: int | None
    email: str
    name: str
    password_hash: str = field(repr=False, default="")

    def __post_init__(self) -> None:
        if not EMAIL.match(self.email):
            raise ValidationError(f"invalid email: {self.email!r}")
        if not self.name.strip():
            raise ValidationError("name must not be empty")


@dataclass(frozen=True)
class OrderLine:
    sku: str
    quantity: int
    unit_price: Decimal

    def __post_init__(self) -> None:
        if self.quantity <= 0:
            raise ValidationError("quantity must be positive")
        if self.unit_price < 0:
            raise ValidationError("price must not be negative")

    @property
    def total(self) -> Decimal:
        return self.unit_price * self.quantity


@dataclass
class Order:
    user_id: int
    lines: list[OrderLine] = field(default_factory=list)

    def add(self, line: OrderLine) -> None:
        self.lines.append(line)

    @property
    def total(self) -> Decimal:
        return sum((line.total for line in self.lines), Decimal("0"))
