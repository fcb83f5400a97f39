"""{% load portal %}: the shop's words for an offering (portal.describe)."""

from django import template

from capacity.selectors import Availability
from catalog.models import Schedule
from portal import describe

register = template.Library()


@register.filter
def seats_words(seats: Availability) -> str:
    return describe.availability_words(seats)


@register.filter
def seats_tone(seats: Availability) -> str:
    return describe.availability_tone(seats)


@register.filter
def schedule_words(schedule: Schedule) -> str:
    return describe.schedule_words(schedule)


@register.simple_tag
def ages_words(min_age: int | None, max_age: int | None) -> str:
    return describe.ages_words(min_age, max_age)
