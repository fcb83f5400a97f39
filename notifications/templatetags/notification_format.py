"""Filters for notification templates. Rendering runs under `timezone.override(<the
organization's zone>)`, so `when` shows a moment as the organization's office sees it."""

from datetime import datetime
from decimal import Decimal

from django import template
from django.utils import dateformat, timezone

register = template.Library()

# "Wednesday 4 March 2026, 9:00 a.m. EST"
WHEN_FORMAT = "l j F Y, g:i a T"


@register.filter
def when(value: datetime | None) -> str:
    if value is None:
        return ""
    return dateformat.format(timezone.localtime(value), WHEN_FORMAT)


@register.filter
def money(value: Decimal | int | None) -> str:
    """Exact, with two decimals and thousands separators: "$1,234.50"."""
    if value is None:
        return ""
    amount = Decimal(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}${abs(amount):,.2f}"
