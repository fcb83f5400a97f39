"""Sign-in lock-outs (X6, accounts.throttle) as an organization's administrators see them:
those of its own people (staff and household payers), which they may lift. Here because
knowing who an organization's people are takes its households."""

from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import LoginThrottle
from audit.services import record
from core.errors import DomainError
from households.models import Household
from organizations.models import Permission, StaffMembership
from organizations.services import require_permission


class LockoutNotFound(DomainError):
    code = "lockout_not_found"
    kind = "not_found"
    default_message = "No such lock-out of this organization's people (it may have ended already)."


def organization_lockouts(*, organization_id: int, now: datetime) -> QuerySet[LoginThrottle]:
    """Account lock-outs in force at `now` of the organization's staff and payers, latest first."""
    staff = StaffMembership.objects.filter(organization_id=organization_id).values("user_id")
    payers = Household.objects.filter(organization_id=organization_id, payer__isnull=False).values("payer_id")
    return (
        LoginThrottle.objects.filter(scope=LoginThrottle.Scope.ACCOUNT, locked_until__gt=now)
        .filter(Q(user_id__in=staff) | Q(user_id__in=payers))
        .select_related("user")
        .order_by("-locked_until", "pk")
    )


def lift_lockout(*, membership: StaffMembership, lockout_id: int, channel: str) -> LoginThrottle:
    """An administrator (*manage settings*) lets one of the organization's people sign in
    again at once: the account's failures are forgotten. Audited."""
    require_permission(membership, Permission.MANAGE_SETTINGS)
    now = timezone.now()
    lockout = organization_lockouts(organization_id=membership.organization_id, now=now).filter(pk=lockout_id).first()
    if lockout is None:
        raise LockoutNotFound
    record(
        organization_id=membership.organization_id,
        verb="account.lockout_lifted",
        channel=channel,
        actor_id=membership.user_id,
        subject_type="user",
        subject_id=lockout.user_id,
        data={
            "username": lockout.key,
            "failures": lockout.failures,
            "locked_until": lockout.locked_until.isoformat() if lockout.locked_until else None,
        },
        now=now,
    )
    LoginThrottle.objects.filter(pk=lockout.pk).delete()
    return lockout
