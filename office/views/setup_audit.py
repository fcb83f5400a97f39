"""Setup > Audit log (issue 14, X2): who did what, to which household or offering, when. What was
done reads in plain words, as on the household page (office/audit_words.py); the CSV export adds
the raw verb as its last column, for whoever processes it."""

import datetime as dt
from collections.abc import Iterable

from django import forms
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.models import AuditEvent
from audit.selectors import audit_events
from office.access import OfficeRequest, staff_page
from office.audit_words import describe_with_subjects, details, verb_options
from office.csv_export import csv_response
from office.rendering import page_or_partial
from organizations.models import Permission
from ui.forms import DayField
from ui.tables import Column, Link, Table
from ui.templatetags.ui import instant

DATE = forms.DateInput(attrs={"type": "date"})
CSV_LIMIT = 50_000
CSV_CHUNK = 1_000  # events described at once in an export: a bounded `IN (...)` per name lookup


class AuditFilter(forms.Form):
    actor = forms.CharField(
        label=gettext_lazy("Who"),
        required=False,
        max_length=150,
        help_text=gettext_lazy("A user name, or a job such as job:grace_period"),
    )
    verb = forms.CharField(
        label=gettext_lazy("What"),
        required=False,
        max_length=80,
        help_text=gettext_lazy('An action or its start, e.g. "registration." or "cart.hold_deleted"'),
        widget=forms.TextInput(attrs={"list": "audit-verbs"}),
    )
    household = forms.IntegerField(label=gettext_lazy("Household number"), required=False, min_value=1)
    offering = forms.IntegerField(label=gettext_lazy("Offering number"), required=False, min_value=1)
    since = DayField(label=gettext_lazy("From"), required=False, widget=DATE)
    until = DayField(label=gettext_lazy("To"), required=False, widget=DATE)


@staff_page(Permission.MANAGE_SETTINGS)
def audit_log(request: OfficeRequest) -> HttpResponse:
    """The organization's audit trail, newest first, 50 a page; `format=csv` exports it."""
    form = AuditFilter(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    zone = request.organization.zone
    slug = request.organization.slug
    events = audit_events(
        organization_id=request.organization.pk,
        actor=data.get("actor") or "",
        verb=data.get("verb") or "",
        household_id=data.get("household"),
        offering_id=data.get("offering"),
        since=dt.datetime.combine(data["since"], dt.time(), tzinfo=zone) if data.get("since") else None,
        until=dt.datetime.combine(data["until"] + dt.timedelta(days=1), dt.time(), tzinfo=zone)
        if data.get("until")
        else None,
    )
    columns = [
        Column(_("When")),
        Column(_("Who")),
        Column(_("What")),
        Column(_("About")),
        Column(_("Household")),
        Column(_("Channel")),
        Column(_("Details")),
    ]

    def rows(page: Iterable[AuditEvent]) -> list[list[object]]:
        return [
            [
                instant(e.created_at, zone),
                e.actor.get_username() if e.actor else e.actor_label,
                what,
                subject,
                Link(household, reverse("office:household", args=[slug, e.household_id])) if household else "",
                e.channel,
                details(e.data, zone),
            ]
            for e, what, subject, household in describe_with_subjects(page)
        ]

    if request.GET.get("format") == "csv":
        exported = list(events[:CSV_LIMIT])
        lines: list[list[object]] = []
        for start in range(0, len(exported), CSV_CHUNK):
            chunk = exported[start : start + CSV_CHUNK]
            lines += [[*row, event.verb] for row, event in zip(rows(chunk), chunk, strict=True)]
        table = Table(_("Audit log"), [*columns, Column(_("Verb"))], lines)
        return csv_response(table, f"{request.organization.slug}-audit.csv")
    page_obj = Paginator(events, 50).get_page(request.GET.get("page"))
    table = Table(_("Audit log, newest first"), columns, rows(page_obj), empty=_("No event matches."))
    return page_or_partial(
        request,
        "office/setup/audit.html",
        "results",
        {"form": form, "table": table, "page_obj": page_obj, "verbs": verb_options()},
    )
