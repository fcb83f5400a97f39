"""Reads about organizations and their staff, for more than one caller."""

from organizations.models import StaffMembership


def staff_membership_for(*, user_id: int, slug: str) -> StaffMembership | None:
    """X1: the user's active staff membership in the organization with this slug, with the
    organization and the user loaded; None alike for an unknown organization, a user who is
    not its staff and an inactive membership, so that a caller cannot tell them apart."""
    return (
        StaffMembership.objects.select_related("organization", "user")
        .filter(organization__slug=slug, user_id=user_id, is_active=True)
        .first()
    )
