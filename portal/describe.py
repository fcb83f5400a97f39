"""How the shop says things about an offering, in words a family reads (C4, C5): its live
availability, its weekly meetings, its ages. Presentation only: the facts come from
capacity.storefront."""

from datetime import time

from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from capacity.selectors import Availability
from catalog.models import Schedule

WEEKDAYS_PLURAL = (
    # Schedule.weekdays: 0 Monday ... 6 Sunday
    lambda: _("Mondays"),
    lambda: _("Tuesdays"),
    lambda: _("Wednesdays"),
    lambda: _("Thursdays"),
    lambda: _("Fridays"),
    lambda: _("Saturdays"),
    lambda: _("Sundays"),
)


def availability_words(seats: Availability) -> str:
    """C4/C5 in a sentence: "3 of 20 left", "Full — 2 seats are held in carts and may come back"."""
    if seats.capacity is None:
        return _("Open: no limit on places")
    free = seats.free or 0
    if free > 0:
        return _("%(free)s of %(capacity)s left") % {"free": free, "capacity": seats.capacity}
    if seats.held:
        return ngettext(
            "Full — %(held)s seat is held in a cart and may come back",
            "Full — %(held)s seats are held in carts and may come back",
            seats.held,
        ) % {"held": seats.held}
    return _("Full")


def availability_tone(seats: Availability) -> str:
    """The status tag's tone (ui/includes/status_tag.html): the words carry the meaning."""
    if seats.capacity is None:
        return "success"
    free = seats.free or 0
    if free == 0:
        return "error" if not seats.held else "warning"
    return "warning" if free <= max(1, seats.capacity // 10) else "success"


def _clock(value: time) -> str:
    return time_format(value, "g:i a")


def schedule_words(schedule: Schedule) -> str:
    """ "Mondays and Wednesdays, 9:00 a.m. to 10:00 a.m., Pool A"."""
    days = [WEEKDAYS_PLURAL[d]() for d in sorted(set(schedule.weekdays)) if 0 <= d <= 6]
    if len(days) > 1:
        day_text = _("%(first)s and %(last)s") % {"first": ", ".join(days[:-1]), "last": days[-1]}
    else:
        day_text = days[0] if days else ""
    text = _("%(days)s, %(start)s to %(end)s") % {
        "days": day_text,
        "start": _clock(schedule.starts_at),
        "end": _clock(schedule.ends_at),
    }
    if schedule.location:
        text = _("%(when)s, %(place)s") % {"when": text, "place": schedule.location}
    return text


def ages_words(min_age: int | None, max_age: int | None) -> str:
    if min_age is not None and max_age is not None:
        return _("Ages %(min)s to %(max)s") % {"min": min_age, "max": max_age}
    if min_age is not None:
        return _("Ages %(min)s and up") % {"min": min_age}
    if max_age is not None:
        return _("Ages up to %(max)s") % {"max": max_age}
    return _("All ages")
