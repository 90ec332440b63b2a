"""Use cases: registering users, logging in, pricing orders."""

from __future__ import annotations

from decimal import Decimal

from app.database.repository import UserRepository
from app.models import Order, User, ValidationError
from app.security import hash_password, verify_password

FREE_SHIPPING_FROM = Decimal("50")
SHIPPING = Decimal("4.90")


class UserService:
    def __init__(self, users: UserRepository) -> None:
        self.users = users

    def register(self, email: str, name: str, password: str) -> User:
        if self.users.by_email(email) is not None:
            raise ValidationError(f"{email} is already registered")
        user = User(id=None, email=email, name=name, password_hash=hash_password(password))
        return self.users.add(user)

    def authenticate(self, email: str, password: str) -> User | None:
        user = self.users.by_email(email)
        if user is None or not verify_password(password, user.password_hash):
            return None
        return user


def order_total(order: Order) -> Decimal:
    """The amount to charge: lines plus shipping under the free-shipping threshold."""
    subtotal = order.total
    shipping = Decimal("0") if subtotal >= FREE_SHIPPING_FROM or not order.lines else SHIPPING
    return subtotal + shipping
