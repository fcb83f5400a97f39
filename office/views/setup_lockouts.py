"""Setup > Sign-in lock-outs (X6): the organization's people locked out for too many failed
sign-ins, and lifting a lock-out."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import Channel
from core.errors import DomainError
from households.lockouts import lift_lockout, organization_lockouts
from office.access import OfficeRequest, staff_page
from organizations.models import Permission


@staff_page(Permission.MANAGE_SETTINGS, methods=("GET", "POST"))
def lockouts(request: OfficeRequest) -> HttpResponse:
    """GET: the lock-outs in force. POST lockout=<id>: lift it."""
    if request.method == "POST":
        raw = request.POST.get("lockout", "")
        try:
            lifted = lift_lockout(
                membership=request.membership, lockout_id=int(raw) if raw.isdigit() else 0, channel=Channel.OFFICE
            )
            messages.success(request, _("%(name)s may sign in again.") % {"name": lifted.key})
        except DomainError as refused:
            messages.error(request, str(refused))
        return redirect("office:setup_lockouts", slug=request.organization.slug)
    rows = organization_lockouts(organization_id=request.organization.pk, now=timezone.now())
    return render(request, "office/setup/lockouts.html", {"lockouts": rows})
