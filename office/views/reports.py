"""Reports (issue 14): occupancy by program, registrations and revenue by day, incomplete
registrations by payment state; each a chart drawn as SVG on the server (reports/charts.py,
decision 0010) with the same rows as a table under it, and as CSV."""

import datetime as dt

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

from office.access import OfficeRequest, staff_page
from office.csv_export import csv_response
from organizations.models import Permission
from reports import charts
from reports.selectors import incomplete_by_payment_state, occupancy_by_program, registrations_and_revenue_by_day
from ui.tables import Column, Table
from ui.templatetags.ui import money

PARTS = ("confirmed", "tentative", "held", "free")
STATE_WORDS = {
    "incomplete_or_pending": "Incomplete or pending",
    "payment_incomplete": "Payment incomplete",
    "partially_paid": "Partially paid",
}


@staff_page(Permission.MANAGE_SETTINGS)
def home(request: OfficeRequest) -> HttpResponse:
    return render(request, "office/reports/home.html", {})


@staff_page(Permission.MANAGE_SETTINGS)
def occupancy(request: OfficeRequest) -> HttpResponse:
    rows = occupancy_by_program(organization=request.organization, now=timezone.now())
    table = Table(
        _("Seats by program"),
        [
            Column(_("Program")),
            *(Column(_(p.capitalize()), numeric=True) for p in PARTS),
            Column(_("Capacity"), numeric=True),
        ],
        [[r.program, r.confirmed, r.tentative, r.held, r.free, r.capacity] for r in rows],
        empty=_("No offering with a capacity yet."),
    )
    if request.GET.get("format") == "csv":
        return csv_response(table, f"{request.organization.slug}-occupancy.csv")
    chart = charts.stacked_bars([(r.program, [(p, getattr(r, p)) for p in PARTS]) for r in rows])
    legend = [(_(p.capitalize()), charts.TONES[p]) for p in PARTS]
    return render(
        request,
        "office/reports/chart.html",
        {
            "heading": _("Occupancy by program"),
            "chart": chart,
            "table": table,
            "legend": legend,
            "summary": _("Seats confirmed, tentative (unpaid), held in carts and free, per program, right now."),
        },
    )


@staff_page(Permission.MANAGE_SETTINGS)
def days(request: OfficeRequest) -> HttpResponse:
    last = timezone.localdate(timezone.now(), request.organization.zone)
    rows = registrations_and_revenue_by_day(
        organization=request.organization, first=last - dt.timedelta(days=29), last=last
    )
    table = Table(
        _("Registrations and money received, last 30 days"),
        [Column(_("Day")), Column(_("Registrations"), numeric=True), Column(_("Money received"), numeric=True)],
        [[d.day.isoformat(), d.registrations, money(d.revenue)] for d in rows],
    )
    if request.GET.get("format") == "csv":
        return csv_response(table, f"{request.organization.slug}-days.csv")
    return render(
        request,
        "office/reports/chart.html",
        {
            "heading": _("Registrations and revenue by day"),
            "charts": [
                (
                    _("Registrations per day"),
                    charts.columns([(dateformat.format(d.day, "M d"), d.registrations) for d in rows]),
                ),
                (
                    _("Money received per day"),
                    charts.columns([(dateformat.format(d.day, "M d"), d.revenue) for d in rows]),
                ),
            ],
            "table": table,
            "summary": _("Each day of the last 30, in the organization's time zone."),
        },
    )


@staff_page(Permission.MANAGE_SETTINGS)
def incomplete(request: OfficeRequest) -> HttpResponse:
    counts = incomplete_by_payment_state(organization=request.organization, now=timezone.now())
    rows = [(_(STATE_WORDS[str(state)]), n) for state, n in counts.items()]
    table = Table(
        _("Registrations not paid in full"),
        [Column(_("Payment state")), Column(_("Registrations"), numeric=True)],
        [[label, n] for label, n in rows],
    )
    if request.GET.get("format") == "csv":
        return csv_response(table, f"{request.organization.slug}-incomplete.csv")
    chart = charts.stacked_bars([(label, [("bar", n)]) for label, n in rows])
    return render(
        request,
        "office/reports/chart.html",
        {
            "heading": _("Incomplete registrations by payment state"),
            "chart": chart,
            "table": table,
            "summary": _("Live registrations with money still owing (P3)."),
        },
    )
