import itertools

from django.contrib.auth.models import User

from organizations.models import Organization, Permission, StaffMembership

_seq = itertools.count(1)


def make_organization(**fields: object) -> Organization:
    n = next(_seq)
    defaults: dict[str, object] = {"name": f"Parks {n}", "slug": f"parks-{n}", "time_zone": "America/Toronto"}
    return Organization.objects.create(**(defaults | fields))


def make_user(username: str | None = None, password: str = "pw-12345-secret") -> User:
    return User.objects.create_user(username=username or f"user{next(_seq)}", password=password)


def make_staff(
    organization: Organization, permissions: list[str] | None = None, user: User | None = None
) -> StaffMembership:
    return StaffMembership.objects.create(
        organization=organization,
        user=user or make_user(),
        permissions=list(Permission.values) if permissions is None else permissions,
    )
