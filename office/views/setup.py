from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from office.access import OfficeRequest, staff_page
from organizations.models import Permission


@staff_page(Permission.MANAGE_SETTINGS, Permission.MANAGE_CATALOG)
def setup(request: OfficeRequest) -> HttpResponse:
    """Administration (issue 14): where each setup page starts, for what this staff member may do."""
    slug = request.organization.slug
    entries = []
    if request.membership.has_permission(Permission.MANAGE_SETTINGS):
        entries += [
            (
                "office:setup_settings",
                _("Settings"),
                _("Timers, grace period, notices, payments; previewed before saving."),
            ),
            ("office:reports", _("Reports"), _("Occupancy, registrations and revenue, incomplete registrations.")),
            ("office:setup_staff", _("Staff and permissions"), _("Who works in the office and what each may do.")),
            ("office:setup_lockouts", _("Sign-in lock-outs"), _("People locked out after failed sign-ins.")),
            ("office:setup_audit", _("Audit log"), _("Who did what, to which household or offering, when.")),
            ("office:setup_outbox", _("Email outbox"), _("Queued, sent and failing emails.")),
            ("office:setup_worker", _("Worker"), _("The background jobs: last run, lag, failures.")),
            (
                "office:setup_absence_reasons",
                _("Absence reasons"),
                _("Why a participant misses a meeting; which reasons families may choose."),
            ),
        ]
    if request.membership.has_permission(Permission.MANAGE_CATALOG):
        entries += [
            ("office:setup_offerings", _("Offerings"), _("Classes, camps and memberships, their schedules.")),
            ("office:setup_programs", _("Programs"), _("Offerings season by season; copy a season forward.")),
            ("office:setup_closures", _("Closures and holidays"), _("Days without meetings.")),
            ("office:setup_facilities", _("Facilities"), _("Bookable hours, rental slots, approval of bookings.")),
        ]
    entries += [("office:setup_imports", _("Import"), _("Offerings or households from a CSV file, checked first."))]
    return render(
        request,
        "office/setup/home.html",
        {"entries": [(reverse(name, kwargs={"slug": slug}), label, text) for name, label, text in entries]},
    )
