from django.contrib.auth.models import User
from django.http import HttpRequest
from ninja import Router
from ninja.security import HttpBearer, SessionAuth

from accounts.models import ApiToken, token_digest
from accounts.services import login_for_token
from api.schemas import ErrorOut, TokenIn, TokenOut
from core.querycache import CompiledQuery
from households.models import Household

# Token, user and household in one query, compiled once (core.querycache): it runs
# before every add on registration morning.
_HOUSEHOLD_BY_TOKEN = CompiledQuery(
    Household,
    lambda *, slug, digest: Household.objects.filter(
        organization__slug=slug,
        payer__is_active=True,
        payer__api_tokens__digest=digest,
        payer__api_tokens__revoked_at__isnull=True,
    ).order_by("pk")[:1],
    related=("organization", "payer"),
)


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        digest = token_digest(token)
        slug = request.resolver_match.kwargs.get("slug") if request.resolver_match else None
        if slug:
            # A household calling its own organization's endpoints (the hot path of
            # registration morning): token, user and household in one query.
            household = _HOUSEHOLD_BY_TOKEN.first(slug=slug, digest=digest)
            if household is not None:
                # Read back by api.context.customer_household; HttpRequest declares no such attribute.
                request.customer_household = household  # type: ignore[attr-defined]
                return household.payer
        found = (
            ApiToken.objects.select_related("user")
            .filter(digest=digest, revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        return found.user if found else None


class Session(SessionAuth):
    """Django session login (the portal pages); CSRF-checked by ninja for unsafe methods."""

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        return request.user if request.user.is_authenticated else None


AUTH = [BearerToken(), Session()]

token_router = Router(tags=["auth"])


@token_router.post("/auth/token", response={200: TokenOut, 403: ErrorOut}, auth=None)
def create_token(request: HttpRequest, payload: TokenIn) -> dict[str, str]:
    """Exchange a username and password for a bearer token."""
    return {"token": login_for_token(username=payload.username, password=payload.password)}
