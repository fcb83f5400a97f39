"""bench/surge.py's database side, in this process through the project's own models: the
bench organization, its classes and households with their API tokens, the reset between runs,
and the ledger check after each."""

import base64
import hashlib
import os
import secrets
import sys
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from bench_support import log

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/registrar_surge"
SLUG = "surge"
SEATS = 20
SPREAD_CLASSES = 50
WARMUP_REQUESTS = 60


@dataclass(frozen=True)
class Scenario:
    name: str
    requests: int
    concurrency: int


SCENARIOS = (Scenario("hot", 500, 50), Scenario("spread", 2000, 50))


@dataclass(frozen=True)
class Fixtures:
    organization_id: int
    hot_id: int
    spread_ids: list[int]
    warmup_id: int
    participant_ids: list[int]  # participant of household i, in household order

    @property
    def measured_ids(self) -> list[int]:
        return [self.hot_id, *self.spread_ids]


def raw_token(household_index: int) -> str:
    """The bearer token of bench household i, shaped like `accounts.services.issue_token`'s.
    Only its digest is stored, as for real tokens; the client derives it again from i."""
    digest = hashlib.sha256(f"registrar-surge:{household_index}".encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def server_env(database_url: str) -> dict[str, str]:
    """Production settings, except the HTTPS redirect: the load comes over plain loopback HTTP."""
    return os.environ | {
        "DJANGO_SETTINGS_MODULE": "registrar.settings",
        "DJANGO_ENV": "production",
        "DEBUG": "0",
        "SECURE_SSL_REDIRECT": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "WARNING",
    }


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)


def ensure_fixtures(households: int) -> Fixtures:
    """The bench organization, its 1 + 50 classes of 20 seats (plus an unlimited warm-up class),
    and `households` households, each with a payer login, one child and an API token.
    Idempotent: only what is missing is created, in bulk."""
    from django.contrib.auth.models import User
    from django.db import transaction

    from accounts.models import ApiToken, token_digest, token_expiry
    from accounts.tokens import password_stamp
    from catalog.models import Offering
    from households.models import Household, Participant
    from organizations.models import Organization

    with transaction.atomic():
        org, _ = Organization.objects.get_or_create(
            slug=SLUG, defaults={"name": "Surge Parks & Recreation", "time_zone": "America/Toronto"}
        )

        def offering(code: str, name: str, capacity: int | None) -> int:
            found, _ = Offering.objects.get_or_create(
                organization=org,
                code=code,
                defaults={
                    "kind": Offering.Kind.CLASS,
                    "name": name,
                    "capacity": capacity,
                    "price": Decimal("45.00"),
                    "starts_on": date(2030, 7, 1),
                },
            )
            return found.pk

        hot_id = offering("HOT", "Swim Level 1 (hot)", SEATS)
        spread_ids = [offering(f"S{n:02d}", f"Class {n:02d}", SEATS) for n in range(1, SPREAD_CLASSES + 1)]
        warmup_id = offering("WARMUP", "Warm-up class (unlimited)", None)

        names = [f"surge-{i:05d}" for i in range(households)]
        have = set(User.objects.filter(username__in=names).values_list("username", flat=True))
        missing = [(i, name) for i, name in enumerate(names) if name not in have]
        if missing:
            log(f"creating {len(missing)} households ...")
            users = User.objects.bulk_create(User(username=name, password="!no-login") for _, name in missing)
            homes = Household.objects.bulk_create(
                Household(organization=org, payer=u, name=f"Family {i}", email=f"{u.username}@example.test")
                for (i, _), u in zip(missing, users, strict=True)
            )
            Participant.objects.bulk_create(
                Participant(household=h, first_name="Kid", last_name=h.name, date_of_birth=date(2018, 3, 1))
                for h in homes
            )
            ApiToken.objects.bulk_create(
                (
                    ApiToken(
                        user=u,
                        digest=token_digest(raw_token(i)),
                        label="surge bench",
                        password_stamp=password_stamp(u.password),
                    )
                    for (i, _), u in zip(missing, users, strict=True)
                ),
                ignore_conflicts=True,
            )
        # Tokens written before they carried a password stamp and an expiry (decision 0012), or
        # whose expiry has come: every bench login has the same unusable password.
        ApiToken.objects.filter(user__username__in=names).update(
            password_stamp=password_stamp("!no-login"), expires_at=token_expiry()
        )
        # One participant per household: map household index -> participant id.
        by_username = dict(
            Participant.objects.filter(household__organization=org, household__payer__username__in=names)
            .order_by("pk")
            .values_list("household__payer__username", "pk")
        )
    return Fixtures(
        organization_id=org.pk,
        hot_id=hot_id,
        spread_ids=spread_ids,
        warmup_id=warmup_id,
        participant_ids=[by_username[name] for name in names],
    )


def reset(organization_id: int) -> None:
    """Forget every hold and cart of the bench organization (claims first: they point at carts),
    then vacuum, so that every run starts from the same tables."""
    from django.db import connection

    from capacity.models import Claim
    from carts.models import Cart

    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {Claim._meta.db_table} WHERE organization_id = %s", [organization_id])
        cursor.execute(f"DELETE FROM {Cart._meta.db_table} WHERE organization_id = %s", [organization_id])
        cursor.execute(f"VACUUM ANALYZE {Claim._meta.db_table}, {Cart._meta.db_table}")


def check_ledger(offering_ids: list[int]) -> tuple[int, int]:
    """(live claims, seats beyond capacity) over these offerings, counted straight from the
    table: every claim in a live state counts, whatever its expiry (stricter than C2/C3)."""
    from django.db import connection

    from capacity.models import Claim
    from catalog.models import Offering

    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT coalesce(sum(t.n), 0), coalesce(sum(greatest(t.n - t.capacity, 0)), 0)
                FROM (SELECT o.capacity, count(c.id) AS n FROM {Offering._meta.db_table} o
                      LEFT JOIN {Claim._meta.db_table} c
                        ON c.offering_id = o.id AND c.state IN ('held', 'tentative', 'confirmed')
                      WHERE o.id = ANY(%s) GROUP BY o.id) t""",
            [offering_ids],
        )
        live, over = cursor.fetchone()
    return int(live), int(over)
