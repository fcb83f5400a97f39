"""A link to pay one order's balance online (P7), sent by staff or in the grace-period warning
(G3): a signed token naming the order, so the registrant pays without signing in, as with
an emailed invoice. It says only which order; what is owed is read again when it is used,
so a link to a paid order shows that there is nothing left to pay."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

from orders.models import Order

SALT = "registrar.orders.paylink"
# A link lasts as long as a registration may wait for staff (G5: 10 days), and a bit more.
MAX_AGE_SECONDS = 14 * 24 * 3600


def pay_token(order: Order) -> str:
    return signing.TimestampSigner(salt=SALT).sign_object({"o": order.pk, "org": order.organization_id})


def order_id_from_token(token: str) -> tuple[int, int] | None:
    """(order id, organization id) of a genuine, unexpired token; None otherwise."""
    try:
        value = signing.TimestampSigner(salt=SALT).unsign_object(token, max_age=MAX_AGE_SECONDS)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(value, dict) or not isinstance(value.get("o"), int) or not isinstance(value.get("org"), int):
        return None
    return value["o"], value["org"]


def pay_url(order: Order) -> str:
    """The full address of the order's pay page (SITE_URL: this installation's public one)."""
    return settings.SITE_URL + reverse("pay_link", kwargs={"token": pay_token(order)})
