"""Upcoming courses (issue 12 item 7; A1-A3): each course with its meetings and the balance
owing on its order (with its add-to-cart button, B3, B4); per upcoming meeting, mark the
participant absent with a reason usable by customers, change or clear it; what an instructor
recorded is shown, read-only."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from attendance.errors import MeetingNotFound
from attendance.selectors import absence_reasons, upcoming_courses
from attendance.services import clear_absence, mark_absent
from audit.models import Channel
from core.errors import DomainError
from portal.access import PortalRequest, portal_page
from portal.forms_account import AbsenceForm
from portal.views_account import household_of


def form_prefix(participant_id: int | None, meeting_id: int) -> str:
    return f"absence-{participant_id}-{meeting_id}"


def _page(request: PortalRequest, failed: AbsenceForm | None = None, status: int = 200) -> HttpResponse:
    household = household_of(request)
    reasons = absence_reasons(organization_id=household.organization_id, for_customers=True)
    courses = upcoming_courses(household=household, now=timezone.now())
    rows = []
    for course in courses:
        participant_id = course.registration.participant_id
        lines = []
        for line in course.meetings:
            form = None
            if line.can_change and participant_id is not None:
                prefix = form_prefix(participant_id, line.meeting.pk)
                if failed is not None and failed.prefix == prefix:
                    form = failed
                else:
                    initial = {"reason": line.attendance.reason_id} if line.attendance else {}
                    form = AbsenceForm(prefix=prefix, reasons=reasons, initial=initial)
            lines.append((line, form))
        rows.append((course, lines))
    return render(
        request,
        "portal/account/upcoming.html",
        {"rows": rows, "reasons": reasons},
        status=status,
    )


@portal_page(customer=True)
def upcoming(request: PortalRequest) -> HttpResponse:
    return _page(request)


@portal_page(methods=("POST",), customer=True)
def absence(request: PortalRequest, participant_id: int, meeting_id: int) -> HttpResponse:
    """Mark absent (or change the reason) with the form's reason, or clear with action=clear."""
    household = household_of(request)
    back = reverse("portal:upcoming", args=[request.organization.slug]) + f"#meeting-{participant_id}-{meeting_id}"
    try:
        if request.POST.get("action") == "clear":
            clear_absence(
                household=household,
                participant_id=participant_id,
                meeting_id=meeting_id,
                channel=Channel.PORTAL,
                actor_id=request.user.pk,
            )
            messages.success(request, _("The absence was cleared."))
            return redirect(back)
        reasons = absence_reasons(organization_id=household.organization_id, for_customers=True)
        form = AbsenceForm(request.POST, prefix=form_prefix(participant_id, meeting_id), reasons=reasons)
        if not form.is_valid():
            return _page(request, failed=form)
        mark_absent(
            household=household,
            participant_id=participant_id,
            meeting_id=meeting_id,
            reason_id=form.cleaned_data["reason"].pk,
            channel=Channel.PORTAL,
            actor_id=request.user.pk,
        )
    except MeetingNotFound as error:
        raise Http404(str(error)) from None
    except DomainError as error:
        messages.error(request, str(error))
        return redirect(back)
    messages.success(request, _("Saved: the absence is recorded and the instructor will see it."))
    return redirect(back)
