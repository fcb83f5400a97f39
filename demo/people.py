"""The demo's organization, its staff and its households, found by natural key (slug,
username, payer, participant name) so that loading again creates nothing twice."""

from datetime import date, datetime

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.utils import timezone

from attendance.models import AbsenceReason
from demo.data import (
    ABSENCE_REASONS,
    DEMO_PASSWORD,
    EMAIL_DOMAIN,
    HOUSEHOLDS,
    ORG_NAME,
    ORG_SLUG,
    ORG_TIME_ZONE,
    STAFF,
    ParticipantSpec,
)
from households.models import Household, Participant
from organizations.models import Organization, StaffMembership


def upsert_organization() -> Organization:
    defaults = {"name": ORG_NAME, "time_zone": ORG_TIME_ZONE, "admin_email": f"registrations@{EMAIL_DOMAIN}"}
    organization, _ = Organization.objects.update_or_create(
        slug=ORG_SLUG,
        defaults=defaults,
        # Payment settings are set once, when the organization is created; a re-run keeps
        # whatever staff changed since. The sandbox shows paying online without an account.
        create_defaults=defaults
        | {
            "payment_provider": "sandbox",
            "pay_balances_online": True,
            "grace_period_hours": 48,
            "registration_notifications": True,
        },
    )
    return organization


def upsert_absence_reasons(organization: Organization, *, now: datetime) -> None:
    """The absence-reason list (A5), in its order; reasons staff added since are kept."""
    for position, (name, is_customer_usable) in enumerate(ABSENCE_REASONS, start=1):
        AbsenceReason.objects.update_or_create(
            organization=organization,
            name=name,
            defaults={"is_customer_usable": is_customer_usable, "position": position},
            create_defaults={"is_customer_usable": is_customer_usable, "position": position, "created_at": now},
        )


class Passwords:
    """Hashing is deliberately slow, so new demo users share one hash of the demo password.
    Existing users keep theirs: re-running the loader does not log anybody out."""

    def __init__(self) -> None:
        self._hash: str | None = None

    def hashed(self) -> str:
        if self._hash is None:
            self._hash = make_password(DEMO_PASSWORD)
        return self._hash


def _user(username: str, first_name: str, last_name: str, passwords: Passwords, **flags: bool) -> User:
    user = User.objects.filter(username=username).first()
    fields = {"first_name": first_name, "last_name": last_name, "email": f"{username}@{EMAIL_DOMAIN}", **flags}
    if user is None:
        return User.objects.create(username=username, password=passwords.hashed(), **fields)
    changed = [name for name, value in fields.items() if getattr(user, name) != value]
    for name in changed:
        setattr(user, name, fields[name])
    if changed:
        user.save(update_fields=changed)
    return user


def upsert_staff(organization: Organization, passwords: Passwords) -> dict[str, User]:
    users = {}
    for spec in STAFF:
        user = _user(
            spec.username,
            spec.first_name,
            spec.last_name,
            passwords,
            is_staff=spec.is_superuser,
            is_superuser=spec.is_superuser,
        )
        StaffMembership.objects.update_or_create(
            organization=organization,
            user=user,
            defaults={"title": spec.title, "permissions": list(spec.permissions), "is_active": True},
        )
        users[spec.username] = user
    return users


def upsert_households(organization: Organization, passwords: Passwords, *, now: datetime) -> dict[str, Household]:
    today = timezone.localdate(now, organization.zone)
    households = {}
    for spec in HOUSEHOLDS:
        payer = _user(spec.username, spec.payer_first_name, spec.last_name, passwords)
        household, _ = Household.objects.update_or_create(
            organization=organization,
            payer=payer,
            defaults={"name": spec.name, "email": payer.email, "phone": spec.phone},
        )
        if household.email_verified_at is None:
            # The demo's families have confirmed their addresses: their pages show their carts and
            # orders, not a "confirm your email" banner. Set once, so a reload changes nothing.
            household.email_verified_at = now
            household.save(update_fields=["email_verified_at"])
        for person in spec.participants:
            Participant.objects.update_or_create(
                household=household,
                first_name=person.first_name,
                last_name=spec.last_name,
                defaults={"date_of_birth": _birth_date(person, today)},
            )
        households[spec.username] = household
    return households


def _birth_date(person: ParticipantSpec, today: date) -> date:
    """The birthday that makes the person `age` today (Feb 29 is not used in the specs)."""
    month, day = person.birthday
    born = date(today.year - person.age, month, day)
    return born if (month, day) <= (today.month, today.day) else born.replace(year=born.year - 1)
