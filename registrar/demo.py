"""Demo data: one organization, Riverside Parks & Recreation, with a term of classes, summer
camp weeks, memberships, two rentable facilities, households and staff of every role.

`load_demo()` is idempotent. Every row is found by its natural key (organization slug,
username, offering code, household payer, participant name, facility name, rental slot
start), so running it again creates nothing twice. Dates follow the clock: the term starts
next Monday, registration windows are refreshed around now, and rental slots are topped up
for the next 14 days. Class schedules are rewritten in place when the term moves on.
"""

import calendar
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from audit.models import Channel
from capacity.models import Claim
from carts.models import Cart
from carts.services import add_to_cart, empty_cart
from catalog.models import Facility, Meeting, Offering
from households.models import Household, Participant
from orders.models import Order
from orders.services import checkout
from organizations.models import Organization, Permission, StaffMembership
from payments.services import put_on_account
from registrar.errors import DomainError

DEMO_PASSWORD = "demo12345"  # noqa: S105 - published demo credentials, printed by `make run`
ORG_SLUG = "riverside"
ORG_NAME = "Riverside Parks & Recreation"
ORG_TIME_ZONE = "America/Toronto"
EMAIL_DOMAIN = "riverside.example"

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
CLASS_WEEKS = 8
RENTAL_DAYS = 14
RENTAL_HOURS = range(9, 21)  # slots 9:00-10:00 ... 20:00-21:00, local time


@dataclass(frozen=True)
class StaffSpec:
    username: str
    first_name: str
    last_name: str
    title: str
    permissions: tuple[str, ...]
    is_superuser: bool = False


@dataclass(frozen=True)
class ParticipantSpec:
    first_name: str
    age: int
    birthday: tuple[int, int]  # (month, day); the year follows from the age, so ages stay stable


@dataclass(frozen=True)
class HouseholdSpec:
    username: str
    payer_first_name: str
    last_name: str
    phone: str
    participants: tuple[ParticipantSpec, ...]

    @property
    def name(self) -> str:
        return f"{self.last_name} household"


@dataclass(frozen=True)
class ClassSpec:
    stem: str  # code prefix
    title: str
    weekday: int  # 0 = Monday
    at: time
    minutes: int
    ages: tuple[int | None, int | None]
    capacity: int | None
    price: str
    location: str
    window: str = "open"  # "open", "future" (opens in a few days) or "closed"

    @property
    def code(self) -> str:
        return f"{self.stem}-{WEEKDAYS[self.weekday].upper()}{self.at:%H%M}"

    @property
    def name(self) -> str:
        return f"{self.title} ({WEEKDAYS[self.weekday]} {_clock(self.at)})"


@dataclass(frozen=True)
class CampSpec:
    stem: str
    title: str
    weeks: int
    ages: tuple[int, int]
    capacity: int
    price: str
    location: str
    description: str


@dataclass(frozen=True)
class MembershipSpec:
    code: str
    name: str
    ages: tuple[int | None, int | None]
    price: str
    months: int
    description: str


@dataclass(frozen=True)
class FacilitySpec:
    name: str
    code: str
    hourly_price: str
    description: str


@dataclass(frozen=True)
class HoldSpec:
    """Items put in one household's cart, so the demo shows seats held in carts (C1, S1)."""

    username: str
    channel: str
    items: tuple[tuple[str, str], ...]  # (participant first name, offering code)
    staff_username: str | None = None


@dataclass(frozen=True)
class Login:
    username: str
    role: str


@dataclass
class DemoSummary:
    organization: Organization
    offerings_by_kind: dict[str, int]
    meetings: int
    rental_slots_created: int
    households: int
    participants: int
    holds: list[str] = field(default_factory=list)


STAFF = (
    StaffSpec("admin", "Alex", "Admin", "Administrator", tuple(Permission.values), is_superuser=True),
    StaffSpec("frontdesk", "Fran", "Desk", "Front desk", (Permission.ENROLL, Permission.TAKE_PAYMENTS)),
    StaffSpec(
        "manager",
        "Morgan",
        "Manager",
        "Program manager",
        (Permission.ENROLL, Permission.DELETE_ENROLLMENTS, Permission.OVERRIDE_CAPACITY),
    ),
    StaffSpec("instructor", "Ines", "Instructor", "Instructor", (Permission.TEACH,)),
)

HOUSEHOLDS = (
    HouseholdSpec(
        "parker",
        "Jamie",
        "Parker",
        "416-555-0101",
        (ParticipantSpec("Jamie", 39, (2, 14)), ParticipantSpec("Maya", 8, (4, 12)), ParticipantSpec("Leo", 4, (9, 3))),
    ),
    HouseholdSpec(
        "nguyen",
        "Linh",
        "Nguyen",
        "416-555-0102",
        (ParticipantSpec("Ava", 11, (1, 22)), ParticipantSpec("Ben", 7, (6, 30)), ParticipantSpec("Chloe", 4, (11, 8))),
    ),
    HouseholdSpec(
        "okafor",
        "Grace",
        "Okafor",
        "416-555-0103",
        (ParticipantSpec("Grace", 44, (5, 5)), ParticipantSpec("Daniel", 14, (3, 17))),
    ),
    HouseholdSpec("rivera", "Sam", "Rivera", "416-555-0104", (ParticipantSpec("Sam", 33, (7, 21)),)),
    HouseholdSpec(
        "cohen",
        "Dana",
        "Cohen",
        "416-555-0105",
        (ParticipantSpec("Noah", 9, (10, 2)), ParticipantSpec("Lily", 6, (12, 19))),
    ),
    HouseholdSpec("lee", "Margaret", "Lee", "416-555-0106", (ParticipantSpec("Margaret", 71, (8, 9)),)),
)

POOL, STUDIO, ARTS, GYM_B, ROOM = "Riverside Pool", "Studio 1", "Arts Room", "Gym B", "Meeting Room 2"
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)

CLASSES = (
    # Aquatics
    ClassSpec("SWIM-PS", "Preschool Swim", SAT, time(9, 30), 30, (3, 5), 6, "72.00", POOL),
    ClassSpec("SWIM1", "Swim Level 1", MON, time(16, 30), 30, (5, 8), 8, "88.00", POOL),
    ClassSpec("SWIM1", "Swim Level 1", SAT, time(10, 0), 30, (5, 8), 8, "88.00", POOL),
    ClassSpec("SWIM2", "Swim Level 2", TUE, time(16, 30), 30, (5, 10), 8, "88.00", POOL),
    ClassSpec("SWIM2", "Swim Level 2", SAT, time(10, 30), 30, (5, 10), 8, "88.00", POOL),
    ClassSpec("SWIM3", "Swim Level 3", WED, time(17, 0), 45, (6, 12), 10, "96.00", POOL),
    ClassSpec("SWIM4", "Swim Level 4", THU, time(17, 0), 45, (7, 13), 10, "96.00", POOL),
    ClassSpec("SWIM5", "Swim Level 5", FRI, time(16, 30), 45, (8, 14), 10, "96.00", POOL, window="closed"),
    ClassSpec("LIFESAVE", "Teen Lifesaving", FRI, time(18, 0), 90, (12, 17), 12, "145.00", POOL),
    ClassSpec("SWIM-AD", "Adult Learn to Swim", WED, time(19, 30), 45, (18, None), 8, "104.00", POOL),
    ClassSpec("AQUAFIT", "Aquafit", MON, time(10, 0), 45, (18, None), 20, "80.00", POOL),
    # Dance
    ClassSpec("MOVE", "Creative Movement", SAT, time(9, 0), 45, (3, 5), 12, "84.00", STUDIO),
    ClassSpec("BALLET-B", "Ballet Beginners", TUE, time(17, 0), 60, (6, 9), 14, "112.00", STUDIO),
    ClassSpec("BALLET-I", "Ballet Intermediate", THU, time(17, 30), 60, (9, 13), 14, "112.00", STUDIO),
    ClassSpec("HIPHOP", "Hip Hop Kids", WED, time(17, 0), 60, (7, 12), 16, "104.00", STUDIO),
    ClassSpec("TAP-AD", "Adult Tap", MON, time(19, 0), 60, (18, None), 14, "112.00", STUDIO),
    # Arts
    ClassSpec("POTTERY", "Pottery for Adults", TUE, time(19, 0), 120, (18, None), 8, "185.00", ARTS),
    ClassSpec("WHEEL", "Pottery Wheel Intro", SAT, time(13, 0), 120, (16, None), 6, "195.00", ARTS),
    ClassSpec("CLAY-K", "Kids Clay Studio", THU, time(16, 30), 60, (6, 11), 10, "98.00", ARTS),
    ClassSpec("ART-LIT", "Little Artists", FRI, time(10, 0), 45, (3, 5), 10, "76.00", ARTS),
    ClassSpec("WATERCLR", "Watercolour Basics", WED, time(13, 0), 90, (18, None), 12, "128.00", ARTS),
    ClassSpec("DRAW-T", "Drawing for Teens", MON, time(18, 0), 60, (12, 17), 12, "92.00", ARTS),
    # Sports and fitness
    ClassSpec("BBALL-J", "Junior Basketball", TUE, time(18, 0), 60, (8, 12), 16, "90.00", GYM_B),
    ClassSpec("VBALL-Y", "Youth Volleyball", THU, time(19, 0), 75, (13, 17), 16, "90.00", GYM_B),
    ClassSpec("SOCCER-T", "Soccer Tots", SAT, time(11, 0), 45, (3, 5), 12, "78.00", GYM_B),
    ClassSpec("KARATE", "Youth Karate", MON, time(17, 30), 60, (7, 14), 18, "110.00", STUDIO),
    ClassSpec("YOGA-AM", "Morning Yoga", WED, time(9, 30), 60, (18, None), 18, "96.00", STUDIO),
    ClassSpec("YOGA-PM", "Evening Yoga", THU, time(19, 30), 60, (18, None), 20, "96.00", STUDIO),
    ClassSpec("PICKLE", "Pickleball Drop-in", FRI, time(13, 0), 120, (18, None), None, "40.00", GYM_B),
    ClassSpec("FIT-55", "Seniors Fitness", TUE, time(10, 0), 60, (55, None), 20, "64.00", STUDIO),
    ClassSpec("WALK-55", "Walking Club", THU, time(9, 0), 60, (55, None), None, "0.00", ROOM),
    ClassSpec("SKATE", "Learn to Skate", SUN, time(13, 0), 45, (4, 8), 15, "99.00", "Riverside Arena", window="future"),
    ClassSpec("CHESS", "Youth Chess Club", FRI, time(16, 30), 60, (7, 14), 16, "60.00", ROOM),
)  # fmt: skip

CLASS_DESCRIPTIONS = {
    "SWIM-PS": "Water play and first floats with a parent nearby.",
    "POTTERY": "Hand-building and glazing; clay and firing included.",
    "PICKLE": "Drop in any week; no limit on players.",
    "WALK-55": "Free. Meets in Meeting Room 2, walks the river trail.",
}

CAMPS = (
    CampSpec(
        stem="CAMP-ADV",
        title="Summer Adventure Camp",
        weeks=4,
        ages=(6, 12),
        capacity=20,
        price="225.00",
        location="Riverside Park Pavilion",
        description="Games, crafts, swimming and a trip to the river each week.",
    ),
    CampSpec(
        stem="CAMP-EXP",
        title="Little Explorers Camp",
        weeks=2,
        ages=(3, 5),
        capacity=12,
        price="195.00",
        location=STUDIO,
        description="A gentle first camp: stories, songs, outdoor play.",
    ),
    CampSpec(
        stem="CAMP-LIT",
        title="Teen Leadership Camp",
        weeks=2,
        ages=(13, 15),
        capacity=15,
        price="175.00",
        location=ROOM,
        description="Leadership and first-aid skills for future camp counsellors.",
    ),
)

MEMBERSHIPS = (
    MembershipSpec(
        code="MEM-ADULT",
        name="Adult Fitness Membership (12 months)",
        ages=(18, None),
        price="420.00",
        months=12,
        description="Gym, pool and drop-in fitness classes.",
    ),
    MembershipSpec(
        code="MEM-SENIOR",
        name="Senior Fitness Membership (12 months)",
        ages=(60, None),
        price="260.00",
        months=12,
        description="Gym, pool and seniors' programs.",
    ),
    MembershipSpec(
        code="MEM-YOUTH",
        name="Youth Pool Pass (4 months)",
        ages=(6, 17),
        price="95.00",
        months=4,
        description="Public and lane swims for ages 6-17.",
    ),
)

FACILITIES = (
    FacilitySpec("Community Hall", "HALL", "60.00", "Hall for 120 people with a kitchen; tables and chairs included."),
    FacilitySpec("Gym A", "GYMA", "45.00", "Full-size gymnasium with basketball and volleyball courts."),
)

HOLDS = (
    HoldSpec("parker", Channel.PORTAL, (("Maya", "SWIM2-TUE1630"), ("Leo", "SOCCER-T-SAT1100"))),
    HoldSpec(
        "nguyen",
        Channel.OFFICE,
        (("Ava", "BALLET-I-THU1730"), ("Ben", "SWIM2-TUE1630"), ("Chloe", "MOVE-SAT0900")),
        staff_username="frontdesk",
    ),
)


def logins() -> list[Login]:
    """Every demo login with what it can do, for the banner printed by `make run`."""
    staff = [Login(spec.username, f"staff, {spec.title}: {_permissions_label(spec)}") for spec in STAFF]
    customers = [
        Login(spec.username, f"customer, {spec.name} ({', '.join(p.first_name for p in spec.participants)})")
        for spec in HOUSEHOLDS
    ]
    return staff + customers


def _permissions_label(spec: StaffSpec) -> str:
    if spec.is_superuser:
        return "all permissions, Django superuser (/admin/)"
    return ", ".join(spec.permissions) if spec.permissions else "no permissions"


def load_demo(*, now: datetime | None = None) -> DemoSummary:
    """Create or bring up to date the demo organization and everything in it. Re-runnable."""
    now = now or timezone.now()
    with transaction.atomic():
        organization = _organization()
        passwords = _Passwords()
        staff_users = _staff(organization, passwords)
        households = _households(organization, passwords, now=now)
        _offerings(organization, now=now)
        rental_slots_created = _rental_slots(organization, now=now)
        summary = DemoSummary(
            organization=organization,
            offerings_by_kind=dict(
                Offering.objects.filter(organization=organization, is_archived=False)
                .values_list("kind")
                .annotate(count=Count("pk"))
                .order_by("kind")
            ),
            meetings=Meeting.objects.filter(offering__organization=organization).count(),
            rental_slots_created=rental_slots_created,
            households=len(households),
            participants=Participant.objects.filter(household__organization=organization).count(),
        )
    # Holds and orders go through the real services, which own their (durable) transactions.
    summary.holds = _holds(organization, households, staff_users)
    summary.holds += _orders(organization, households, staff_users)
    return summary


def _organization() -> Organization:
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


class _Passwords:
    """Hashing is deliberately slow, so new demo users share one hash of the demo password.
    Existing users keep theirs: re-running the loader does not log anybody out."""

    def __init__(self) -> None:
        self._hash: str | None = None

    def hashed(self) -> str:
        if self._hash is None:
            self._hash = make_password(DEMO_PASSWORD)
        return self._hash


def _user(username: str, first_name: str, last_name: str, passwords: _Passwords, **flags: bool) -> User:
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


def _staff(organization: Organization, passwords: _Passwords) -> dict[str, User]:
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


def _households(organization: Organization, passwords: _Passwords, *, now: datetime) -> dict[str, Household]:
    today = timezone.localdate(now, organization.zone)
    households = {}
    for spec in HOUSEHOLDS:
        payer = _user(spec.username, spec.payer_first_name, spec.last_name, passwords)
        household, _ = Household.objects.update_or_create(
            organization=organization,
            payer=payer,
            defaults={"name": spec.name, "email": payer.email, "phone": spec.phone},
        )
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


def _offerings(organization: Organization, *, now: datetime) -> None:
    zone = organization.zone
    today = timezone.localdate(now, zone)
    term_starts = today + timedelta(days=7 - today.weekday())  # next Monday
    opened = _local(today - timedelta(days=14), time(9, 0), zone)
    schedules: dict[int, list[tuple[datetime, datetime, str]]] = {}

    for spec in CLASSES:
        first_day = term_starts + timedelta(days=spec.weekday)
        meetings = [
            _slot(first_day + timedelta(weeks=week), spec.at, spec.minutes, zone, spec.location)
            for week in range(CLASS_WEEKS)
        ]
        opens_at, closes_at = _window(spec.window, today=today, opened=opened, starts=meetings[0][0], zone=zone)
        offering = _upsert_offering(
            organization,
            spec.code,
            kind=Offering.Kind.CLASS,
            name=spec.name,
            description=CLASS_DESCRIPTIONS.get(spec.stem, f"{CLASS_WEEKS} weekly classes at {spec.location}."),
            price=Decimal(spec.price),
            capacity=spec.capacity,
            registration_opens_at=opens_at,
            registration_closes_at=closes_at,
            min_age=spec.ages[0],
            max_age=spec.ages[1],
            starts_on=first_day,
            ends_on=first_day + timedelta(weeks=CLASS_WEEKS - 1),
        )
        schedules[offering.pk] = meetings

    camp_monday = _first_summer_camp_monday(today)
    for spec in CAMPS:
        for week in range(spec.weeks):
            monday = camp_monday + timedelta(weeks=week)
            days = [_slot(monday + timedelta(days=d), time(9, 0), 7 * 60, zone, spec.location) for d in range(5)]
            friday = monday + timedelta(days=4)
            offering = _upsert_offering(
                organization,
                f"{spec.stem}-W{week + 1}",
                kind=Offering.Kind.CAMP,
                name=f"{spec.title}: Week {week + 1} ({_date_range(monday, friday)})",
                description=spec.description,
                price=Decimal(spec.price),
                capacity=spec.capacity,
                registration_opens_at=opened,
                registration_closes_at=days[0][0],
                min_age=spec.ages[0],
                max_age=spec.ages[1],
                starts_on=monday,
                ends_on=friday,
            )
            schedules[offering.pk] = days

    for spec in MEMBERSHIPS:
        _upsert_offering(
            organization,
            spec.code,
            kind=Offering.Kind.MEMBERSHIP,
            name=spec.name,
            description=spec.description,
            price=Decimal(spec.price),
            capacity=None,
            registration_opens_at=opened,
            registration_closes_at=None,
            min_age=spec.ages[0],
            max_age=spec.ages[1],
            starts_on=today,
            ends_on=_add_months(today, spec.months) - timedelta(days=1),
        )

    _sync_meetings(schedules)


def _upsert_offering(organization: Organization, code: str, **fields: object) -> Offering:
    offering, _ = Offering.objects.update_or_create(
        organization=organization, code=code, defaults={**fields, "is_archived": False}
    )
    return offering


def _window(
    kind: str, *, today: date, opened: datetime, starts: datetime, zone: ZoneInfo
) -> tuple[datetime, datetime | None]:
    if kind == "future":
        return _local(today + timedelta(days=3), time(9, 0), zone), starts
    if kind == "closed":
        return opened, _local(today - timedelta(days=1), time(17, 0), zone)
    return opened, starts


def _sync_meetings(schedules: dict[int, list[tuple[datetime, datetime, str]]]) -> None:
    """Make each offering's meetings exactly its schedule, editing rows in place: the n-th
    meeting stays the n-th meeting when the term moves, so nothing is duplicated."""
    existing: dict[int, list[Meeting]] = {pk: [] for pk in schedules}
    for meeting in Meeting.objects.filter(offering_id__in=schedules).order_by("offering_id", "starts_at", "pk"):
        existing[meeting.offering_id].append(meeting)
    to_create, to_update, to_delete = [], [], []
    for offering_id, wanted in schedules.items():
        have = existing[offering_id]
        for meeting, (starts_at, ends_at, location) in zip(have, wanted, strict=False):
            if (meeting.starts_at, meeting.ends_at, meeting.location) != (starts_at, ends_at, location):
                meeting.starts_at, meeting.ends_at, meeting.location = starts_at, ends_at, location
                to_update.append(meeting)
        to_create += [
            Meeting(offering_id=offering_id, starts_at=s, ends_at=e, location=loc) for s, e, loc in wanted[len(have) :]
        ]
        to_delete += [meeting.pk for meeting in have[len(wanted) :]]
    Meeting.objects.filter(pk__in=to_delete).delete()
    Meeting.objects.bulk_update(to_update, ["starts_at", "ends_at", "location"])
    Meeting.objects.bulk_create(to_create)


def _rental_slots(organization: Organization, *, now: datetime) -> int:
    """Hourly slots, 9:00-21:00 local, for the next 14 days. Slots already there are kept
    (they may be booked); only missing ones are added. Booking closes when a slot starts."""
    zone = organization.zone
    today = timezone.localdate(now, zone)
    created = 0
    for spec in FACILITIES:
        facility, _ = Facility.objects.update_or_create(
            organization=organization, name=spec.name, defaults={"description": spec.description}
        )
        wanted = [
            _local(today + timedelta(days=d), time(hour, 0), zone) for d in range(RENTAL_DAYS) for hour in RENTAL_HOURS
        ]
        wanted = [starts_at for starts_at in wanted if starts_at > now]
        have = set(Offering.objects.filter(facility=facility, starts_at__in=wanted).values_list("starts_at", flat=True))
        slots = [
            Offering(
                organization=organization,
                kind=Offering.Kind.RENTAL,
                facility=facility,
                code=f"{spec.code}-{starts_at.astimezone(zone):%Y%m%d-%H%M}",
                name=f"{spec.name}, {_day_label(starts_at.astimezone(zone))} {_hour_range(starts_at, zone)}",
                price=Decimal(spec.hourly_price),
                capacity=1,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(hours=1),
                registration_closes_at=starts_at,
            )
            for starts_at in wanted
            if starts_at not in have
        ]
        Offering.objects.bulk_create(slots)
        created += len(slots)
    return created


def _holds(organization: Organization, households: dict[str, Household], staff: dict[str, User]) -> list[str]:
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
    return report


ORDERS = (
    # (household, participant, offering code prefix, channel, on account?)
    ("rivera", "Sam", "POTTERY-", Channel.PORTAL, False),
    ("okafor", "Daniel", "LIFESAVE-", Channel.OFFICE, True),
)


def _orders(organization: Organization, households: dict[str, Household], staff: dict[str, User]) -> list[str]:
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


def _first_summer_camp_monday(today: date) -> date:
    """Camps run in July and August; once this summer's camps are over, show next summer's."""
    year = today.year if today < date(today.year, 8, 15) else today.year + 1
    after_canada_day = date(year, 7, 2)
    return after_canada_day + timedelta(days=-after_canada_day.weekday() % 7)


def _slot(day: date, at: time, minutes: int, zone: ZoneInfo, location: str) -> tuple[datetime, datetime, str]:
    starts_at = _local(day, at, zone)
    return starts_at, starts_at + timedelta(minutes=minutes), location


def _local(day: date, at: time, zone: ZoneInfo) -> datetime:
    """A wall-clock time in the organization's zone, as a UTC instant (X4)."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _clock(at: time) -> str:
    hour = at.hour % 12 or 12
    suffix = "am" if at.hour < 12 else "pm"
    return f"{hour}{suffix}" if at.minute == 0 else f"{hour}:{at.minute:02d}{suffix}"


def _date_range(first: date, last: date) -> str:
    end = f"{last.day}" if last.month == first.month else f"{last:%b} {last.day}"
    return f"{first:%b} {first.day}-{end}"


def _day_label(local: datetime) -> str:
    return f"{WEEKDAYS[local.weekday()]} {local:%b} {local.day}"


def _hour_range(starts_at: datetime, zone: ZoneInfo) -> str:
    local = starts_at.astimezone(zone)
    return f"{local:%H:%M}-{(local + timedelta(hours=1)):%H:%M}"
