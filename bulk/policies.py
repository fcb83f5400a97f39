"""Pure rules of the bulk changes (D5, F2): each preview and its action call these with the
same facts, so what the administrator was shown is what is done. No ORM, no clock."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TypeVar

from carts.policies import cart_expires_at

MAX_CAPACITY = 100_000
T = TypeVar("T")


def seats_over(capacity: int | None, seats_in_order: Sequence[T]) -> list[T]:
    """Which seats a capacity leaves over: with the seats in the order they were taken
    (oldest first), those after the first `capacity`. None (unlimited) leaves none over."""
    if capacity is None:
        return []
    return list(seats_in_order[capacity:])


def owed_back(*, order_total: Decimal, amount_paid: Decimal, cancelled_amount: Decimal) -> Decimal:
    """What an order's household is owed when lines worth `cancelled_amount` are cancelled:
    what it paid beyond what its remaining lines cost, never more than the cancelled lines
    (B5: exact; the office refunds it or keeps it as credit, B6)."""
    remaining = order_total - cancelled_amount
    return min(cancelled_amount, max(Decimal("0"), amount_paid - remaining))


@dataclass(frozen=True)
class CartTimer:
    first_added_at: datetime
    last_added_at: datetime
    expires_at: datetime


def retimed_expiry(cart: CartTimer, *, timeout_minutes: int, limit_minutes: int) -> datetime:
    """A live cart's expiry under new timer settings (T1, T5). Extended when the new
    settings give it longer (T2, T3 from the same first and latest add); never shortened:
    a family in the middle of checking out does not lose its seats to a settings change,
    and a shorter timer applies from the cart's next add."""
    proposed = cart_expires_at(
        first_added_at=cart.first_added_at,
        last_added_at=cart.last_added_at,
        timeout_minutes=timeout_minutes,
        limit_minutes=limit_minutes,
    )
    return max(proposed, cart.expires_at)
