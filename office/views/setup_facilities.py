"""Setup > Facilities (issue 14, S5, S6): facilities, whether their portal bookings need the
office's approval, their bookable hours (several openings a day), and their rental slots made from those hours after a
preview (how many, which days are closed)."""

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.errors import InvalidCatalogItem, UnknownCatalogItem
from catalog.models import BookableHours, Facility
from catalog.policies import overlapping_opening
from catalog.rental_slots import make_rental_slots, plan_rental_slots
from catalog.selectors import facilities as facilities_of
from catalog.services import access_catalog_item, save_facility, set_bookable_hours
from office.access import OfficeRequest, staff_page
from office.csv_export import csv_response
from office.views.setup_offerings import DATE, WEEKDAYS
from organizations.models import Permission
from ui.forms import DayField
from ui.money import MoneyField
from ui.tables import Column, Link, Table

TIME = forms.TimeInput(attrs={"type": "time"})


class FacilityForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    description = forms.CharField(label=gettext_lazy("Description"), required=False, widget=forms.Textarea)
    requires_approval = forms.BooleanField(
        label=gettext_lazy("Portal bookings need the office's approval"),
        required=False,
        help_text=gettext_lazy("A family's booking becomes a request that holds the time until you decide (S6)."),
    )


def _openings_text(rows: list[tuple[dt.time, dt.time]]) -> str:
    return ", ".join(f"{opens:%H:%M}-{closes:%H:%M}" for opens, closes in rows)


class HoursForm(forms.Form):
    """Each weekday's openings as typed: "07:00-12:00, 14:00-21:00" (several a day, apart from
    each other), or empty when it is closed that day."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for day, label in WEEKDAYS:
            self.fields[f"hours_{day}"] = forms.CharField(
                label=label,
                required=False,
                max_length=200,
                help_text=gettext_lazy("e.g. 07:00-12:00, 14:00-21:00; empty when closed"),
            )

    def days(self) -> list[forms.BoundField]:
        return [self[f"hours_{day}"] for day, _label in WEEKDAYS]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self._rows: list[tuple[int, dt.time, dt.time]] = []
        for day, _label in WEEKDAYS:
            field = f"hours_{day}"
            spans = []
            for part in (data.get(field) or "").replace(";", ",").split(","):
                if not part.strip():
                    continue
                try:
                    opens, closes = (dt.time.fromisoformat(t.strip()) for t in part.replace("\u2013", "-").split("-"))
                except ValueError:
                    self.add_error(field, _("Write each opening as two times, for example 07:00-12:00."))
                    break
                if closes <= opens:
                    self.add_error(field, _("Each opening must close after it opens."))
                    break
                spans.append((opens, closes))
            else:
                if overlapping_opening([(day, opens, closes) for opens, closes in spans]):
                    self.add_error(field, _("Two openings overlap: each must close before the next opens."))
                self._rows += [(day, opens, closes) for opens, closes in sorted(spans)]
        return data

    def rows(self) -> list[tuple[int, dt.time, dt.time]]:
        return self._rows


class SlotsForm(forms.Form):
    first_day = DayField(label=gettext_lazy("From"), widget=DATE)
    last_day = DayField(label=gettext_lazy("Until"), widget=DATE)
    minutes = forms.IntegerField(
        label=gettext_lazy("Each slot lasts (minutes)"), min_value=15, max_value=720, initial=60
    )
    price = MoneyField(label=gettext_lazy("Price of a slot"), min_value=0, max_digits=10)


@staff_page(Permission.MANAGE_CATALOG, methods=("GET", "POST"))
def facilities(request: OfficeRequest) -> HttpResponse:
    """GET: the facilities. POST: add one."""
    form = FacilityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            made = save_facility(membership=request.membership, fields=form.cleaned_data)
        except InvalidCatalogItem as refused:
            for name, problem in refused.details.get("fields", {}).items():
                form.add_error(name if name in form.fields else None, problem)
        else:
            messages.success(request, _("%(name)s was added; set its bookable hours.") % {"name": made.name})
            return redirect("office:setup_facility", slug=request.organization.slug, facility_id=made.pk)
    slug = request.organization.slug
    table = Table(
        caption=_("Facilities"),
        columns=[Column(_("Facility")), Column(_("Portal bookings")), Column(_("Bookable days"), numeric=True)],
        rows=[
            [
                Link(f.name, reverse("office:setup_facility", kwargs={"slug": slug, "facility_id": f.pk})),
                _("need approval") if f.requires_approval else _("booked at once"),
                f.days,
            ]
            for f in facilities_of(organization=request.organization).annotate(
                days=Count("hours__weekday", distinct=True)
            )
        ],
        empty=_("No facilities yet."),
    )
    if request.GET.get("format") == "csv":
        return csv_response(table, f"{slug}-facilities.csv")
    return render(request, "office/setup/facilities.html", {"table": table, "form": form})


@staff_page(Permission.MANAGE_CATALOG, methods=("GET", "POST"))
def facility(request: OfficeRequest, facility_id: int) -> HttpResponse:
    """One facility. POST action=save (details) | hours | preview_slots | slots."""
    try:
        item: Facility = access_catalog_item(Facility, request.organization.pk, facility_id)
    except UnknownCatalogItem:
        raise Http404 from None
    action = request.POST.get("action", "")
    hours = BookableHours.objects.filter(facility=item)
    by_day: dict[int, list[tuple[dt.time, dt.time]]] = {}
    for row in hours:
        by_day.setdefault(row.weekday, []).append((row.opens_at, row.closes_at))
    initial_hours = {f"hours_{day}": _openings_text(rows) for day, rows in by_day.items()}
    details = FacilityForm(
        request.POST if action == "save" else None,
        initial={"name": item.name, "description": item.description, "requires_approval": item.requires_approval},
    )
    hours_form = HoursForm(request.POST if action == "hours" else None, initial=initial_hours)
    slots = SlotsForm(request.POST if action in ("preview_slots", "slots") else None)
    context: dict[str, Any] = {"facility": item, "details": details, "hours": hours_form, "slots": slots}
    try:
        if action == "save" and details.is_valid():
            save_facility(membership=request.membership, fields=details.cleaned_data, facility_id=item.pk)
            messages.success(request, _("The facility was saved."))
            return redirect(request.path)
        if action == "hours" and hours_form.is_valid():
            set_bookable_hours(membership=request.membership, facility_id=item.pk, hours=hours_form.rows())
            messages.success(request, _("The bookable hours were saved."))
            return redirect(request.path)
        if action in ("preview_slots", "slots") and slots.is_valid():
            arguments = {"membership": request.membership, "facility_id": item.pk, **slots.cleaned_data}
            if action == "slots":
                made = make_rental_slots(**arguments)
                messages.success(request, _("%(n)s rental slots were made.") % {"n": len(made.new)})
                return redirect(request.path)
            context["plan"] = plan_rental_slots(**arguments)
    except InvalidCatalogItem as refused:
        form = {"save": details, "hours": hours_form}.get(action, slots)
        for name, problem in refused.details.get("fields", {}).items():
            form.add_error(name if name in form.fields else None, problem)
    return render(request, "office/setup/facility.html", context)
