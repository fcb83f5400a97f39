"""Setup > Staff and permissions (X1): who works in the office and what each may do, changed by
an administrator (organizations.staff: audited, the last manager of the settings kept)."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from audit.models import Channel
from core.errors import DomainError
from office.access import OfficeRequest, staff_page
from office.rendering import refusal_status
from organizations.errors import InvalidSettings
from organizations.models import Permission
from organizations.staff import change_staff_member, staff_of


@staff_page(Permission.MANAGE_SETTINGS, methods=("GET", "POST"))
def staff(request: OfficeRequest) -> HttpResponse:
    """GET: the staff with their permissions. POST member=<id>, permissions (several), active:
    change that member."""
    refusal, status = "", 200
    if request.method == "POST":
        member_id = request.POST.get("member", "")
        try:
            if not member_id.isdigit():
                raise InvalidSettings(_("Choose the staff member to change."))
            changed = change_staff_member(
                membership=request.membership,
                member_id=int(member_id),
                permissions=request.POST.getlist("permissions"),
                is_active=request.POST.get("active") == "yes",
                channel=Channel.OFFICE,
            )
        except DomainError as refused:
            refusal, status = str(refused), refusal_status(refused)
        else:
            name = changed.user.get_full_name() or changed.user.get_username()
            messages.success(request, _("%(name)s's permissions were saved.") % {"name": name})
            return redirect("office:setup_staff", slug=request.organization.slug)
    members = staff_of(organization_id=request.organization.pk)
    context = {"members": members, "permissions": Permission.choices, "refusal": refusal}
    return render(request, "office/setup/staff.html", context, status=status)
