"""Setup > Offerings > one offering: change its details (price, age rule with its cutoff day,
registration opening, dates, who gets its registration notices) and its weekly schedule, with
the meeting days previewed before they are made. Capacity is changed on the offering's page,
through the bulk preview (F2)."""

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.errors import InvalidCatalogItem
from catalog.models import Offering
from catalog.selectors import programs, schedule_preview
from catalog.services import parse_instant, set_schedule, update_offering
from office.access import OfficeRequest, staff_page
from office.views.setup_offerings import (
    DATE,
    INSTANT,
    WEEKDAYS,
    OfferingTermsForm,
    _offering,
    skipped_dates,
    skipped_dates_field,
)
from organizations.models import Permission
from ui.forms import DayField, InstantField

NOTICES = [
    ("", gettext_lazy("As the organization's setting")),
    ("on", gettext_lazy("On for this offering")),
    ("off", gettext_lazy("Off for this offering")),
]


class OfferingChangeForm(OfferingTermsForm):
    field_order = ["name", "code", "program", "description", "price", "min_age", "max_age", "age_cutoff_on"]

    description = forms.CharField(label=gettext_lazy("Description"), required=False, widget=forms.Textarea)
    registration_closes_at = InstantField(label=gettext_lazy("Registration closes"), required=False, widget=INSTANT)
    registration_notifications = forms.ChoiceField(
        label=gettext_lazy("Registration notices"), required=False, choices=NOTICES
    )
    notification_email = forms.EmailField(
        label=gettext_lazy("Notices go to"),
        required=False,
        help_text=gettext_lazy("The administrator of this class or event; empty: the organization's."),
    )


def wall_clock(value: dt.datetime | None) -> dt.datetime | None:
    """A form's datetime-local as the wall-clock time typed: Django's form field made it aware in
    the current time zone, but the office types times in the organization's (X4)."""
    return timezone.make_naive(value) if value is not None and timezone.is_aware(value) else value


def _initial(offering: Offering, zone: dt.tzinfo) -> dict[str, object]:
    def local(moment: dt.datetime | None) -> dt.datetime | None:
        return timezone.localtime(moment, zone).replace(tzinfo=None) if moment else None

    notices = offering.registration_notifications
    return {
        **{name: getattr(offering, name) for name in OfferingChangeForm.base_fields if name != "program"},
        "program": offering.program_id,
        "registration_opens_at": local(offering.registration_opens_at),
        "registration_closes_at": local(offering.registration_closes_at),
        "registration_notifications": "" if notices is None else ("on" if notices else "off"),
    }


@staff_page(Permission.MANAGE_CATALOG, methods=("GET", "POST"))
def edit_offering(request: OfficeRequest, offering_id: int) -> HttpResponse:
    """The offering's details; only the fields changed are sent, and audited before and after."""
    item = _offering(request, offering_id)
    choices = [(p.pk, str(p)) for p in programs(organization_id=request.organization.pk)]
    initial = _initial(item, request.organization.zone)
    form = OfferingChangeForm(request.POST or None, initial=initial, program_choices=choices)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        for name in ("registration_opens_at", "registration_closes_at"):
            data[name] = parse_instant(wall_clock(data[name]), request.organization)
        data["registration_notifications"] = {"": None, "on": True, "off": False}[data["registration_notifications"]]
        changes = {name: data[name] for name in form.changed_data}
        try:
            if changes:
                update_offering(membership=request.membership, offering_id=item.pk, changes=changes)
        except InvalidCatalogItem as refused:
            for name, problem in refused.details.get("fields", {}).items():
                form.add_error(name if name in form.fields else None, problem)
        else:
            messages.success(request, _("%(name)s was saved.") % {"name": data["name"]})
            return redirect("office:setup_offering", slug=request.organization.slug, offering_id=item.pk)
    return render(request, "office/setup/offering_edit.html", {"offering": item, "form": form})


# The service's names for the schedule form's fields.
SCHEDULE_FIELDS = {"exceptions": "skipped", "starts_at": "meets_from", "ends_at": "meets_until"}


class ScheduleForm(forms.Form):
    weekdays = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Meets every"), coerce=int, choices=WEEKDAYS, widget=forms.CheckboxSelectMultiple
    )
    starts_on = DayField(label=gettext_lazy("First day"), widget=DATE)
    ends_on = DayField(label=gettext_lazy("Last day"), widget=DATE)
    meets_from = forms.TimeField(label=gettext_lazy("From"), widget=forms.TimeInput(attrs={"type": "time"}))
    meets_until = forms.TimeField(label=gettext_lazy("Until"), widget=forms.TimeInput(attrs={"type": "time"}))
    location = forms.CharField(label=gettext_lazy("Where"), max_length=200, required=False)
    skipped = skipped_dates_field()

    def clean_skipped(self) -> list[dt.date]:
        return skipped_dates(self.cleaned_data["skipped"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("The last day must be on or after the first day."))
        if data.get("meets_from") and data.get("meets_until") and data["meets_until"] <= data["meets_from"]:
            self.add_error("meets_until", _("A meeting must end after it starts."))
        return data


@staff_page(Permission.MANAGE_CATALOG, methods=("GET", "POST"))
def edit_schedule(request: OfficeRequest, offering_id: int) -> HttpResponse:
    """The weekly schedule: POST action=preview lists the meeting days (closures and exceptions
    left out) without saving; action=save makes them. Attendance already recorded keeps its
    meeting: a change that would remove one is refused, naming the day."""
    item = _offering(request, offering_id)
    schedule = item.schedules.order_by("pk").first()
    initial: dict[str, object] = {}
    if schedule is not None:
        initial = {
            "weekdays": schedule.weekdays,
            "starts_on": schedule.starts_on,
            "ends_on": schedule.ends_on,
            "meets_from": schedule.starts_at,
            "meets_until": schedule.ends_at,
            "location": schedule.location,
            "skipped": ", ".join(schedule.exceptions),
        }
    form = ScheduleForm(request.POST or None, initial=initial)
    context: dict[str, Any] = {"offering": item, "form": form, "schedule": schedule}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if request.POST.get("action") == "save":
            try:
                set_schedule(
                    membership=request.membership,
                    offering_id=item.pk,
                    weekdays=data["weekdays"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    starts_at=data["meets_from"],
                    ends_at=data["meets_until"],
                    location=data["location"],
                    exceptions=data["skipped"],
                )
            except InvalidCatalogItem as refused:
                for name, problem in refused.details.get("fields", {}).items():
                    form.add_error(
                        SCHEDULE_FIELDS.get(name, name) if name in SCHEDULE_FIELDS or name in form.fields else None,
                        problem,
                    )
            else:
                messages.success(request, _("The schedule of %(name)s was saved.") % {"name": item.name})
                return redirect("office:setup_offering", slug=request.organization.slug, offering_id=item.pk)
        else:
            days = schedule_preview(
                organization_id=request.organization.pk,
                weekdays=data["weekdays"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                exceptions=data["skipped"],
            )
            context["preview"] = [(day, _("No meeting") if why == "exception" else why) for day, why in days]
            context["meeting_count"] = sum(1 for _day, skipped in context["preview"] if not skipped)
    return render(request, "office/setup/schedule_edit.html", context)
