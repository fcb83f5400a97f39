"""The demo's data: one organization, Riverside Parks & Recreation, with a term of classes,
summer camp weeks, memberships, two rentable facilities, households and staff of every role,
and the holds and orders that show a cart and the payment lifecycle. Loaded by
`demo.loader.load_demo()` (`manage.py load_demo`)."""

from dataclasses import dataclass
from datetime import time

from audit.models import Channel
from organizations.models import Permission

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
    taken_over_by: str | None = None  # S3: a staff member took the customer's cart over


@dataclass(frozen=True)
class Login:
    username: str
    role: str


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
    # Linh Nguyen started in the portal, got stuck and phoned: the front desk took the cart over (S3).
    HoldSpec(
        "nguyen",
        Channel.PORTAL,
        (("Ava", "BALLET-I-THU1730"), ("Ben", "SWIM2-TUE1630"), ("Chloe", "MOVE-SAT0900")),
        taken_over_by="frontdesk",
    ),
)


# The organization's absence-reason list (A5): (name, usable by customers). Customers choose only
# among the first four (A2); instructors and the office among all of them.
ABSENCE_REASONS = (
    ("Sick", True),
    ("Vacation", True),
    ("Family event", True),
    ("Appointment", True),
    ("No show", False),
    ("Excused by instructor", False),
)

# The demo instructor's classes (A4: an instructor sees and acts on their own classes only):
# offering code prefixes, assigned by the administrator.
INSTRUCTOR_TEACHES = ("SWIM", "LIFESAVE-", "AQUAFIT-")

# Attendance that shows both kinds on the upcoming-courses page (A3): (household, participant,
# offering code prefix, meeting number from 1, reason, recorded by the instructor?).
ABSENCES = (
    ("okafor", "Daniel", "LIFESAVE-", 3, "Excused by instructor", True),
    ("okafor", "Daniel", "LIFESAVE-", 2, "Family event", False),
)

ORDERS = (
    # (household, participant, offering code prefix, channel, on account?)
    ("rivera", "Sam", "POTTERY-", Channel.PORTAL, False),
    ("okafor", "Daniel", "LIFESAVE-", Channel.OFFICE, True),
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
    # The permissions' names as the office's staff pages write them, not their codes ("take_payments").
    labels = [str(Permission(code).label) for code in spec.permissions]
    return "; ".join(labels[:1] + [label[0].lower() + label[1:] for label in labels[1:]]) or "no permissions"


def _clock(at: time) -> str:
    hour = at.hour % 12 or 12
    suffix = "am" if at.hour < 12 else "pm"
    return f"{hour}{suffix}" if at.minute == 0 else f"{hour}:{at.minute:02d}{suffix}"
