"""Money at the desk (issue 13, item 5): a household's orders, payments, credit and registrations,
with the actions on them: record an offline payment toward one or several orders (P5), put an
order on account (B1), email a pay link (P7), refund credit (B6), delete a registration with a
reason (P6) and restore it (P7). Each action is its own POST route calling one service; the
page shows only the controls this staff member may use, and the services check again."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from audit.models import Channel
from core.errors import DomainError
from monitoring import counters
from office.access import OfficeRequest, staff_page
from office.forms_money import DeleteRegistrationForm, DeskPaymentForm, OnAccountForm, RefundForm
from office.navigation import DESK
from office.rendering import back_to, refusal_status
from orders.models import Order
from organizations.models import Permission
from payments.credit import refund_credit
from payments.desk import put_on_account, record_desk_payment, send_pay_link
from payments.desk_selectors import HouseholdMoney, household_money
from registrations.models import Registration
from registrations.services import delete_registration, restore_registration
from ui.confirm import ask_to_confirm, is_confirmed
from ui.templatetags.ui import money as money_text


def _money_or_404(request: OfficeRequest, household_id: int) -> HouseholdMoney:
    found = household_money(organization_id=request.organization.pk, household_id=household_id)
    if found is None:
        raise Http404("No such household.")
    return found


def _order_choices(found: HouseholdMoney) -> list[tuple[int, str]]:
    return [
        (o.pk, _("%(number)s: %(balance)s owing") % {"number": o.number, "balance": money_text(o.balance)})
        for o in found.owing
    ]


def _page(
    request: OfficeRequest,
    found: HouseholdMoney,
    *,
    payment_form: DeskPaymentForm | None = None,
    refund_form: RefundForm | None = None,
    refusal: str = "",
    status: int = 200,
) -> HttpResponse:
    membership = request.membership
    context = {
        "money": found,
        "household": found.household,
        "payment_form": payment_form or DeskPaymentForm(order_choices=_order_choices(found)),
        # Back to the card only where there is a card to go back to: a household that paid only at
        # the desk had "Back to the card" chosen, and its refund refused until staff changed it.
        "refund_form": refund_form
        or RefundForm(
            prefix="refund",
            initial={"method": "provider" if any(p.session_id for p in found.payments) else "cash"},
        ),
        "on_account_form": OnAccountForm(),
        "refusal": refusal,
        "can_take_payments": membership.has_permission(Permission.TAKE_PAYMENTS),
        "can_put_on_account": membership.has_permission(Permission.TAKE_PAYMENTS)
        or membership.has_permission(Permission.TEACH),
        "can_send_links": membership.has_permission(Permission.TAKE_PAYMENTS)
        or membership.has_permission(Permission.ENROLL),
        "can_delete": membership.has_permission(Permission.DELETE_ENROLLMENTS),
        "pays_online": request.organization.payment_provider != "none",
    }
    return render(request, "office/money/household.html", context, status=status)


def _back(request: OfficeRequest, household_id: int) -> str:
    """The household's money page, or the page the action was sent from (the Pending list)."""
    slug = request.organization.slug
    return back_to(
        request, slug, reverse("office:household_money", kwargs={"slug": slug, "household_id": household_id})
    )


@staff_page(*DESK)
def household(request: OfficeRequest, household_id: int) -> HttpResponse:
    return _page(request, _money_or_404(request, household_id))


@staff_page(Permission.TAKE_PAYMENTS, methods=("POST",))
def record_payment(request: OfficeRequest, household_id: int) -> HttpResponse:
    """P5: one payment toward the orders ticked; more than owed only with "keep as credit"."""
    found = _money_or_404(request, household_id)
    form = DeskPaymentForm(request.POST, order_choices=_order_choices(found))
    if not form.is_valid():
        return _page(request, found, payment_form=form, status=400)
    data = form.cleaned_data
    try:
        recorded = record_desk_payment(
            membership=request.membership,
            household_id=found.household.pk,
            order_ids=data["orders"],
            amount=data["amount"],
            method=data["method"],
            note=data["note"],
            reference=f"desk-{data['key']}" if data["key"] else "",
            keep_credit=data["keep_credit"],
        )
    except DomainError as refused:
        counters.count_refusal("payment", Channel.OFFICE, refused.code)
        field = refused.details.get("field")
        if field in form.fields:
            form.add_error(field, str(refused))
            return _page(request, found, payment_form=form, status=refusal_status(refused))
        return _page(request, found, payment_form=form, refusal=str(refused), status=refusal_status(refused))
    counters.count_payment(Channel.OFFICE)
    messages.success(
        request,
        _("%(amount)s recorded (%(method)s).")
        % {"amount": money_text(recorded.payment.amount), "method": recorded.payment.get_method_display()},
    )
    return redirect(_back(request, found.household.pk))


@staff_page(Permission.TAKE_PAYMENTS, methods=("POST",))
def refund(request: OfficeRequest, household_id: int) -> HttpResponse:
    """B6: give back some of the household's credit."""
    found = _money_or_404(request, household_id)
    form = RefundForm(request.POST, prefix="refund")
    if not form.is_valid():
        return _page(request, found, refund_form=form, status=400)
    try:
        done = refund_credit(membership=request.membership, household_id=found.household.pk, **form.cleaned_data)
    except DomainError as refused:
        field = refused.details.get("field")
        form.add_error(field if field in form.fields else None, str(refused))
        return _page(request, found, refund_form=form, status=refusal_status(refused))
    messages.success(request, _("%(amount)s refunded.") % {"amount": money_text(done.amount)})
    return redirect(_back(request, found.household.pk))


def _order_or_404(request: OfficeRequest, order_id: int) -> Order:
    order = Order.objects.filter(organization_id=request.organization.pk, pk=order_id).first()
    if order is None:
        raise Http404("No such order.")
    return order


@staff_page(Permission.TAKE_PAYMENTS, Permission.TEACH, methods=("POST",))
def on_account(request: OfficeRequest, order_id: int) -> HttpResponse:
    """B1: finish the order with its balance owing, payable online or not."""
    order = _order_or_404(request, order_id)
    form = OnAccountForm(request.POST)
    form.is_valid()
    try:
        put_on_account(
            membership=request.membership,
            order_id=order.pk,
            payable_online=bool(form.cleaned_data.get("payable_online")),
            customer_note=form.cleaned_data.get("customer_note", ""),
        )
    except DomainError as refused:
        found = _money_or_404(request, order.household_id)
        return _page(request, found, refusal=str(refused), status=refusal_status(refused))
    messages.success(request, _("Order %(number)s is on account.") % {"number": order.number})
    return redirect(_back(request, order.household_id))


@staff_page(Permission.TAKE_PAYMENTS, Permission.ENROLL, methods=("POST",))
def pay_link(request: OfficeRequest, order_id: int) -> HttpResponse:
    """P7: email the registrant a link to pay this order online."""
    order = _order_or_404(request, order_id)
    try:
        send_pay_link(membership=request.membership, order_id=order.pk)
    except DomainError as refused:
        found = _money_or_404(request, order.household_id)
        return _page(request, found, refusal=str(refused), status=refusal_status(refused))
    messages.success(request, _("A link to pay order %(number)s was emailed to the family.") % {"number": order.number})
    return redirect(_back(request, order.household_id))


def _registration_or_404(request: OfficeRequest, registration_id: int) -> Registration:
    registration = (
        Registration.objects.filter(organization_id=request.organization.pk, pk=registration_id)
        .select_related("offering", "participant", "household")
        .first()
    )
    if registration is None:
        raise Http404("No such registration.")
    return registration


@staff_page(Permission.DELETE_ENROLLMENTS, methods=("POST",))
def delete(request: OfficeRequest, registration_id: int) -> HttpResponse:
    """P6: delete a registration, saying why; a confirmation step first."""
    registration = _registration_or_404(request, registration_id)
    back = _back(request, registration.household_id)
    form = DeleteRegistrationForm(request.POST)
    if not form.is_valid():
        found = _money_or_404(request, registration.household_id)
        return _page(request, found, refusal=_("Say why the registration is deleted."), status=400)
    if not is_confirmed(request):
        who = registration.participant.full_name if registration.participant else registration.household.name
        return ask_to_confirm(
            request,
            question=_("Delete the registration of %(who)s in %(offering)s?")
            % {"who": who, "offering": registration.offering.name},
            consequence=_("The seat is freed at once. The household, its people and an archived copy remain."),
            confirm_label=_("Delete the registration"),
            cancel_url=back,
        )
    try:
        delete_registration(
            membership=request.membership, registration_id=registration.pk, note=form.cleaned_data["note"]
        )
    except DomainError as refused:
        messages.error(request, str(refused))
        return redirect(back)
    messages.success(request, _("The registration was deleted; its seat is free."))
    return redirect(back)


@staff_page(Permission.DELETE_ENROLLMENTS, methods=("POST",))
def restore(request: OfficeRequest, registration_id: int) -> HttpResponse:
    """P7: restore a deleted registration while its seat is free."""
    registration = _registration_or_404(request, registration_id)
    try:
        restore_registration(membership=request.membership, registration_id=registration.pk)
    except DomainError as refused:
        found = _money_or_404(request, registration.household_id)
        return _page(request, found, refusal=str(refused), status=refusal_status(refused))
    messages.success(request, _("The registration was restored."))
    return redirect(_back(request, registration.household_id))
