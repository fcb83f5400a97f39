from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orders.policies import Share, split_payment

cents = st.integers(min_value=1, max_value=500_000).map(lambda c: Decimal(c) / 100)


@given(
    amount=cents,
    balances=st.lists(
        st.integers(min_value=0, max_value=200_000).map(lambda c: Decimal(c) / 100), min_size=1, max_size=6
    ),
    planned=st.data(),
)
def test_b5_split_is_exact_never_overpays_and_allocates_everything(amount, balances, planned):
    plan = [
        Share(
            i + 1,
            planned.draw(
                st.sampled_from([b, b / 2, Decimal("0.01"), b + 1]).map(lambda x: x.quantize(Decimal("0.01")))
            ),
        )
        for i, b in enumerate(balances)
    ]
    split = split_payment(amount=amount, plan=plan, balances={i + 1: b for i, b in enumerate(balances)})
    assert split.total == amount  # every cent allocated (B5)
    for share in split.shares:
        assert share.amount > 0
        assert share.amount <= balances[share.order_id - 1]  # never a negative balance
        assert share.amount == share.amount.quantize(Decimal("0.01"))
    assert split.credit == max(amount - sum(balances), Decimal("0")) or split.credit == 0


def test_b3_one_payment_split_over_two_orders_exactly():
    split = split_payment(
        amount=Decimal("130.50"),
        plan=[Share(1, Decimal("80.00")), Share(2, Decimal("50.50"))],
        balances={1: Decimal("80.00"), 2: Decimal("50.50")},
    )
    assert split.shares == (Share(1, Decimal("80.00")), Share(2, Decimal("50.50")))
    assert split.credit == 0


def test_overpayment_becomes_credit():
    split = split_payment(amount=Decimal("100.00"), plan=[Share(1, Decimal("60.00"))], balances={1: Decimal("60.00")})
    assert split.shares == (Share(1, Decimal("60.00")),)
    assert split.credit == Decimal("40.00")


def test_money_is_never_float_or_fractional_cents():
    with pytest.raises(ValueError, match="whole cents"):
        split_payment(amount=Decimal("1.005"), plan=[], balances={})
