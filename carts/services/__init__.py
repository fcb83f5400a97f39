"""Writes on carts, by what they do: `adding` (add an offering or a rental, C1, T2, T3),
`balances` (B3, B4), `removal` (remove, empty: T6, T7), `staff` (S2), `desk` (S3 take over, S5
book a facility at the desk), `expiry` (T4), `extension` (H1); the open cart and its timer (`open_cart`) and the
audit event of each action (`events`) are shared.
The public names are re-exported here; no module of this package imports it back."""

from carts.services.adding import AddResult, add_rental_to_cart, add_to_cart, office_add_to_cart
from carts.services.balances import add_balance_to_cart, remove_balance_from_cart
from carts.services.desk import (
    checkout_office_cart,
    office_add_rental_to_cart,
    office_remove_from_cart,
    take_over_cart,
)
from carts.services.expiry import expire_cart_now, expire_carts
from carts.services.extension import extend_cart
from carts.services.open_cart import timer_minutes
from carts.services.removal import empty_cart, remove_from_cart
from carts.services.staff import delete_cart, delete_hold

__all__ = [
    "AddResult",
    "add_balance_to_cart",
    "add_rental_to_cart",
    "add_to_cart",
    "checkout_office_cart",
    "delete_cart",
    "delete_hold",
    "empty_cart",
    "expire_cart_now",
    "expire_carts",
    "extend_cart",
    "office_add_rental_to_cart",
    "office_add_to_cart",
    "office_remove_from_cart",
    "remove_balance_from_cart",
    "remove_from_cart",
    "take_over_cart",
    "timer_minutes",
]
