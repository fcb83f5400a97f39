"""Who may open a portal page: one decorator every portal view wears (X1).

    @portal_page(methods=("GET", "POST"), customer=True)
    def cart(request: PortalRequest) -> HttpResponse: ...

It resolves the organization from the URL's `slug` (an unknown one is a 404) and hands the view
`request.organization` and `request.household`: the signed-in person's household in THIS
organization, or None (a visitor, staff, or someone with an account elsewhere). The catalog is
open to everyone; `customer=True` pages (the cart, the add) send a visitor to sign in and tell a
signed-in person without a household here how to get one. Anything of a household is then
fetched through `request.household`, so one household never reaches another's rows (the
fetches 404, as the API does). The view gets its other URL keywords, not the slug. The view runs,
and its page renders, in the organization's locale (decision 0025).
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, cast

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render
from django.urls import reverse
from django_htmx.middleware import HtmxDetails

from accounts.backends import user_along_with
from core.locale import organization_locale
from core.querycache import CompiledQuery, Pending
from households.models import Household
from organizations.models import Organization


class PortalRequest(HttpRequest):
    """A portal page's request, once `portal_page` let it through."""

    organization: Organization
    household: Household | None
    htmx: HtmxDetails  # django-htmx's middleware


@dataclass(frozen=True)
class Access:
    methods: tuple[str, ...]
    customer: bool  # the page needs the signed-in person's household in this organization


View = Callable[..., HttpResponse]


def organization_for(slug: str) -> Organization:
    organization = Organization.objects.filter(slug=slug).first()
    if organization is None:
        raise Http404("No such organization.")
    return organization


# Every portal page of a signed-in family asks this, the add on registration morning too: its
# SQL is compiled once per process (core.querycache), as the API's token lookup is.
_HOUSEHOLD_OF_PAYER = CompiledQuery(
    Household,
    lambda *, slug, payer_id: Household.objects.filter(organization__slug=slug, payer_id=payer_id).order_by("pk")[:1],
    related=("organization",),
)


def customer_household(request: HttpRequest, *, slug: str) -> Household | None:
    """The signed-in person's household in the organization of this slug (the payer's login),
    with its organization, read in the same round trip as the person (accounts.backends); None
    for a visitor or someone without one there."""

    def household_of(user_id: int) -> list[Pending[Household]]:
        return [_HOUSEHOLD_OF_PAYER.pending(slug=slug, payer_id=user_id)]

    answered = user_along_with(request, household_of)
    found = answered[0].objects() if answered else []
    return found[0] if found else None


def portal_page(*, methods: tuple[str, ...] = ("GET",), customer: bool = False) -> Callable[[View], View]:
    """Wrap a portal view: organization, household, sign-in when the page needs one, method."""
    access = Access(methods=tuple(methods), customer=customer)

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, slug: str, **kwargs: Any) -> HttpResponse:
            household = customer_household(request, slug=slug)
            user_id = request.user.pk if request.user.is_authenticated else None
            organization = household.organization if household else organization_for(slug)
            if request.method not in access.methods:
                return HttpResponseNotAllowed(access.methods)
            portal_request = cast(PortalRequest, request)
            portal_request.organization = organization
            portal_request.household = household
            # The organization's money, numbers and dates (its locale), for this response only:
            # the view renders inside, and the next request on this thread starts from the default.
            with organization_locale(organization.locale):
                if access.customer and portal_request.household is None:
                    if user_id is None:  # the organization's own sign-in, with its sign-up link
                        return redirect_to_login(request.get_full_path(), reverse("portal:login", args=[slug]))
                    return render(request, "portal/no_household.html", status=403)
                return view(portal_request, **kwargs)

        wrapper.portal_access = access  # type: ignore[attr-defined]
        return wrapper

    return decorate


def access_of(view: Callable[..., Any]) -> Access | None:
    """The access a view declared with `portal_page`, or None if it declared none."""
    return getattr(view, "portal_access", None)
