"""Filters for notification templates. Rendering runs under `timezone.override(<the
organization's zone>)`, so `when` shows a moment as the organization's office sees it.

`format_money` and `format_instant` are also the pages' filters (ui/templatetags/ui.py), so an
amount or a moment reads the same in an email and on the page that it links to."""

from contextlib import nullcontext
from datetime import datetime, tzinfo
from decimal import ROUND_HALF_EVEN, Decimal
from zoneinfo import ZoneInfo

from django import template
from django.utils import dateformat, formats, numberformat, timezone, translation
from django.utils.translation import pgettext

from core.locale import organization_locale

register = template.Library()

# "Wednesday 4 March 2026, 9:00 a.m. EST"
WHEN_FORMAT = "l j F Y, g:i a T"
CENT = Decimal("0.01")


def format_money(value: Decimal | int | None, *, locale: str | None = None) -> str:
    """Exact, with two decimals and the locale's separators: "$1,234.50" in English, "-$3.00"
    below zero. `locale` is a language code ("fr-ca"); by default the active language. Where the
    symbol goes is the translation of "$%(amount)s" (context "money") in that language."""
    if value is None:
        return ""
    language = locale or translation.get_language() or "en"
    amount = Decimal(value).quantize(CENT, rounding=ROUND_HALF_EVEN)
    digits = numberformat.format(
        abs(amount),
        formats.get_format("DECIMAL_SEPARATOR", lang=language),
        decimal_pos=2,
        grouping=formats.get_format("NUMBER_GROUPING", lang=language),
        thousand_sep=formats.get_format("THOUSAND_SEPARATOR", lang=language),
        force_grouping=True,
    )
    same_language = language == translation.get_language()
    with nullcontext() if same_language else organization_locale(language):
        # Translators: an amount of money; put the currency symbol where your language does.
        text = pgettext("money", "$%(amount)s") % {"amount": digits}
    return f"-{text}" if amount < 0 else text


def format_instant(value: datetime | None, *, zone: tzinfo | str | None = None, fmt: str = WHEN_FORMAT) -> str:
    """A moment as a clock in `zone` shows it (the current time zone if None), in Django's date
    format syntax; month and day names come from the active language."""
    if value is None:
        return ""
    if isinstance(zone, str):
        zone = ZoneInfo(zone)
    return dateformat.format(timezone.localtime(value, zone), fmt)


@register.filter
def when(value: datetime | None) -> str:
    return format_instant(value)


@register.filter
def money(value: Decimal | int | None) -> str:
    """Exact, with two decimals and thousands separators: "$1,234.50"."""
    return format_money(value)
