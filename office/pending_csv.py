"""The Pending list as CSV (issue 13, item 7): the same rows as the page, every page of them, with
the same filters; the registrations read in chunks (four related tables joined, no query per row)."""

from collections.abc import Iterable
from datetime import datetime, tzinfo

from django.utils.translation import gettext as _

from carts.selectors import OpenCartRow
from office.words import CHANNELS, PAYMENT_STATES
from organizations.models import Organization
from registrations.models import Registration
from registrations.selectors import payment_status
from ui.tables import Column, Table


def _when(moment: datetime | None, zone: tzinfo) -> str:
    """A spreadsheet-friendly local time: 2026-12-06 09:05."""
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment else ""


def registrations_table(registrations: Iterable[Registration], organization: Organization, now: datetime) -> Table:
    zone = organization.zone
    rows = []
    for r in registrations:
        status = payment_status(r, organization, now)
        rows.append(
            [
                r.household.name,
                r.household.email,
                r.participant.full_name if r.participant else "",
                r.offering.name,
                r.order.number,
                _when(r.submitted_at, zone),
                r.order.total,
                r.order.amount_paid,
                str(PAYMENT_STATES[status.state]),
                _when(status.scheduled_for_deletion_at, zone),
            ]
        )
    return Table(
        _("Incomplete registrations"),
        [
            Column(_("Household")),
            Column(_("Email")),
            Column(_("Participant")),
            Column(_("Offering")),
            Column(_("Order")),
            Column(_("Submitted")),
            Column(_("Order total"), numeric=True),
            Column(_("Paid on the order"), numeric=True),
            Column(_("Payment state")),
            Column(_("Scheduled for deletion")),
        ],
        rows,
    )


def carts_table(carts: Iterable[OpenCartRow], zone: tzinfo) -> Table:
    rows = [
        [
            row.cart.household.name,
            row.cart.household.email,
            "; ".join(
                f"{c.offering.name} ({c.participant.full_name})" if c.participant else c.offering.name
                for c in row.items
            ),
            _when(row.cart.first_added_at, zone),
            str(CHANNELS.get(row.cart.channel, row.cart.channel)),
            _when(row.cart.expires_at, zone),
            sum((c.price for c in row.items), start=0),
        ]
        for row in carts
    ]
    return Table(
        _("Open carts"),
        [
            Column(_("Household")),
            Column(_("Email")),
            Column(_("Held")),
            Column(_("Started")),
            Column(_("Channel")),
            Column(_("Expires")),
            Column(_("Total"), numeric=True),
        ],
        rows,
    )
