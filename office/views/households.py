"""Households at the desk (S8): find one as you type, create one, and its page: people, cart,
orders and balances, registrations, absences, notes and the audit trail of what was done to it."""

from datetime import date

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from attendance.selectors import upcoming_courses
from audit.models import Channel
from audit.selectors import audit_events
from carts.selectors import open_cart_view
from core.errors import DomainError
from households.models import Household
from households.selectors import household_notes, search_households, staff_household
from households.services import NewParticipant, add_household_note, create_household
from office.access import OfficeRequest, staff_page
from office.audit_words import describe_events
from office.navigation import DESK
from office.rendering import page_or_partial, refusal_status
from office.words import CHANNELS, PAYMENT_STATES, PAYMENT_TONES, TIMERS, minutes_left
from organizations.models import Permission
from registrations.selectors import household_orders, household_registrations, payment_status
from ui.forms import DayField

PARTICIPANT_ROWS = 3
DATE = forms.DateInput(attrs={"type": "date"})


@staff_page(*DESK)
def households(request: OfficeRequest) -> HttpResponse:
    """S8: search by payer name, email, phone or participant name; htmx swaps the results as
    the staff member types, a plain GET renders the whole page."""
    query = request.GET.get("q", "").strip()[:200]
    found = search_households(organization_id=request.organization.pk, query=query) if query else []
    return page_or_partial(request, "office/desk/households.html", "results", {"query": query, "found": found})


class HouseholdForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Payer's name"), max_length=200)
    email = forms.EmailField(label=gettext_lazy("Payer's email"), max_length=254)
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=40, required=False)
    invite = forms.BooleanField(
        label=gettext_lazy("Email the payer an invitation to set a portal password"), required=False
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.rows: list[int] = []  # the form's row of each participant sent, in order
        for n in range(1, PARTICIPANT_ROWS + 1):
            self.fields[f"first_name_{n}"] = forms.CharField(label=_("First name"), max_length=100, required=False)
            self.fields[f"last_name_{n}"] = forms.CharField(label=_("Last name"), max_length=100, required=False)
            self.fields[f"born_{n}"] = DayField(label=_("Date of birth"), required=False, widget=DATE)

    def participant_rows(self) -> list[tuple[int, list[forms.BoundField]]]:
        return [
            (n, [self[f"first_name_{n}"], self[f"last_name_{n}"], self[f"born_{n}"]])
            for n in range(1, PARTICIPANT_ROWS + 1)
        ]

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        people = []
        for n in range(1, PARTICIPANT_ROWS + 1):
            first, last, born = data.get(f"first_name_{n}"), data.get(f"last_name_{n}"), data.get(f"born_{n}")
            if not (first or last or born):
                continue
            if not first:
                self.add_error(f"first_name_{n}", _("Enter the participant's first name."))
            if not last:
                self.add_error(f"last_name_{n}", _("Enter the participant's last name."))
            if not born:
                self.add_error(f"born_{n}", _("Enter the participant's date of birth."))
            if first and last and isinstance(born, date):
                people.append(NewParticipant(first_name=str(first), last_name=str(last), date_of_birth=born))
                self.rows.append(n)
        data["participants"] = people
        return data

    def field_for(self, details: dict[str, object]) -> str | None:
        """The field a refusal is about: a participant's (`participant`: their place among those
        sent) is on that participant's row; a field the form does not have, the whole form."""
        field, position = details.get("field"), details.get("participant")
        if isinstance(position, int) and 0 < position <= len(self.rows):
            row = self.rows[position - 1]
            field = {"first_name": f"first_name_{row}", "last_name": f"last_name_{row}"}.get(str(field), f"born_{row}")
        return field if isinstance(field, str) and field in self.fields else None


@staff_page(Permission.ENROLL, methods=("GET", "POST"))
def new_household(request: OfficeRequest) -> HttpResponse:
    """S8: create a household at the desk: the payer, up to three participants, an optional
    invitation to the portal."""
    form = HouseholdForm(request.POST or None, initial={"name": request.GET.get("name", "")[:200]})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                household = create_household(
                    membership=request.membership,
                    name=form.cleaned_data["name"],
                    email=form.cleaned_data["email"],
                    phone=form.cleaned_data["phone"],
                    participants=form.cleaned_data["participants"],
                    invite=form.cleaned_data["invite"],
                    channel=Channel.OFFICE,
                )
            except DomainError as refused:
                form.add_error(form.field_for(refused.details), str(refused))
                status = refusal_status(refused)
            else:
                messages.success(request, _("The household %(name)s was created.") % {"name": household.name})
                if request.GET.get("walkup") == "1":  # the walk-up sale goes on to its step 2
                    enroll = reverse("office:enroll", args=[request.organization.slug, household.pk])
                    return redirect(f"{enroll}?walkup=1")
                return redirect("office:household", slug=request.organization.slug, household_id=household.pk)
        else:
            status = 400
    return render(request, "office/desk/household_new.html", {"form": form}, status=status)


def desk_household(request: OfficeRequest, household_id: int) -> Household:
    """The household of the URL, in this organization only (another's is a 404, X1)."""
    household = staff_household(organization_id=request.organization.pk, household_id=household_id)
    if household is None:
        raise Http404("No such household.")
    return household


@staff_page(*DESK)
def household(request: OfficeRequest, household_id: int) -> HttpResponse:
    """S8: everything about one household on one page."""
    found = desk_household(request, household_id)
    now = timezone.now()
    cart = open_cart_view(household=found, now=now)
    registrations = list(household_registrations(household=found)[:100])
    statuses = {r.pk: payment_status(r, request.organization, now) for r in registrations}
    context = {
        "household": found,
        "participants": list(found.participants.order_by("pk")),
        "cart": cart,
        "orders": list(household_orders(household=found)[:50]),
        "registrations": [
            (r, PAYMENT_STATES[statuses[r.pk].state], PAYMENT_TONES[statuses[r.pk].state], statuses[r.pk])
            for r in registrations
        ],
        "courses": upcoming_courses(household=found, now=now),
        "notes": household_notes(household=found),
        "events": [
            (event, what, CHANNELS.get(event.channel, event.channel))
            for event, what in describe_events(
                audit_events(organization_id=request.organization.pk, household_id=found.pk)[:40]
            )
        ],
        "channels": CHANNELS,
        "timers": TIMERS,
        "can_delete": request.membership.has_permission(Permission.DELETE_ENROLLMENTS),
        "can_enroll": request.membership.has_permission(Permission.ENROLL),
        "can_take_payments": request.membership.has_permission(Permission.TAKE_PAYMENTS),
    }
    context["time_left"] = minutes_left(cart.seconds_left) if cart.items or cart.balances else ""
    context["cart_timer"] = TIMERS.get(cart.timer, cart.timer)
    context["cart_channel"] = CHANNELS.get(cart.channel or "", cart.channel or "")
    return render(request, "office/desk/household.html", context)


@staff_page(Permission.ENROLL, methods=("POST",))
def household_note(request: OfficeRequest, household_id: int) -> HttpResponse:
    """S8: add a note to the household (append-only, audited)."""
    found = desk_household(request, household_id)
    try:
        add_household_note(
            membership=request.membership, household=found, text=request.POST.get("text", ""), channel=Channel.OFFICE
        )
    except DomainError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("The note was added."))
    return redirect("office:household", slug=request.organization.slug, household_id=found.pk)
