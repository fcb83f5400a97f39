"""bench/morning.py's database side, in this process through the project's own models: one
organization per rep (so that no rep inherits another's orders, registrations and payments),
its hot and cold classes, its families with a signed-in session each (or, for the API's mirror
of the page wave, an API token each), and the ledger check."""

import base64
import hashlib
import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from bench_support import log

SEATS = 20
HOT_CLASSES = 3
COLD_CLASSES = 150


@dataclass(frozen=True)
class Family:
    index: int
    session_key: str  # "" for a family of the API's mirror
    participant_ids: list[int]
    token: str = ""  # the bearer token of a family of the API's mirror


@dataclass(frozen=True)
class MorningFixtures:
    organization_id: int
    slug: str
    hot_ids: list[int]
    cold_ids: list[int]
    families: list[Family]

    @property
    def offering_ids(self) -> list[int]:
        return [*self.hot_ids, *self.cold_ids]


@dataclass(frozen=True)
class Visit:
    """What one family does: which class, for one or both of its children."""

    family: Family
    offering_id: int
    participant_ids: list[int]


def raw_token(slug: str, index: int) -> str:
    """Family `index`'s bearer token in organization `slug`, shaped like
    `accounts.services.issue_token`'s; only its digest is stored, as for real tokens."""
    digest = hashlib.sha256(f"registrar-morning:{slug}:{index}".encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def build(*, rep: int, families: int, run_id: str, api: bool = False) -> MorningFixtures:
    """A fresh organization `morning-<run_id>-<rep>` paying through the sandbox, with HOT_CLASSES
    and COLD_CLASSES classes of SEATS seats, and `families` households, each with a payer login,
    two children and a database session signed in as the payer (as after the sign-in form;
    no password hashing in the measurement). With `api`, the twin organization
    `morning-<run_id>-<rep>-api` for the API's mirror of the page wave, built the same way, its
    families signed in with an API token each instead of a session: `plan()` with the same seed
    gives its families the same classes (by position) and children."""
    from django.contrib.auth.models import User
    from django.db import transaction

    from accounts.models import ApiToken, token_digest
    from accounts.tokens import password_stamp
    from catalog.models import Offering
    from households.models import Household, Participant
    from organizations.models import Organization

    slug = f"morning-{run_id}-{rep}" + ("-api" if api else "")
    with transaction.atomic():
        org = Organization.objects.create(slug=slug, name=f"Morning {rep}", time_zone="America/Toronto")
        Organization.objects.filter(pk=org.pk).update(payment_provider="sandbox")
        offerings = Offering.objects.bulk_create(
            Offering(
                organization=org,
                kind=Offering.Kind.CLASS,
                code=f"{'H' if n < HOT_CLASSES else 'C'}{n:03d}",
                name=f"{'Popular swim' if n < HOT_CLASSES else 'Class'} {n:03d}",
                capacity=SEATS,
                price=Decimal("45.00"),
                min_age=3,
                max_age=12,
                starts_on=date(2030, 7, 1),
            )
            for n in range(HOT_CLASSES + COLD_CLASSES)
        )
        names = [f"{slug}-{i:05d}" for i in range(families)]
        users = User.objects.bulk_create(User(username=name, password="!no-login") for name in names)
        homes = Household.objects.bulk_create(
            Household(organization=org, payer=u, name=f"Family {i}", email=f"{u.username}@example.test")
            for i, u in enumerate(users)
        )
        Participant.objects.bulk_create(
            Participant(household=h, first_name=first, last_name=h.name, date_of_birth=date(2020, 3, 1))
            for h in homes
            for first in ("Ana", "Ben")
        )
        kids: dict[int, list[int]] = {}
        for household_id, pk in (
            Participant.objects.filter(household__in=homes).order_by("pk").values_list("household_id", "pk")
        ):
            kids.setdefault(household_id, []).append(pk)
        if api:
            stamp = password_stamp("!no-login")  # every bench login has this unusable password
            tokens = [raw_token(slug, i) for i in range(families)]
            ApiToken.objects.bulk_create(
                ApiToken(user=u, digest=token_digest(t), label="morning bench", password_stamp=stamp)
                for u, t in zip(users, tokens, strict=True)
            )
            family_list = [
                Family(index=i, session_key="", participant_ids=kids[home.pk], token=tokens[i])
                for i, home in enumerate(homes)
            ]
        else:
            family_list = signed_in(users, [kids[home.pk] for home in homes])
    log(
        f"morning rep {rep}: organization {slug}, {len(offerings)} classes, {families} families signed in"
        + (" with an API token each" if api else "")
    )
    return MorningFixtures(
        organization_id=org.pk,
        slug=slug,
        hot_ids=[o.pk for o in offerings[:HOT_CLASSES]],
        cold_ids=[o.pk for o in offerings[HOT_CLASSES:]],
        families=family_list,
    )


def signed_in(users: list, participant_ids: list[list[int]]) -> list[Family]:
    """A database session signed in as each user (the rows `login()` writes), as families."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    expire = timezone.now() + timezone.timedelta(hours=6)
    sessions, family_list = [], []
    for i, (user, kids) in enumerate(zip(users, participant_ids, strict=True)):
        store = SessionStore()
        key = store._get_new_session_key()
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: settings.AUTHENTICATION_BACKENDS[0],  # as login() writes it
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
        sessions.append(Session(session_key=key, session_data=store.encode(data), expire_date=expire))
        family_list.append(Family(index=i, session_key=key, participant_ids=kids))
    Session.objects.bulk_create(sessions)
    return family_list


def plan(fixtures: MorningFixtures, *, seed: int, hot_share: float = 0.4, two_seats_share: float = 0.3) -> list[Visit]:
    """Each family picks one class: a hot one with probability `hot_share`, else a cold one,
    and registers one child, or both with probability `two_seats_share`."""
    rng = random.Random(seed)
    visits = []
    for family in fixtures.families:
        offering_id = rng.choice(fixtures.hot_ids if rng.random() < hot_share else fixtures.cold_ids)
        both = rng.random() < two_seats_share
        visits.append(Visit(family, offering_id, family.participant_ids if both else family.participant_ids[:1]))
    return visits


def ledger(offering_ids: list[int]) -> dict[str, int]:
    """Straight from the claims table: live claims (held, tentative, confirmed, whatever their
    expiry), those beyond capacity, and how many are tentative or confirmed (checked out)."""
    from django.db import connection

    from capacity.models import Claim
    from catalog.models import Offering

    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT coalesce(sum(t.n), 0), coalesce(sum(greatest(t.n - t.capacity, 0)), 0),
                       coalesce(sum(t.ordered), 0)
                FROM (SELECT o.capacity, count(c.id) AS n,
                             count(c.id) FILTER (WHERE c.state IN ('tentative', 'confirmed')) AS ordered
                      FROM {Offering._meta.db_table} o
                      LEFT JOIN {Claim._meta.db_table} c
                        ON c.offering_id = o.id AND c.state IN ('held', 'tentative', 'confirmed')
                      WHERE o.id = ANY(%s) GROUP BY o.id) t""",
            [offering_ids],
        )
        live, over, ordered = cursor.fetchone()
    return {"live": int(live), "overbooked": int(over), "ordered": int(ordered)}
