"""Who teaches what (A4, issue 13 item 7, issue 15 item 3): an instructor (teach, without
enroll) sees and records attendance only for the classes assigned to them (`Teaching`); a class
nobody is assigned to is no instructor's (it was every instructor's before: "their own classes
only"). Staff who enroll, every class.
Administrators of the catalog assign instructors, audited."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from attendance.models import Teaching
from audit.models import Channel
from audit.services import record
from catalog.models import Offering
from organizations.errors import PermissionDenied
from organizations.models import Permission, StaffMembership
from organizations.services import require_permission


def sees_every_class(membership: StaffMembership) -> bool:
    return membership.has_permission(Permission.ENROLL)


def teaches(membership: StaffMembership, offering_id: int) -> bool:
    """Staff who enroll: every class. An instructor: the classes assigned to them, no other."""
    if sees_every_class(membership):
        return True
    if not membership.has_permission(Permission.TEACH):
        return False
    return Teaching.objects.filter(offering_id=offering_id, membership_id=membership.pk).exists()


def require_teaches(membership: StaffMembership, offering_id: int) -> None:
    if not teaches(membership, offering_id):
        raise PermissionDenied("You do not teach this class.")


@transaction.atomic(durable=True)
def assign_instructor(*, membership: StaffMembership, offering_id: int, instructor_id: int, teaches: bool) -> bool:
    """Make `instructor_id` (a staff membership with teach) this offering's instructor, or
    (teaches=False) no longer. Returns whether anything changed."""
    require_permission(membership, Permission.MANAGE_CATALOG)
    organization_id = membership.organization_id
    offering = Offering.objects.filter(organization_id=organization_id, pk=offering_id).first()
    instructor = StaffMembership.objects.filter(organization_id=organization_id, pk=instructor_id).first()
    if offering is None or instructor is None:
        raise PermissionDenied("No such class or instructor in this organization.")
    if teaches and not instructor.has_permission(Permission.TEACH):
        raise PermissionDenied("This staff member does not have the 'Instruct' permission.")
    now = timezone.now()
    if teaches:
        try:
            with transaction.atomic():
                Teaching.objects.create(
                    organization_id=organization_id, offering=offering, membership=instructor, created_at=now
                )
        except IntegrityError:
            return False
    elif not Teaching.objects.filter(offering=offering, membership=instructor).delete()[0]:
        return False
    record(
        organization_id=organization_id,
        verb="offering.instructor_assigned" if teaches else "offering.instructor_removed",
        channel=Channel.OFFICE,
        actor_id=membership.user_id,
        subject_type="offering",
        subject_id=offering.pk,
        data={"instructor": instructor.pk, "user": instructor.user_id},
        now=now,
    )
    return True
