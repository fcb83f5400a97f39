"""The Pending list (S7, P3): every open cart and every incomplete registration of the
organization, with the payment state in words, filtered, searched, sorted and paginated (a
page of 50 in a constant number of queries, however long the list). Each row carries the
actions this staff member may take on it (email a pay link, delete with a reason, delete a
cart; absent without the permission); `?format=csv` exports the whole list, same filters."""

from django import forms
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from carts.selectors import CART_SORTS, cart_rows, live_carts
from office.access import OfficeRequest, staff_page
from office.csv_export import csv_response
from office.navigation import DESK
from office.pending_csv import carts_table, registrations_table
from office.rendering import page_or_partial
from office.words import CHANNELS, PAYMENT_STATES, PAYMENT_TONES, TIMERS, minutes_left
from organizations.models import Permission
from registrations.pending import SORTS, incomplete_registrations
from registrations.selectors import payment_status
from rentals.selectors import waiting_requests

PAGE_SIZE = 50


class PendingFilter(forms.Form):
    show = forms.ChoiceField(
        label=gettext_lazy("Show"),
        choices=[("registrations", gettext_lazy("Incomplete registrations")), ("carts", gettext_lazy("Open carts"))],
        required=False,
    )
    state = forms.ChoiceField(
        label=gettext_lazy("Payment state"),
        choices=[("", gettext_lazy("Any"))] + [(k, v) for k, v in PAYMENT_STATES.items() if k != "paid_in_full"],
        required=False,
        help_text=gettext_lazy("Incomplete registrations only"),
    )
    q = forms.CharField(
        label=gettext_lazy("Search"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("Household, email, participant or offering"),
    )
    sort = forms.ChoiceField(
        label=gettext_lazy("Sort by"),
        choices=[
            ("oldest", gettext_lazy("Oldest first")),
            ("newest", gettext_lazy("Newest first")),
            ("household", gettext_lazy("Household")),
            ("offering", gettext_lazy("Offering (registrations)")),
            ("expiring", gettext_lazy("Expiring soonest (carts)")),
        ],
        required=False,
    )


@staff_page(*DESK)
def pending(request: OfficeRequest) -> HttpResponse:
    form = PendingFilter(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    show = data.get("show") or "registrations"
    now = timezone.now()
    organization = request.organization
    membership = request.membership
    context: dict[str, object] = {
        "form": form,
        "show": show,
        "here": request.get_full_path(),
        "csv_url": f"{request.path}?{_with_csv(request)}",
        # The row actions, each only for who may use it (the services check again).
        "can_delete": membership.has_permission(Permission.DELETE_ENROLLMENTS),
        "can_send_links": organization.payment_provider != "none"
        and (membership.has_permission(Permission.ENROLL) or membership.has_permission(Permission.TAKE_PAYMENTS)),
    }
    as_csv = request.GET.get("format") == "csv"
    if not as_csv and membership.has_permission(Permission.ENROLL):  # S6: requests awaiting approval
        context["requests_count"], context["requests"] = waiting_requests(organization_id=organization.pk, now=now)
    if show == "carts":
        sort = str(data.get("sort")) if data.get("sort") in CART_SORTS else "expiring"
        carts = live_carts(organization_id=organization.pk, now=now, query=data.get("q") or "", sort=sort)
        if as_csv:
            return csv_response(carts_table(cart_rows(carts), organization.zone), f"{organization.slug}-open-carts.csv")
        cart_page_obj = Paginator(carts, PAGE_SIZE).get_page(request.GET.get("page"))
        context["page_obj"] = cart_page_obj
        context["carts"] = [
            {
                "row": row,
                "time_left": minutes_left(
                    int((row.cart.expires_at - now).total_seconds()) if row.cart.expires_at else None
                ),
                "timer": TIMERS.get(row.cart.timer, row.cart.timer),
                "channel": CHANNELS.get(row.cart.channel, row.cart.channel),
                "total": sum((claim.price for claim in row.items), start=0),
            }
            for row in cart_rows(cart_page_obj)
        ]
    else:
        sort = str(data.get("sort")) if data.get("sort") in SORTS else "oldest"
        registrations = incomplete_registrations(
            organization_id=organization.pk,
            now=now,
            state=data.get("state") or "",
            query=data.get("q") or "",
            sort=sort,
        )
        if as_csv:
            table = registrations_table(registrations.iterator(chunk_size=1000), organization, now)
            return csv_response(table, f"{organization.slug}-pending.csv")
        page_obj = Paginator(registrations, PAGE_SIZE).get_page(request.GET.get("page"))
        rows = []
        for registration in page_obj:
            status = payment_status(registration, organization, now)
            rows.append(
                {
                    "registration": registration,
                    "state": PAYMENT_STATES[status.state],
                    "tone": PAYMENT_TONES[status.state],
                    "deletion_at": status.scheduled_for_deletion_at,
                }
            )
        context["registrations"] = rows
        context["page_obj"] = page_obj
    return page_or_partial(request, "office/desk/pending.html", "results", context)


def _with_csv(request: OfficeRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    query["format"] = "csv"
    return query.urlencode()
