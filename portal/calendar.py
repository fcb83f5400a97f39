"""The household's private calendar feed (issue 12 item 8): its upcoming meetings as iCalendar
(RFC 5545, written by the `icalendar` package), one event per participant and meeting, with
any absence recorded for it. Instants are written in UTC; calendar apps show them in their own
zone."""

from datetime import datetime

from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from attendance.selectors import upcoming_courses
from households.models import Household


def household_calendar(household: Household, *, now: datetime) -> bytes:
    organization = household.organization
    calendar = Calendar()
    calendar.add("prodid", "-//Registrar//Customer portal//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"{organization.name}: {household.name}")
    calendar.add("x-wr-timezone", organization.time_zone)
    for course in upcoming_courses(household=household, now=now):
        registration = course.registration
        who = registration.participant.full_name if registration.participant else ""
        for line in course.meetings:
            if not line.is_upcoming:
                continue
            meeting = line.meeting
            event = Event()
            event.add("uid", f"meeting-{meeting.pk}-registration-{registration.pk}@{organization.slug}.registrar")
            event.add("dtstamp", now)
            event.add("dtstart", meeting.starts_at)
            event.add("dtend", meeting.ends_at)
            event.add("summary", f"{registration.offering.name}: {who}" if who else registration.offering.name)
            if meeting.location:
                event.add("location", meeting.location)
            if line.attendance is not None and line.attendance.status == "absent":
                reason = line.attendance.reason.name if line.attendance.reason else ""
                event.add(
                    "description", _("Marked absent: %(reason)s") % {"reason": reason} if reason else _("Marked absent")
                )
                event.add("transp", "TRANSPARENT")
            calendar.add_component(event)
    return calendar.to_ical()
