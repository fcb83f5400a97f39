"""The pay link's page (P7): an emailed, signed link to pay one order's balance online, without
signing in. GET shows what is owed; POST opens a payment at the organization's provider for
that balance and sends the payer there."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from audit.models import Channel
from core.errors import DomainError
from core.locale import organization_locale
from orders.models import Order
from orders.paylink import order_id_from_token
from orders.policies import Share
from payments.models import PaymentSession
from payments.services import start_online_payment


@require_http_methods(["GET", "POST"])
def pay_link_page(request: HttpRequest, token: str) -> HttpResponse:
    found = order_id_from_token(token)
    order = (
        Order.objects.filter(pk=found[0], organization_id=found[1]).select_related("household", "organization").first()
        if found
        else None
    )
    if order is None:
        raise Http404("This payment link is not valid, or has expired.")
    refusal = ""
    if request.method == "POST" and order.balance > 0:
        try:
            session = start_online_payment(
                household=order.household,
                plan=[Share(order.pk, order.balance)],
                # Back here with the session's id: the page says the payment is being confirmed.
                return_url=request.build_absolute_uri(request.path) + "?payment={payment}",
                channel=Channel.PORTAL,
                actor_id=request.user.pk if request.user.is_authenticated else None,
            )
            return redirect(session.redirect_url)
        except DomainError as refused:
            refusal = str(refused)
    with organization_locale(order.organization.locale):  # money and dates as its portal writes them
        return render(
            request,
            "portal/pay_link.html",
            {
                "order": order,
                "payment": _back_from(request, order) if request.method == "GET" else None,
                "organization": order.organization,
                "lines": list(order.lines.order_by("pk")),
                "refusal": refusal,
            },
            status=409 if refusal else 200,
        )


def _back_from(request: HttpRequest, order: Order) -> PaymentSession | None:
    """The payment the payer is back from (?payment=), while its order still shows a balance:
    until the provider's webhook comes, the page says the payment is being confirmed instead of
    offering to pay again (which paid the order twice)."""
    payment_id = request.GET.get("payment", "")
    if not payment_id.isdigit() or order.balance <= 0:
        return None
    session = PaymentSession.objects.filter(pk=int(payment_id), household_id=order.household_id).first()
    if session is None or not any(share.get("order") == order.pk for share in session.plan):
        return None
    return session
