"""Who may open an office page: one decorator every office view wears (X1).

    @staff_page(Permission.ENROLL, methods=("GET", "POST"))
    def enroll(request: OfficeRequest, household_id: int) -> HttpResponse: ...

It resolves the organization from the URL's `slug`, requires an active staff membership of
THAT organization (anyone else, a customer or another organization's staff, gets the same
404 as an unknown organization: no existence oracle), checks the declared permission
server-side (403 without it) and hands the view `request.membership` and
`request.organization`; the view gets its other URL keywords, not the slug, and runs (its page
renders) in the organization's locale (decision 0025). A visitor who is
not signed in goes to the sign-in page, whatever the slug. The declaration stays on the view
(`office_access`), so the route x role matrix test (office/tests/test_route_matrix.py) reads
what each route promises from the URL configuration itself.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, cast

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed

from core.locale import organization_locale
from organizations.models import Organization, StaffMembership
from organizations.selectors import staff_membership_for


class OfficeRequest(HttpRequest):
    """An office page's request, once `staff_page` let it through."""

    membership: StaffMembership
    organization: Organization


@dataclass(frozen=True)
class Access:
    """What a route declares: any one of `permissions` lets a staff member in (none: every
    active staff member of the organization), for these HTTP methods."""

    permissions: tuple[str, ...]
    methods: tuple[str, ...]

    def allows(self, membership: StaffMembership) -> bool:
        return membership.is_active and (
            not self.permissions or any(membership.has_permission(p) for p in self.permissions)
        )


View = Callable[..., HttpResponse]


def staff_page(*permissions: str, methods: tuple[str, ...] = ("GET",)) -> Callable[[View], View]:
    """Wrap an office view: sign-in, organization, membership, permission, method (X1)."""
    access = Access(permissions=tuple(permissions), methods=tuple(methods))

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, slug: str, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = staff_membership_for(user_id=request.user.pk, slug=slug)
            if membership is None:
                raise Http404("No such office.")
            if not access.allows(membership):
                raise PermissionDenied
            if request.method not in access.methods:
                return HttpResponseNotAllowed(access.methods)
            office_request = cast(OfficeRequest, request)
            office_request.membership = membership
            office_request.organization = membership.organization
            # The organization's money, numbers and dates (its locale), for this response only.
            with organization_locale(membership.organization.locale):
                return view(office_request, **kwargs)

        wrapper.office_access = access  # type: ignore[attr-defined]
        return wrapper

    return decorate


def access_of(view: Callable[..., Any]) -> Access | None:
    """The access a view declared with `staff_page`, or None if it declared none."""
    return getattr(view, "office_access", None)
