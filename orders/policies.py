"""Pure money rules over orders (D5, B3, B5): how one payment splits exactly over the orders it
pays for, in decimal cents, no floats, nothing lost. Checkout plans the shares, payments applies them."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Share:
    order_id: int
    amount: Decimal


@dataclass(frozen=True)
class Split:
    shares: tuple[Share, ...]
    credit: Decimal  # what no order could take: kept as household credit, staff alerted

    @property
    def total(self) -> Decimal:
        return sum((s.amount for s in self.shares), Decimal("0")) + self.credit


def split_payment(*, amount: Decimal, plan: Sequence[Share], balances: dict[int, Decimal]) -> Split:
    """Allocate `amount` over orders exactly (B3, B5): first each order's planned share,
    capped by its balance, then any rest over the plan's orders that still owe, in plan
    order; what is left over becomes credit. The shares plus credit always equal `amount`,
    and no order is ever paid past its balance."""
    if amount <= 0 or amount != amount.quantize(CENT):
        raise ValueError(f"payment amount must be positive whole cents, not {amount}")
    remaining = dict(balances)
    taken: dict[int, Decimal] = {}
    left = amount
    for passes in (True, False):
        for share in plan:
            want = share.amount if passes else remaining.get(share.order_id, Decimal("0"))
            take = min(want, remaining.get(share.order_id, Decimal("0")), left)
            if take > 0:
                taken[share.order_id] = taken.get(share.order_id, Decimal("0")) + take
                remaining[share.order_id] -= take
                left -= take
    return Split(shares=tuple(Share(order_id, amt) for order_id, amt in taken.items()), credit=left)
