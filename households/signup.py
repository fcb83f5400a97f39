"""A family makes its own account (portal, issue 12 item 2): a payer login and a household in
one organization, its email address proved by a signed link sent through the outbox (N1); the
household's private calendar feed secret. Decision 0015."""

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from audit.services import record
from core.errors import DomainError
from households.models import Household
from households.services import clean_contact, new_household
from notifications.services import enqueue, organization_context
from organizations.models import Organization

VERIFY_SALT = "registrar.households.verify_email"
VERIFY_MAX_AGE_SECONDS = 7 * 24 * 3600  # a week: long enough for a family that reads mail on Sundays

# Builds the absolute URL of the page that verifies `token`; the interface that asks knows it.
LinkFor = Callable[[str], str]


class InvalidSignup(DomainError):
    code = "invalid_signup"
    kind = "invalid"


class EmailTaken(DomainError):
    code = "email_taken"
    kind = "conflict"
    default_message = "An account with this email address exists already: sign in, or reset your password."


class AlreadyHasHousehold(DomainError):
    code = "household_exists"
    kind = "conflict"
    default_message = "You have an account in this organization already."


class InvalidVerificationLink(DomainError):
    code = "invalid_verification_link"
    kind = "invalid"
    default_message = "This link is not valid or has expired: ask for a new one from your account page."


@dataclass(frozen=True)
class SignUp:
    name: str
    email: str
    phone: str
    password: str


def _clean(sign_up: SignUp) -> SignUp:
    name, email, phone = clean_contact(sign_up.name, sign_up.email, sign_up.phone, error=InvalidSignup)
    try:
        validate_password(sign_up.password, User(username=email, email=email, first_name=name))
    except ValidationError as exc:
        raise InvalidSignup(" ".join(exc.messages), field="password") from None
    return SignUp(name=name, email=email, phone=phone, password=sign_up.password)


def sign_up(*, organization: Organization, details: SignUp, channel: str, link_for: LinkFor) -> Household:
    """Make a payer login (its username is the email address) and its household in one
    transaction, and put the verification email in the outbox with them (N1). An address
    that already has a login is refused: its owner signs in (or resets the password) and
    adds a household to that login (`add_household`)."""
    details = _clean(details)
    with transaction.atomic(durable=True):
        if User.objects.filter(username__iexact=details.email).exists() or (
            User.objects.filter(email__iexact=details.email).exists()
        ):
            raise EmailTaken(field="email")
        try:
            with transaction.atomic():
                user = User.objects.create_user(username=details.email, email=details.email, password=details.password)
        except IntegrityError:  # a concurrent sign-up with the same address won
            raise EmailTaken(field="email") from None
        user.first_name = details.name[:150]
        user.save(update_fields=["first_name"])
        return _create_household(
            organization=organization,
            user=user,
            name=details.name,
            phone=details.phone,
            channel=channel,
            link_for=link_for,
        )


def add_household(
    *, organization: Organization, user: User, name: str, phone: str, channel: str, link_for: LinkFor
) -> Household:
    """A signed-in person with a login but no household in this organization makes one (the
    same family at a second organization of the installation)."""
    name, _, phone = clean_contact(name, None, phone, error=InvalidSignup)
    with transaction.atomic(durable=True):
        if Household.objects.filter(organization_id=organization.pk, payer_id=user.pk).exists():
            raise AlreadyHasHousehold
        try:
            with transaction.atomic():
                return _create_household(
                    organization=organization,
                    user=user,
                    name=name,
                    phone=phone,
                    channel=channel,
                    link_for=link_for,
                )
        except IntegrityError:  # household_one_per_payer_per_org: a double submit
            raise AlreadyHasHousehold from None


def _create_household(
    *, organization: Organization, user: User, name: str, phone: str, channel: str, link_for: LinkFor
) -> Household:
    now = timezone.now()
    household = new_household(
        organization_id=organization.pk,
        payer=user,
        name=name,
        email=user.email or user.username,
        phone=phone,
        verb="household.signed_up",
        channel=channel,
        actor_id=user.pk,
        now=now,
    )
    household.organization = organization
    _send_verification(household, link_for=link_for, now=now)
    return household


def verification_token(household: Household) -> str:
    """A signed, timestamped token naming the household and the address it proves."""
    return signing.dumps({"h": household.pk, "e": household.email.lower()}, salt=VERIFY_SALT, compress=True)


def _send_verification(household: Household, *, link_for: LinkFor, now: datetime) -> bool:
    token = verification_token(household)
    return enqueue(
        organization_id=household.organization_id,
        # One per address and day: a resend on the same day is the same notice (N1).
        key=f"verify_email:{household.pk}:{household.email.lower()}:{now.date().isoformat()}",
        kind="household_verify_email",
        to_email=household.email,
        context=organization_context(household.organization)
        | {
            "household_name": household.name,
            "verify_url": link_for(token),
        },
        now=now,
    )


@transaction.atomic(durable=True)
def resend_verification(*, household: Household, link_for: LinkFor) -> bool:
    """Send the link again (at most once a day per address); False when it was sent today or
    the address is verified already."""
    if household.email_verified_at is not None:
        return False
    return _send_verification(household, link_for=link_for, now=timezone.now())


@transaction.atomic(durable=True)
def verify_email(*, organization: Organization, token: str, channel: str) -> Household:
    """Mark the household's address as verified. The token must be this organization's, at
    most a week old, and name the address the household has now (a changed address needs a
    new link). Following the link twice changes nothing the second time."""
    try:
        data = signing.loads(token, salt=VERIFY_SALT, max_age=VERIFY_MAX_AGE_SECONDS)
        household_id, email = int(data["h"]), str(data["e"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise InvalidVerificationLink from None
    household = Household.objects.select_for_update().filter(organization_id=organization.pk, pk=household_id).first()
    if household is None or household.email.lower() != email:
        raise InvalidVerificationLink
    if household.email_verified_at is None:
        now = timezone.now()
        household.email_verified_at = now
        household.save(update_fields=["email_verified_at"])
        record(
            organization_id=organization.pk,
            verb="household.email_verified",
            channel=channel,
            actor_id=household.payer_id,
            subject_type="household",
            subject_id=household.pk,
            household_id=household.pk,
            data={"email": email},
            now=now,
        )
    return household


@transaction.atomic(durable=True)
def reset_calendar_token(*, household: Household, channel: str, actor_id: int | None) -> str:
    """Give the household a new calendar feed secret; the old feed URL stops working at once."""
    token = secrets.token_urlsafe(24)
    Household.objects.filter(pk=household.pk).update(calendar_token=token)
    household.calendar_token = token
    record(
        organization_id=household.organization_id,
        verb="household.calendar_feed_reset",
        channel=channel,
        actor_id=actor_id,
        subject_type="household",
        subject_id=household.pk,
        household_id=household.pk,
        now=timezone.now(),
    )
    return token


def calendar_token(*, household: Household, channel: str, actor_id: int | None) -> str:
    """The household's calendar feed secret, made on first use."""
    if household.calendar_token:
        return household.calendar_token
    return reset_calendar_token(household=household, channel=channel, actor_id=actor_id)


def household_by_calendar_token(*, organization_slug: str, token: str) -> Household | None:
    """The household whose feed this is, or None (an unknown, revoked or empty secret)."""
    if not token:
        return None
    return (
        Household.objects.select_related("organization")
        .filter(organization__slug=organization_slug, calendar_token=token)
        .first()
    )


# Builds the absolute URL of the page that sets a new password from (uidb64, token).
ResetLinkFor = Callable[[str, str], str]


def request_password_reset(*, organization: Organization, email: str, link_for: ResetLinkFor) -> int:
    """Email a link to choose a new password (Django's one-time token: it stops working once the
    password changes) to each active login with this address, through the outbox (N1). The
    answer never says whether the address has a login; returns how many emails were queued."""
    email = email.strip().lower()
    now = timezone.now()
    queued = 0
    with transaction.atomic(durable=True):
        for user in User.objects.filter(email__iexact=email, is_active=True).order_by("pk"):
            if not user.has_usable_password():
                continue
            token = default_token_generator.make_token(user)
            household = Household.objects.filter(organization_id=organization.pk, payer_id=user.pk).first()
            queued += enqueue(
                organization_id=organization.pk,
                key=f"password_reset:{user.pk}:{token}",
                kind="password_reset",
                to_email=user.email,
                context=organization_context(organization)
                | {
                    "household_name": household.name if household else (user.first_name or user.username),
                    "to_email": user.email,
                    "reset_url": link_for(urlsafe_base64_encode(force_bytes(user.pk)), token),
                },
                now=now,
            )
    return queued
