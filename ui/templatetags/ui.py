"""{% load ui %}: formatting and small helpers for the page templates.

    {{ amount|money }}                    $1,234.50 in the active language
    {{ amount|money:"fr-ca" }}            in that locale's separators
    {{ starts_at|instant:org.time_zone }} Wednesday 4 March 2026, 9:00 a.m. EST
    {{ starts_at|instant_date:org.zone }} Wednesday 4 March 2026
    {{ starts_at|instant_time:org.zone }} 9:00 a.m. EST

Money and moments are formatted by the same functions as the emails
(notifications.templatetags.notification_format), so a page and the email that links to it agree.
"""

from collections.abc import Sequence
from datetime import datetime, tzinfo
from decimal import Decimal

from django import template
from django.conf import settings
from django.core.paginator import Page
from django.templatetags.static import static
from django.utils import translation
from django.utils.translation import pgettext_lazy

from core.locale import has_words_in
from notifications.templatetags.notification_format import format_instant, format_money
from ui.tables import Link, Tag

register = template.Library()

# Translators: Django date format (https://docs.djangoproject.com/en/stable/ref/templates/builtins/#date)
DATE_FORMAT = pgettext_lazy("instant format", "l j F Y")
TIME_FORMAT = pgettext_lazy("instant format", "g:i a T")
FULL_FORMAT = pgettext_lazy("instant format", "l j F Y, g:i a T")  # = WHEN_FORMAT of the emails
SPRITE = "ui/vendor/uswds/img/sprite.svg"


@register.filter
def money(value: Decimal | int | None, locale: str | None = None) -> str:
    return format_money(value, locale=locale or None)


@register.filter
def instant(value: datetime | None, zone: tzinfo | str | None = None) -> str:
    """The moment on a clock in `zone` (an organization's time zone), date and time."""
    return format_instant(value, zone=zone or None, fmt=str(FULL_FORMAT))


@register.filter
def instant_date(value: datetime | None, zone: tzinfo | str | None = None) -> str:
    return format_instant(value, zone=zone or None, fmt=str(DATE_FORMAT))


@register.filter
def instant_time(value: datetime | None, zone: tzinfo | str | None = None) -> str:
    return format_instant(value, zone=zone or None, fmt=str(TIME_FORMAT))


@register.simple_tag
def page_language() -> str:
    """<html lang>: the active language ("en-CA", "en-US") where the page's words are written in
    it, else English (WCAG 3.1.1: the language of the words, which a screen reader speaks them
    in). An fr-ca organization's pages have French money and dates among English words: "en"."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    if not has_words_in(language):
        return "en"
    return translation.to_locale(language).replace("_", "-")


@register.simple_tag
def page_numbers(page_obj: Page) -> list[int | None]:
    """The page numbers to link, None where an ellipsis goes: 1 … 4 5 6 … 20."""
    return [
        number if isinstance(number, int) else None  # the rest are the paginator's ELLIPSIS
        for number in page_obj.paginator.get_elided_page_range(page_obj.number, on_each_side=1, on_ends=1)
    ]


@register.simple_tag
def static_sprite(icon: str) -> str:
    """The URL of one icon in USWDS's sprite: <svg class="usa-icon"><use href="..."></use></svg>."""
    return f"{static(SPRITE)}#{icon}"


@register.filter
def index(sequence: Sequence[object], position: int) -> object:
    return sequence[position]


@register.filter
def cell_kind(cell: object) -> str:
    if isinstance(cell, Link):
        return "link"
    if isinstance(cell, Tag):
        return "tag"
    if isinstance(cell, list | tuple) and cell and all(isinstance(item, Link) for item in cell):
        return "links"
    return "value"
