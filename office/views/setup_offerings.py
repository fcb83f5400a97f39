"""Setup > Offerings (issue 14): the catalog's offerings, a new one with its weekly schedule,
and on each offering the previewed changes (capacity, cancellation: F2)."""

import datetime as dt
from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from bulk.cancellation import cancel_offering, preview_cancellation
from bulk.capacity import change_capacity, preview_capacity_change
from capacity.selectors import availability
from catalog.errors import InvalidCatalogItem
from catalog.models import Offering
from catalog.selectors import programs, setup_offerings
from catalog.services import create_offering, parse_instant
from core.errors import DomainError
from office.access import OfficeRequest, staff_page
from office.csv_export import csv_response
from office.rendering import refusal_status
from organizations.models import Permission
from ui.forms import DayField, InstantField
from ui.money import MoneyField
from ui.tables import Column, Link, Table

WEEKDAYS = [
    (0, gettext_lazy("Monday")),
    (1, gettext_lazy("Tuesday")),
    (2, gettext_lazy("Wednesday")),
    (3, gettext_lazy("Thursday")),
    (4, gettext_lazy("Friday")),
    (5, gettext_lazy("Saturday")),
    (6, gettext_lazy("Sunday")),
]
DATE = forms.DateInput(attrs={"type": "date"})


def skipped_dates_field() -> forms.CharField:
    """A weekly schedule's dates without a meeting, as typed: parsed by `skipped_dates`."""
    return forms.CharField(
        label=gettext_lazy("No meeting on"),
        required=False,
        help_text=gettext_lazy(
            "Dates without a meeting, YYYY-MM-DD, separated by commas. Closures are skipped anyway."
        ),
    )


def skipped_dates(text: str) -> list[dt.date]:
    try:
        days = [dt.date.fromisoformat(d.strip()) for d in text.split(",") if d.strip()]
    except ValueError:
        raise forms.ValidationError(_("Enter dates as YYYY-MM-DD, separated by commas.")) from None
    for day in days:
        DayField().validate(day)
    return days


INSTANT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class OfferingTermsForm(forms.Form):
    """The fields an offering is made and changed with, shared by the create and change forms
    (each sets its own `field_order`)."""

    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    code = forms.CharField(label=gettext_lazy("Code"), max_length=40, required=False)
    program = forms.TypedChoiceField(label=gettext_lazy("Program"), required=False, coerce=int, empty_value=None)
    price = MoneyField(label=gettext_lazy("Price"), min_value=0, max_digits=10)
    min_age = forms.IntegerField(label=gettext_lazy("Youngest age"), required=False, min_value=0, max_value=120)
    max_age = forms.IntegerField(label=gettext_lazy("Oldest age"), required=False, min_value=0, max_value=120)
    age_cutoff_on = DayField(
        label=gettext_lazy("Age on"),
        required=False,
        widget=DATE,
        help_text=gettext_lazy("Ages are taken on this day; empty: the first day."),
    )
    starts_on = DayField(label=gettext_lazy("First day"), required=False, widget=DATE)
    ends_on = DayField(label=gettext_lazy("Last day"), required=False, widget=DATE)
    registration_opens_at = InstantField(label=gettext_lazy("Registration opens"), required=False, widget=INSTANT)

    def __init__(self, *args: Any, program_choices: Sequence[tuple[object, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.TypedChoiceField, self.fields["program"]).choices = [("", _("No program")), *program_choices]


class OfferingForm(OfferingTermsForm):
    field_order = ["kind", "name", "code", "program", "price", "capacity", "min_age", "max_age", "age_cutoff_on"]

    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=[c for c in Offering.Kind.choices if c[0] != "rental"])
    capacity = forms.IntegerField(
        label=gettext_lazy("Capacity"),
        required=False,
        min_value=0,
        max_value=100_000,
        help_text=gettext_lazy("Empty: unlimited."),
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Meets every"),
        required=False,
        coerce=int,
        choices=WEEKDAYS,
        widget=forms.CheckboxSelectMultiple,
    )
    meets_from = forms.TimeField(
        label=gettext_lazy("From"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    meets_until = forms.TimeField(
        label=gettext_lazy("Until"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    location = forms.CharField(label=gettext_lazy("Where"), max_length=200, required=False)
    skipped = skipped_dates_field()

    def clean_skipped(self) -> list[dt.date]:
        return skipped_dates(self.cleaned_data["skipped"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("weekdays"):
            for name in ("starts_on", "ends_on", "meets_from", "meets_until"):
                if not data.get(name):
                    self.add_error(name, _("A weekly schedule needs its first and last day and its times."))
        return data


@staff_page(Permission.MANAGE_CATALOG)
def offerings(request: OfficeRequest) -> HttpResponse:
    """The catalog's offerings with live seats (C5); `?format=csv` exports the list."""
    rows = list(setup_offerings(organization_id=request.organization.pk))
    live = availability(offerings=[(o.pk, o.capacity) for o in rows], now=timezone.now())
    slug = request.organization.slug
    table = Table(
        caption=_("Offerings"),
        columns=[
            Column(_("Name")),
            Column(_("Kind")),
            Column(_("Program")),
            Column(_("Capacity"), numeric=True),
            Column(_("Taken"), numeric=True),
            Column(_("State")),
        ],
        rows=[
            [
                Link(o.name, reverse("office:setup_offering", kwargs={"slug": slug, "offering_id": o.pk})),
                o.get_kind_display(),
                str(o.program or ""),
                "" if o.capacity is None else o.capacity,
                live[o.pk].taken,
                _("Cancelled") if o.cancelled_at else (_("Archived") if o.is_archived else _("Open")),
            ]
            for o in rows
        ],
        empty=_("No offerings yet."),
    )
    if request.GET.get("format") == "csv":
        return csv_response(table, f"{slug}-offerings.csv")
    return render(request, "office/setup/offerings.html", {"table": table})


@staff_page(Permission.MANAGE_CATALOG, methods=("GET", "POST"))
def new_offering(request: OfficeRequest) -> HttpResponse:
    """A new class, camp or membership, with its weekly schedule if it meets."""
    choices = [(p.pk, str(p)) for p in programs(organization_id=request.organization.pk)]
    form = OfferingForm(request.POST or None, program_choices=choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {
            k: data[k]
            for k in (
                "kind",
                "name",
                "code",
                "program",
                "price",
                "capacity",
                "min_age",
                "max_age",
                "age_cutoff_on",
                "starts_on",
                "ends_on",
            )
        }
        opens = data["registration_opens_at"]  # typed in the organization's time zone, as on the edit page
        opens = timezone.make_naive(opens) if opens is not None and timezone.is_aware(opens) else opens
        fields["registration_opens_at"] = parse_instant(opens, request.organization)
        schedule = None
        if data["weekdays"]:
            schedule = {
                "weekdays": data["weekdays"],
                "starts_on": data["starts_on"],
                "ends_on": data["ends_on"],
                "starts_at": data["meets_from"],
                "ends_at": data["meets_until"],
                "location": data["location"],
                "exceptions": data["skipped"],
            }
        try:
            offering = create_offering(membership=request.membership, fields=fields, schedule=schedule)
        except InvalidCatalogItem as refused:
            for name, problem in refused.details.get("fields", {}).items():
                form.add_error(name if name in form.fields else None, problem)
        else:
            messages.success(request, _("%(name)s was created.") % {"name": offering.name})
            return redirect("office:setup_offering", slug=request.organization.slug, offering_id=offering.pk)
    return render(request, "office/setup/offering_new.html", {"form": form})


def _offering(request: OfficeRequest, offering_id: int) -> Offering:
    offering = setup_offerings(organization_id=request.organization.pk).filter(pk=offering_id).first()
    if offering is None:
        raise Http404
    return offering


@staff_page(Permission.MANAGE_CATALOG, methods=("GET", "POST"))
def offering(request: OfficeRequest, offering_id: int) -> HttpResponse:
    """One offering: its meetings, and its capacity and cancellation, each previewed first.
    POST action=preview_capacity|capacity|preview_cancel|cancel."""
    item = _offering(request, offering_id)
    now = timezone.now()
    context: dict[str, Any] = {"offering": item, "meetings": item.meetings.all()[:200]}
    action = request.POST.get("action", "")
    try:
        if action in ("preview_capacity", "capacity"):
            raw = request.POST.get("capacity", "").strip()
            capacity = int(raw) if raw.isdigit() else (None if raw == "" else raw)
            if action == "capacity":
                change_capacity(
                    membership=request.membership,
                    offering_id=item.pk,
                    capacity=capacity,
                    override_reason=request.POST.get("reason", ""),
                )
                messages.success(request, _("The capacity was changed; nobody lost a seat."))
                return redirect(request.path)
            context["capacity_plan"] = preview_capacity_change(
                membership=request.membership, offering_id=item.pk, capacity=capacity, now=now
            )
        elif action in ("preview_cancel", "cancel"):
            if action == "cancel":
                done = cancel_offering(
                    membership=request.membership, offering_id=item.pk, reason=request.POST.get("reason", "")
                )
                messages.success(
                    request,
                    ngettext(
                        "%(name)s was cancelled: %(n)s household told.",
                        "%(name)s was cancelled: %(n)s households told.",
                        len(done.households_told),
                    )
                    % {"name": item.name, "n": len(done.households_told)},
                )
                return redirect(request.path)
            context["cancel_plan"] = preview_cancellation(membership=request.membership, offering_id=item.pk, now=now)
    except DomainError as refused:
        context["refusal"] = str(refused)
        return render(request, "office/setup/offering.html", context, status=refusal_status(refused))
    return render(request, "office/setup/offering.html", context)
