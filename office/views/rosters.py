"""Instructors (issue 13, item 7; A3, A4): their classes, a class's meetings, and the roster of a
meeting where attendance and absences are recorded (read-only to the household afterwards),
printable (office/print.css) and exported as CSV."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from attendance.instructors import assign_instructor, sees_every_class
from attendance.models import Attendance
from attendance.rosters import Mark, class_meetings, classes_for, reasons_not_kept, roster, save_roster
from attendance.selectors import RosterLine, all_absence_reasons
from audit.models import Channel
from core.errors import DomainError
from office.access import OfficeRequest, staff_page
from office.csv_export import csv_response
from organizations.models import Permission, StaffMembership
from ui.tables import Column, Table

TEACHERS = (Permission.TEACH, Permission.ENROLL)


@staff_page(*TEACHERS)
def classes(request: OfficeRequest) -> HttpResponse:
    offerings = list(classes_for(membership=request.membership, now=timezone.now())[:500])
    return render(
        request,
        "office/classes/list.html",
        {"offerings": offerings, "every_class": sees_every_class(request.membership)},
    )


@staff_page(*TEACHERS)
def class_page(request: OfficeRequest, offering_id: int) -> HttpResponse:
    try:
        found = class_meetings(membership=request.membership, offering_id=offering_id)
    except DomainError:
        raise Http404("No such class.") from None
    if found is None:
        raise Http404("No such class.")
    can_assign = request.membership.has_permission(Permission.MANAGE_CATALOG)
    teachers = (
        [
            m
            for m in StaffMembership.objects.filter(organization=request.organization, is_active=True)
            .select_related("user")
            .order_by("user__last_name", "user__username")
            if m.has_permission(Permission.TEACH)
        ]
        if can_assign
        else []
    )
    assigned = {m.pk for m in found.instructors}
    return render(
        request,
        "office/classes/class.html",
        {
            "found": found,
            "offering": found.offering,
            "can_assign": can_assign,
            "candidates": [m for m in teachers if m.pk not in assigned],
            "now": timezone.now(),
        },
    )


@staff_page(Permission.MANAGE_CATALOG, methods=("POST",))
def class_instructors(request: OfficeRequest, offering_id: int) -> HttpResponse:
    """Assign (teaches=yes) or remove an instructor of the class."""
    instructor = request.POST.get("instructor", "")
    try:
        assign_instructor(
            membership=request.membership,
            offering_id=offering_id,
            instructor_id=int(instructor) if instructor.isdigit() else 0,
            teaches=request.POST.get("teaches") == "yes",
        )
        messages.success(request, _("The class's instructors were changed."))
    except DomainError as refused:
        messages.error(request, str(refused))
    return redirect("office:class_meetings", slug=request.organization.slug, offering_id=offering_id)


def _status_words(attendance: Attendance | None) -> str:
    if attendance is None:
        return ""
    words = attendance.get_status_display()
    return f"{words}: {attendance.reason.name}" if attendance.reason else words


@staff_page(*TEACHERS, methods=("GET", "POST"))
def meeting_roster(request: OfficeRequest, meeting_id: int) -> HttpResponse:
    """GET: the roster (?format=csv: as CSV). POST status-<participant>/reason-<participant>:
    save the attendance of every row."""
    try:
        meeting, lines = roster(membership=request.membership, meeting_id=meeting_id)
    except DomainError:
        raise Http404("No such meeting.") from None
    refusal = ""
    if request.method == "POST":
        marks = _marks(request, [line.registration.participant_id for line in lines])
        try:
            changed = save_roster(
                membership=request.membership, meeting_id=meeting.pk, marks=marks, channel=Channel.OFFICE
            )
            messages.success(request, _("Attendance saved (%(count)s changed).") % {"count": changed})
            _tell_reasons_not_kept(request, lines, reasons_not_kept(marks))
            return redirect("office:roster", slug=request.organization.slug, meeting_id=meeting.pk)
        except DomainError as refused:
            refusal = str(refused)
    if request.GET.get("format") == "csv":
        table = Table(
            _("Roster"),
            [Column(_("Participant")), Column(_("Household")), Column(_("Phone")), Column(_("Attendance"))],
            [
                [
                    line.registration.participant.full_name if line.registration.participant else "",
                    line.registration.household.name,
                    line.registration.household.phone,
                    _status_words(line.attendance),
                ]
                for line in lines
            ],
        )
        return csv_response(table, f"roster-{meeting.offering.name}-{meeting.starts_at:%Y-%m-%d}.csv")
    return render(
        request,
        "office/classes/roster.html",
        {
            "meeting": meeting,
            "offering": meeting.offering,
            "lines": lines,
            "reasons": [r for r in all_absence_reasons(organization_id=request.organization.pk) if r.is_active],
            "refusal": refusal,
        },
        status=409 if refusal else 200,
    )


def _tell_reasons_not_kept(request: OfficeRequest, lines: list[RosterLine], marks: list[Mark]) -> None:
    names = {line.registration.participant_id: line.registration.participant for line in lines}
    reasons = {r.pk: r.name for r in all_absence_reasons(organization_id=request.organization.pk)}
    for mark in marks:
        person = names.get(mark.participant_id)
        messages.warning(
            request,
            _(
                "%(name)s is recorded present; the absence reason %(reason)s was not kept: only an absence has a "
                "reason. Mark them absent to keep it."
            )
            % {"name": person.full_name if person else "", "reason": reasons.get(mark.reason_id or 0, "")},
        )


def _marks(request: OfficeRequest, participant_ids: list[int | None]) -> list[Mark]:
    marks = []
    for participant_id in participant_ids:
        if participant_id is None or f"status-{participant_id}" not in request.POST:
            continue
        status = request.POST.get(f"status-{participant_id}", "")
        reason = request.POST.get(f"reason-{participant_id}", "")
        marks.append(
            Mark(
                participant_id=participant_id,
                status=status if status in Attendance.Status.values else "",
                reason_id=int(reason) if reason.isdigit() else None,
            )
        )
    return marks
