"""Who is asking, for which organization: permission- and tenant-checked fetches (X1)."""

from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest

from api.parser import parse_json
from households.models import Household
from organizations.errors import OrganizationNotFound, PermissionDenied
from organizations.models import Organization


class ApiRequest(HttpRequest):
    """The request of an endpoint behind `api.auth.AUTH`, as the type checker should see it:
    ninja sets `auth` to the user the authenticator returned. (Only an annotation: the
    request is Django's own.)"""

    auth: User


def organization(slug: str) -> Organization:
    found = Organization.objects.filter(slug=slug).first()
    if found is None:
        raise OrganizationNotFound
    return found


def customer_household(request: ApiRequest, slug: str) -> Household:
    """The caller's own household in this organization (no query when the bearer token was
    resolved together with it, one otherwise). Staff act on other households through the
    staff endpoints, never through these."""
    resolved = getattr(request, "customer_household", None)
    if resolved is not None and resolved.organization.slug == slug and resolved.payer_id == request.auth.pk:
        return resolved
    household = (
        Household.objects.select_related("organization")
        .filter(organization__slug=slug, payer_id=request.auth.pk)
        .first()
    )
    if household is None:
        organization(slug)  # 404 for an unknown organization
        raise PermissionDenied("You have no customer account (household) in this organization.")
    return household


def json_body(request: HttpRequest) -> Any:
    """The request's JSON body, for an endpoint whose fields the domain validates itself (so
    that the page and the API refuse with the same words); malformed JSON is a 400, and so is
    text with a control character (api.parser)."""
    return parse_json(request.body)
