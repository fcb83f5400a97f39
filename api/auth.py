from django.contrib.auth.models import User
from django.http import HttpRequest
from ninja import Router
from ninja.security import HttpBearer, SessionAuth

from accounts.models import ApiToken, token_digest
from accounts.services import login_for_token
from api.schemas import ErrorOut, TokenIn, TokenOut


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        found = (
            ApiToken.objects.select_related("user")
            .filter(digest=token_digest(token), revoked_at__isnull=True, user__is_active=True)
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
