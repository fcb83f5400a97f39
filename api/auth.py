"""Who is calling: a bearer token (X6: expiring, revocable, ended by a password change) or a
session. A missing or bad token is a 401 with `WWW-Authenticate: Bearer` on every method
(api.root), never the session's CSRF 403."""

from datetime import datetime

from django.contrib.auth.models import User
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.security import HttpBearer, SessionAuth

from accounts.models import ApiToken, token_digest
from accounts.throttle import client_address
from accounts.tokens import login_for_token, revoke_token, token_holds, token_state, tokens_of
from api.access import public, signed_in
from api.context import ApiRequest
from api.schemas import ErrorOut, TokenIn
from api.types import Id
from core.querycache import CompiledQuery
from households.models import Household

# Token, user and household in one query, compiled once (core.querycache): it runs before
# every add on registration morning. The token's own facts ride along for
# `accounts.tokens.token_holds`.
_HOUSEHOLD_BY_TOKEN = CompiledQuery(
    Household,
    lambda *, slug, digest, now: (
        Household.objects.filter(
            organization__slug=slug,
            payer__is_active=True,
            payer__api_tokens__digest=digest,
            payer__api_tokens__revoked_at__isnull=True,
            payer__api_tokens__expires_at__gt=now,
        )
        .annotate(
            token_id=F("payer__api_tokens__pk"),
            token_expires_at=F("payer__api_tokens__expires_at"),
            token_stamp=F("payer__api_tokens__password_stamp"),
        )
        .order_by("pk")[:1]
    ),
    related=("organization", "payer"),
)


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        digest = token_digest(token)
        now = timezone.now()
        slug = request.resolver_match.kwargs.get("slug") if request.resolver_match else None
        if slug:
            # A household calling its own organization's endpoints (the hot path of
            # registration morning): token, user and household in one query.
            household = _HOUSEHOLD_BY_TOKEN.first(slug=slug, digest=digest, now=now)
            if household is not None and household.payer is not None:
                # The annotations of the compiled query, which the checker cannot see.
                facts = household.token_stamp, household.token_expires_at, household.token_id  # type: ignore[attr-defined]
                if not token_holds(
                    user=household.payer, stamp=facts[0], expires_at=facts[1], token_id=facts[2], now=now
                ):
                    return None
                # Read back by api.context.customer_household; HttpRequest declares no such attribute.
                request.customer_household = household  # type: ignore[attr-defined]
                request.api_token_id = facts[2]  # type: ignore[attr-defined]
                return household.payer
        found = (
            ApiToken.objects.select_related("user")
            .filter(digest=digest, revoked_at__isnull=True, expires_at__gt=now)
            .first()
        )
        if found is None or not token_holds(
            user=found.user, stamp=found.password_stamp, expires_at=found.expires_at, token_id=found.pk, now=now
        ):
            return None
        request.api_token_id = found.pk  # type: ignore[attr-defined]
        return found.user


class Session(SessionAuth):
    """Django session login (the portal pages); CSRF-checked by ninja for unsafe methods, but
    only for a signed-in session: a request with a bearer token, or with no session at all,
    is not the session's, and goes unauthenticated (401) rather than failing CSRF (403)."""

    def _get_key(self, request: HttpRequest) -> str | None:
        if "authorization" in request.headers or not request.user.is_authenticated:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        return request.user if key is not None and request.user.is_authenticated else None


AUTH = [BearerToken(), Session()]

token_router = Router(tags=["auth"])


class IssuedTokenOut(Schema):
    token: str
    id: int
    expires_at: datetime


class ApiTokenOut(Schema):
    id: int
    label: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime
    state: str
    is_current: bool


@token_router.post("/auth/token", response={200: IssuedTokenOut, 403: ErrorOut, 429: ErrorOut}, auth=None)
@public
def create_token(request: HttpRequest, payload: TokenIn) -> dict[str, object]:
    """Exchange a username and password for a bearer token. It lapses after
    API_TOKEN_IDLE_HOURS without use (each use pushes it on), on a password change, on
    deactivation, or when revoked. Too many failures for an account or from an address
    answer 429 with Retry-After, even with the right password, until the lock-out ends."""
    issued = login_for_token(
        username=payload.username, password=payload.password, address=client_address(request), label="api"
    )
    return {"token": issued.raw, "id": issued.token.pk, "expires_at": issued.token.expires_at}


@token_router.get("/auth/tokens", response={200: list[ApiTokenOut], 401: ErrorOut}, auth=AUTH)
@signed_in
def list_tokens(request: ApiRequest) -> list[dict[str, object]]:
    """The caller's API tokens, newest first, with their state (active, expired, revoked,
    password_changed)."""
    now, current = timezone.now(), getattr(request, "api_token_id", None)
    return [
        {
            "id": t.pk,
            "label": t.label,
            "created_at": t.created_at,
            "last_used_at": t.last_used_at,
            "expires_at": t.expires_at,
            "state": token_state(t, password_hash=request.auth.password, now=now),
            "is_current": t.pk == current,
        }
        for t in tokens_of(request.auth)
    ]


@token_router.delete("/auth/tokens/{token_id}", response={204: None, 401: ErrorOut, 404: ErrorOut}, auth=AUTH)
@signed_in
def delete_token(request: ApiRequest, token_id: Id) -> Status:
    """Revoke one of the caller's tokens (another's is 404)."""
    revoke_token(user=request.auth, token_id=token_id, now=timezone.now())
    return Status(204, None)


@token_router.post("/auth/logout", response={204: None, 401: ErrorOut}, auth=[BearerToken()])
@signed_in
def logout(request: ApiRequest) -> Status:
    """Revoke the bearer token this request carries: it stops working at once."""
    revoke_token(user=request.auth, token_id=request.api_token_id, now=timezone.now(), reason="logout")  # type: ignore[attr-defined]
    return Status(204, None)
