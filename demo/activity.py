"""What the demo's households are doing: live holds in two carts, an unpaid order and an
order on account, absences at an upcoming course, made through the real services (each owns
its durable transaction)."""

from django.contrib.auth.models import User
from django.db.models import Q
from django.utils import timezone

from attendance.instructors import assign_instructor
from attendance.models import AbsenceReason, Attendance
from attendance.services import mark_absent, record_attendance
from audit.models import Channel
from capacity.models import Claim
from carts.models import Cart
from carts.services import add_to_cart, empty_cart, take_over_cart
from carts.services.checkout import checkout
from catalog.models import Meeting, Offering
from core.errors import DomainError
from demo.data import ABSENCES, HOLDS, INSTRUCTOR_TEACHES, ORDERS
from households.models import Household
from orders.models import Order
from organizations.models import Organization, StaffMembership
from payments.desk import put_on_account


def hold_seats(organization: Organization, households: dict[str, Household], staff: dict[str, User]) -> list[str]:
    """Put live holds in a couple of carts, unless those carts already hold seats. An item
    that cannot be held (full, already registered) is reported and skipped."""
    report = []
    codes = {code for spec in HOLDS for _, code in spec.items}
    offerings = dict(Offering.objects.filter(organization=organization, code__in=codes).values_list("code", "pk"))
    now = timezone.now()
    for spec in HOLDS:
        household = Household.objects.select_related("organization").get(pk=households[spec.username].pk)
        if Claim.objects.filter(
            cart__household=household, cart__status=Cart.Status.OPEN, cart__expires_at__gt=now, state=Claim.State.HELD
        ).exists():
            report.append(f"{household.name}: cart already holds seats, left as it is")
            continue
        people = {p.first_name: p.pk for p in household.participants.all()}
        actor = staff[spec.staff_username].pk if spec.staff_username else None
        for first_name, code in spec.items:
            try:
                result = add_to_cart(
                    household=household,
                    offering_id=offerings[code],
                    participant_id=people[first_name],
                    channel=spec.channel,
                    actor_id=actor,
                )
            except DomainError as refused:
                report.append(f"{household.name}: {first_name} not held in {code}: {refused}")
                continue
            expires = timezone.localtime(result.cart.expires_at, organization.zone)
            report.append(f"{household.name}: {first_name} held in {code} until {expires:%H:%M %Z} ({spec.channel})")
        if spec.taken_over_by:
            staff_member = StaffMembership.objects.get(organization=organization, user=staff[spec.taken_over_by])
            try:
                cart = take_over_cart(membership=staff_member, household=household)
            except DomainError as refused:
                report.append(f"{household.name}: cart not taken over ({refused})")
                continue
            expires = timezone.localtime(cart.expires_at, organization.zone)
            report.append(
                f"{household.name}: cart taken over by {spec.taken_over_by}, office timer until {expires:%H:%M %Z}"
            )
    return report


def place_orders(organization: Organization, households: dict[str, Household], staff: dict[str, User]) -> list[str]:
    """Orders that show the payment lifecycle: an unpaid portal registration (payment
    incomplete, scheduled for deletion by the grace period) and an office order put on
    account and payable online (a balance to pay). Households that have orders are left as
    they are."""
    report = []
    cashier = StaffMembership.objects.get(organization=organization, user=staff["frontdesk"])
    for username, first_name, prefix, channel, on_account in ORDERS:
        household = Household.objects.select_related("organization").get(pk=households[username].pk)
        if Order.objects.filter(household=household).exists():
            report.append(f"{household.name}: already has orders, left as they are")
            continue
        offering = Offering.objects.filter(organization=organization, code__startswith=prefix).order_by("code").first()
        if offering is None:
            report.append(f"{household.name}: no demo order (no offering {prefix}*)")
            continue
        participant = household.participants.get(first_name=first_name)
        actor = cashier.user_id if channel == Channel.OFFICE else household.payer_id
        try:
            empty_cart(household=household, channel=channel, actor_id=actor)
            add_to_cart(
                household=household,
                offering_id=offering.pk,
                participant_id=participant.pk,
                channel=channel,
                actor_id=actor,
            )
            order = checkout(household=household, channel=channel, actor_id=actor).order
        except DomainError as refused:
            report.append(f"{household.name}: no demo order ({refused})")
            continue
        if order is None:  # the cart held a place, so checkout made an order; the type allows none
            continue
        if on_account:
            put_on_account(
                membership=cashier,
                order_id=order.pk,
                payable_online=True,
                customer_note="Spring term balance: pay online any time before the first class.",
            )
            report.append(f"{household.name}: order {order.number} for {offering.name} on account, payable online")
        else:
            report.append(f"{household.name}: order {order.number} for {offering.name} awaiting payment")
    return report


def assign_classes(organization: Organization, staff: dict[str, User]) -> list[str]:
    """The instructor's classes (INSTRUCTOR_TEACHES), assigned by the administrator (A4)."""
    admin = StaffMembership.objects.get(organization=organization, user=staff["admin"])
    instructor = StaffMembership.objects.get(organization=organization, user=staff["instructor"])
    wanted = Q()
    for prefix in INSTRUCTOR_TEACHES:
        wanted |= Q(code__startswith=prefix)
    offerings = Offering.objects.filter(wanted, organization=organization, is_archived=False).order_by("code")
    assigned = [
        offering.code
        for offering in offerings
        if assign_instructor(membership=admin, offering_id=offering.pk, instructor_id=instructor.pk, teaches=True)
    ]
    return [f"instructor: teaches {len(assigned)} more classes ({', '.join(assigned)})"] if assigned else []


def record_absences(organization: Organization, households: dict[str, Household], staff: dict[str, User]) -> list[str]:
    """An absence the household set (which it may change) and one the instructor recorded
    (which it sees read-only), A2-A4; meetings that already have a record are left alone."""
    report = []
    instructor = StaffMembership.objects.get(organization=organization, user=staff["instructor"])
    for username, first_name, prefix, number, reason_name, by_instructor in ABSENCES:
        household = Household.objects.select_related("organization").get(pk=households[username].pk)
        participant = household.participants.get(first_name=first_name)
        offering = Offering.objects.filter(organization=organization, code__startswith=prefix).order_by("code").first()
        meeting = Meeting.objects.filter(offering=offering).order_by("starts_at")[number - 1 : number].first()
        reason = AbsenceReason.objects.get(organization=organization, name=reason_name)
        if (
            offering is None
            or meeting is None
            or Attendance.objects.filter(meeting=meeting, participant=participant, cleared_at__isnull=True).exists()
        ):
            continue
        try:
            if by_instructor:
                record_attendance(
                    membership=instructor,
                    meeting_id=meeting.pk,
                    participant_id=participant.pk,
                    status=Attendance.Status.ABSENT,
                    reason_id=reason.pk,
                    channel=Channel.OFFICE,
                )
            else:
                mark_absent(
                    household=household,
                    participant_id=participant.pk,
                    meeting_id=meeting.pk,
                    reason_id=reason.pk,
                    channel=Channel.PORTAL,
                    actor_id=household.payer_id,
                )
        except DomainError as refused:
            report.append(f"{household.name}: no demo absence ({refused})")
            continue
        who = "the instructor" if by_instructor else "the household"
        report.append(f"{household.name}: {first_name} absent from {offering.name} meeting {number} ({who})")
    return report
