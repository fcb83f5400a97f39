"""The walk-up or phone-in sale (seed 002; issue 13 item 6): one path from finding the household
to paid. Find or create the household, enroll on its cart (office/views/enroll.py), check out,
then record the payment taken at the desk (P5) until the order is paid in full."""

import uuid
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.models import Channel
from core.errors import DomainError
from households.selectors import search_households
from monitoring import counters
from office.access import OfficeRequest, staff_page
from office.rendering import page_or_partial
from office.words import PAYMENT_STATES
from orders.models import Order
from organizations.models import Permission
from payments.desk import record_offline_payment
from registrations.policies import payment_state
from registrations.selectors import facts_for, household_orders
from ui.money import MoneyField

METHODS = [
    ("cash", gettext_lazy("Cash")),
    ("cheque", gettext_lazy("Cheque")),
    ("card_phone", gettext_lazy("Card (terminal or by phone)")),
]


@staff_page(Permission.ENROLL)
def walkup(request: OfficeRequest) -> HttpResponse:
    """Step 1: find the caller's household as you type, or create one; each result goes on to
    enrolling in walk-up mode."""
    query = request.GET.get("q", "").strip()[:200]
    found = search_households(organization_id=request.organization.pk, query=query) if query else []
    return page_or_partial(request, "office/desk/walkup.html", "results", {"query": query, "found": found})


class PaymentForm(forms.Form):
    method = forms.ChoiceField(label=gettext_lazy("Paid by"), choices=METHODS, widget=forms.RadioSelect)
    amount = MoneyField(label=gettext_lazy("Amount"), min_value=Decimal("0.01"), max_digits=12)
    reference = forms.CharField(label=gettext_lazy("Receipt or cheque number"), required=False, max_length=100)
    key = forms.CharField(widget=forms.HiddenInput)  # one payment per form, however often it is sent


@staff_page(Permission.TAKE_PAYMENTS, methods=("GET", "POST"))
def pay(request: OfficeRequest, order_id: int) -> HttpResponse:
    """The last step: the order and what is owed; record cash, a cheque or a card (P5). Paid in
    full ends the sale."""
    order = (
        Order.objects.filter(organization_id=request.organization.pk, pk=order_id).select_related("household").first()
    )
    if order is None:
        raise Http404("No such order.")
    form = PaymentForm(
        request.POST or None, initial={"amount": order.balance, "method": "cash", "key": uuid.uuid4().hex}
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            reference = data["reference"].strip() or f"desk-{data['key'][:32]}"
            try:
                record_offline_payment(
                    membership=request.membership,
                    order_id=order.pk,
                    amount=data["amount"],
                    method=data["method"],
                    reference=reference,
                )
            except DomainError as refused:
                counters.count_refusal("payment", Channel.OFFICE, refused.code)
                field = refused.details.get("field")
                form.add_error(field if field in form.fields else None, str(refused))
                status = 400
            else:
                counters.count_payment(Channel.OFFICE)
                messages.success(request, _("The payment was recorded."))
                return redirect("office:walkup_pay", slug=request.organization.slug, order_id=order.pk)
        else:
            status = 400
    shown = household_orders(household=order.household).get(pk=order.pk)
    registrations = list(shown.registrations.all())
    state = payment_state(facts_for(registrations[0]), timezone.now()) if registrations else None
    return render(
        request,
        "office/desk/pay.html",
        {
            "order": shown,
            "household": order.household,
            "form": form,
            "state_words": PAYMENT_STATES[state] if state else "",
            "paid": shown.balance <= 0,
        },
        status=status,
    )
