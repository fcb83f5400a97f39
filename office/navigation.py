"""The office's navigation: each entry shows only to staff holding one of its permissions, and
only once its page exists (a URL name not yet in office/urls.py is skipped)."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from organizations.models import Permission, StaffMembership

# Staff who work at the desk: they find households and see what is pending.
DESK = (Permission.ENROLL, Permission.TAKE_PAYMENTS, Permission.DELETE_ENROLLMENTS)


@dataclass(frozen=True)
class NavEntry:
    url_name: str
    label: str | Promise
    permissions: tuple[str, ...]  # any one of them shows the entry; none: every staff member


@dataclass(frozen=True)
class NavLink:
    label: str
    href: str
    is_current: bool


ENTRIES = (
    NavEntry("office:households", _("Households"), DESK),
    NavEntry("office:walkup", _("Walk-up sale"), (Permission.ENROLL,)),
    NavEntry("office:pending", _("Pending"), DESK),
    NavEntry("office:offerings", _("Occupancy"), DESK),
    NavEntry("office:approvals", _("Rental approvals"), (Permission.ENROLL,)),
    NavEntry("office:calendar", _("Calendar"), DESK),
    NavEntry("office:alerts", _("Payments and alerts"), (Permission.TAKE_PAYMENTS,)),
    NavEntry("office:classes", _("My classes"), (Permission.TEACH,)),
    # The `admin` helper's administration pages (issue 14) hang under this entry.
    NavEntry("office:setup", _("Setup"), (Permission.MANAGE_SETTINGS, Permission.MANAGE_CATALOG)),
    NavEntry("office:reports", _("Reports"), (Permission.MANAGE_SETTINGS,)),
)


def office_navigation(membership: StaffMembership, *, current_path: str) -> list[NavLink]:
    """The entries this staff member may open, with the one they are on marked."""
    links = []
    for entry in ENTRIES:
        if entry.permissions and not any(membership.has_permission(p) for p in entry.permissions):
            continue
        try:
            href = reverse(entry.url_name, kwargs={"slug": membership.organization.slug})
        except NoReverseMatch:
            continue
        links.append(NavLink(label=str(entry.label), href=href, is_current=current_path.startswith(href)))
    return links
