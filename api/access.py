"""Who may call an API operation: one decorator on every endpoint, under the router's (X1).

    @router.post("/orgs/{slug}/staff/orders/{order_id}/payments", response=answers(201, PaymentOut))
    @staff(Permission.TAKE_PAYMENTS)
    def record_payment(request: StaffRequest, slug: str, order_id: Id, payload: OfflinePaymentIn) -> Status: ...

| declaration | who gets in | everyone else |
| --- | --- | --- |
| `@public` | anybody, signed in or not | - |
| `@signed` | a payment provider's webhook: the view checks the signature itself | - |
| `@signed_in` | any signed-in user (e.g. a login adding its household to an organization) | 401 |
| `@customer` | a signed-in user with a household in the organization (`request.household`) | 401 not signed in; 403 no household there |
| `@staff(*permissions)` | active staff of the organization holding any one of the permissions (none: any active staff); `request.membership`, `request.organization` | 401 not signed in; 404 not staff of it, exactly as an unknown organization (no existence oracle); 403 staff without the permission, before any row is looked up |

The declaration stays on the view (`api_access`), so the route x role x tenant matrix
(api/tests/test_api_matrix.py) reads what each operation promises from the API itself, and
fails for an operation that declares nothing. A service still checks its own permission: the
declaration is the first gate, not the only one. A staff operation whose scope is narrower
than its permission (an instructor and their own classes) fetches through a selector of the
domain app that takes the membership.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import wraps
from typing import Any, Literal, cast

from django.http import HttpRequest

from api.context import ApiRequest, customer_household
from households.models import Household
from organizations.errors import OrganizationNotFound
from organizations.models import Organization, StaffMembership
from organizations.selectors import staff_membership_for
from organizations.services import require_permission

Audience = Literal["public", "signed", "user", "customer", "staff"]


@dataclass(frozen=True)
class ApiAccess:
    """What an operation declares: its audience and, for staff, any one of `permissions`
    (none: every active staff member of the organization)."""

    audience: Audience
    permissions: tuple[str, ...] = ()

    def allows(self, membership: StaffMembership) -> bool:
        return membership.is_active and (
            not self.permissions or any(membership.has_permission(p) for p in self.permissions)
        )


class CustomerRequest(ApiRequest):
    """The request of a `@customer` operation: the caller's own household in the organization."""

    household: Household


class StaffRequest(ApiRequest):
    """The request of a `@staff` operation, once the declaration let it through."""

    membership: StaffMembership
    organization: Organization


View = Callable[..., Any]


def _declare(view: View, access: ApiAccess) -> View:
    view.api_access = access  # type: ignore[attr-defined]
    return view


def public(view: View) -> View:
    """Anybody may call it (the catalog). Put `auth=None` on its route too."""
    return _declare(view, ApiAccess("public"))


def signed(view: View) -> View:
    """A provider's webhook: no user, the view verifies the delivery's signature."""
    return _declare(view, ApiAccess("signed"))


def admit(request: HttpRequest, slug: str, access: ApiAccess) -> None:
    """Let the signed-in caller (`request.auth`) through `access` for the organization `slug`,
    or refuse: 404 to whoever is not its staff (as for an unknown organization), 403 to staff
    without the permission, 403 to a user with no household there. Sets `request.household`
    or `request.membership` and `request.organization`; a second call does nothing."""
    if access.audience == "customer" and not hasattr(request, "household"):
        customer_request = cast(CustomerRequest, request)
        customer_request.household = customer_household(customer_request, slug)
    elif access.audience == "staff" and not hasattr(request, "membership"):
        staff_request = cast(StaffRequest, request)
        membership = staff_membership_for(user_id=staff_request.auth.pk, slug=slug)
        if membership is None:
            raise OrganizationNotFound
        if not access.allows(membership):
            require_permission(membership, access.permissions[0])
        staff_request.membership = membership
        staff_request.organization = membership.organization


def signed_in(view: View) -> View:
    """Any signed-in user, whatever their households and memberships (authentication does it)."""
    return _declare(view, ApiAccess("user"))


def customer(view: View) -> View:
    """The caller's own household in the organization of the URL's `slug`."""
    access = ApiAccess("customer")

    @wraps(view)
    def wrapper(request: HttpRequest, slug: str, **kwargs: Any) -> Any:
        admit(request, slug, access)
        return view(request, slug=slug, **kwargs)

    return _declare(wrapper, access)


def staff(*permissions: str) -> Callable[[View], View]:
    """Active staff of the organization of the URL's `slug`, with any one of `permissions`."""
    access = ApiAccess("staff", tuple(permissions))

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, slug: str, **kwargs: Any) -> Any:
            admit(request, slug, access)
            return view(request, slug=slug, **kwargs)

        return _declare(wrapper, access)

    return decorate


class Gate:
    """An authenticator that, once it knows the caller, admits them through the operation's
    declared access: so that a refusal (401, 404, 403) comes before the request's parameters
    and body are even validated, and nobody learns from a 400 what they may not touch."""

    def __init__(self, inner: Callable[[HttpRequest], Any], access: ApiAccess) -> None:
        self.inner, self.access = inner, access

    def __call__(self, request: HttpRequest) -> Any:
        user = self.inner(request)
        if user:
            request.auth = user  # type: ignore[attr-defined]
            match = request.resolver_match
            admit(request, str(match.kwargs.get("slug", "")) if match else "", self.access)
        return user

    @property
    def openapi_security_schema(self) -> Any:
        return getattr(self.inner, "openapi_security_schema", None)


_GATES: dict[type, type[Gate]] = {}


def gated(authenticators: Sequence[Callable[[HttpRequest], Any]], access: ApiAccess) -> list[Gate]:
    """Each authenticator wrapped in a Gate of its own class name (the OpenAPI schema names its
    security schemes after the authenticator's class)."""
    gates = []
    for inner in authenticators:
        cls = _GATES.setdefault(type(inner), type(type(inner).__name__, (Gate,), {}))
        gates.append(cls(inner, access))
    return gates


def access_of(view: Callable[..., Any]) -> ApiAccess | None:
    """The access an operation's view declared, or None if it declared none."""
    return getattr(view, "api_access", None)
