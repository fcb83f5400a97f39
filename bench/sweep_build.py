"""bench/sweep.py's background: one organization whose tables hold `size` rows, mostly not due,
built once per size with raw INSERT ... SELECT generate_series."""

import time
from datetime import datetime

from bench_support import log
from sweep_db import (
    BIG_TABLES,
    META,
    OFFERINGS,
    THROTTLE,
    Layout,
    foreign_keys_unchecked,
    registrar_tables,
    scalar,
    set_meta,
    sql,
    sync_sequences,
    vacuum_analyze,
)

# Pseudo-random but repeatable spreads over ids (2654435761: Knuth's multiplicative hash).
AGE_ANY = "(3600 + (i::bigint * 2654435761) %% (730 * 86400 - 3600))"  # 1 hour .. 2 years
AGE_OLD = "(241 * 3600 + (i::bigint * 2654435761) %% (730 * 86400 - 241 * 3600))"  # past G5's 240 h .. 2 years
AGE_WAITING = "(10 * 3600 + i %% 3600)"  # 10 to 11 hours: in the notice window, before the deadline

CATEGORY = """CASE
    WHEN i > %(background)s - %(waiting)s THEN 'waiting'
    WHEN i %% 20 < 14 THEN 'paid'
    WHEN i %% 20 < 16 THEN 'unpaid_old'
    WHEN i %% 20 = 16 THEN 'office'
    WHEN i %% 20 = 17 THEN 'partial'
    WHEN i %% 20 = 18 THEN 'deleted'
    ELSE 'free' END"""


def build(layout: Layout, now: datetime) -> None:
    from django.db import transaction

    from catalog.models import Offering
    from organizations.models import Organization

    started = time.perf_counter()
    sql(f"DELETE FROM {META}")
    sql(f"TRUNCATE {', '.join(registrar_tables())} RESTART IDENTITY CASCADE")
    with transaction.atomic():
        org = Organization.objects.create(
            name="Sweep Parks & Recreation",
            slug="sweep",
            grace_period_hours=48,
            registration_notifications=True,
            admin_email="office@sweep.example",
            notification_throttle=THROTTLE,
        )
        offerings = Offering.objects.bulk_create(
            Offering(organization=org, kind=Offering.Kind.CLASS, code=f"C{n:03d}", name=f"Class {n:03d}", price=50)
            for n in range(OFFERINGS)
        )
    first_offering = offerings[0].pk
    if offerings[-1].pk != first_offering + OFFERINGS - 1:
        raise SystemExit("offering ids are not contiguous")
    p = {
        "org": org.pk,
        "now": now,
        "households": layout.households,
        "background": layout.background,
        "waiting": layout.waiting,
        "expired": layout.expired,
        "live": layout.live,
        "due": layout.due,
        "size": layout.size,
        "offering0": first_offering,
        "offerings": OFFERINGS,
    }
    with transaction.atomic(), foreign_keys_unchecked():
        step = time.perf_counter()
        build_households(p)
        build_orders(p)
        build_cart_holds(p)
        build_notifications_and_audit(p)
        log(f"  inserted in {time.perf_counter() - step:.1f}s")
    for table in BIG_TABLES:
        sql(f"ALTER TABLE {table} SET (autovacuum_enabled = false, toast.autovacuum_enabled = false)")
    sync_sequences()
    step = time.perf_counter()
    vacuum_analyze()
    log(f"  VACUUM ANALYZE in {time.perf_counter() - step:.1f}s")
    set_meta(
        layout=layout.key,
        organization=org.pk,
        notifications=scalar("SELECT coalesce(max(id), 0) FROM notifications_notification"),
        audit=scalar("SELECT coalesce(max(id), 0) FROM audit_auditevent"),
    )
    log(f"  built {layout.key} in {time.perf_counter() - started:.1f}s")


def build_households(p: dict) -> None:
    sql(
        """INSERT INTO households_household (id, organization_id, payer_id, name, email, phone, calendar_token, created_at)
        SELECT i, %(org)s, NULL, 'Family ' || i, 'family' || i || '@sweep.example', '', '', %(now)s - interval '800 days'
        FROM generate_series(1, %(households)s) i""",
        p,
    )
    sql(
        """INSERT INTO households_participant (id, household_id, first_name, last_name, date_of_birth, created_at)
        SELECT i, i, 'Kid', 'Family ' || i, date '2015-01-01' + (i %% 3000), %(now)s - interval '800 days'
        FROM generate_series(1, %(households)s) i""",
        p,
    )


def build_orders(p: dict) -> None:
    """Orders 1..background, each with one line, one registration, its claim and the cart it
    was checked out from, all with the same id, in the mix of CATEGORY."""
    sql(
        f"""CREATE TEMP TABLE sweep_rows ON COMMIT DROP AS
        SELECT i, cat,
            1 + (i::bigint * 7919) %% %(households)s AS household,
            %(offering0)s + i %% %(offerings)s AS offering,
            %(now)s::timestamptz - interval '1 second' * CASE
                WHEN cat = 'waiting' THEN {AGE_WAITING}
                WHEN cat IN ('unpaid_old', 'deleted') THEN {AGE_OLD}
                ELSE {AGE_ANY} END AS created
        FROM (SELECT i, {CATEGORY} AS cat FROM generate_series(1, %(background)s) i) AS numbered""",
        p,
    )
    sql(
        """INSERT INTO carts_cart (id, organization_id, household_id, status, timer, channel, created_by_id,
            first_added_at, last_added_at, expires_at, created_at, closed_at)
        SELECT i, %(org)s, household, 'checked_out', CASE WHEN cat = 'office' THEN 'office' ELSE 'portal' END,
            CASE WHEN cat = 'office' THEN 'office' ELSE 'portal' END, NULL,
            created - interval '10 minutes', created - interval '5 minutes', created + interval '15 minutes',
            created - interval '10 minutes', created
        FROM sweep_rows""",
        p,
    )
    sql(
        """INSERT INTO orders_order (id, organization_id, household_id, cart_id, status, total, amount_paid,
            payment_required, on_account, payable_online, customer_note, payment_requested_at, channel,
            created_by_id, created_at, sequence)
        SELECT i, %(org)s, household, i,
            CASE WHEN cat IN ('paid', 'free') THEN 'paid' ELSE 'awaiting_payment' END,
            CASE WHEN cat = 'free' THEN 0 ELSE 50 END,
            CASE WHEN cat = 'paid' THEN 50 WHEN cat = 'partial' THEN 20 ELSE 0 END,
            cat <> 'office', cat = 'office', false, '',
            CASE WHEN cat <> 'office' THEN created END,
            CASE WHEN cat = 'office' THEN 'office' ELSE 'portal' END, NULL, created, i
        FROM sweep_rows""",
        p,
    )
    sql(
        """INSERT INTO orders_orderline (id, order_id, offering_id, participant_id, description, amount)
        SELECT i, i, offering, household, 'Class ' || (offering - %(offering0)s),
            CASE WHEN cat = 'free' THEN 0 ELSE 50 END
        FROM sweep_rows""",
        p,
    )
    sql(
        """INSERT INTO capacity_claim (id, organization_id, offering_id, household_id, participant_id, cart_id,
            kind, state, expires_at, channel, created_by_id, override_by_id, override_reason, price, created_at,
            ended_at, end_reason)
        SELECT i, %(org)s, offering, household, household, i, 'cart',
            CASE WHEN cat IN ('paid', 'free') THEN 'confirmed' WHEN cat = 'deleted' THEN 'cancelled'
                ELSE 'tentative' END,
            NULL, 'portal', NULL, NULL, '', CASE WHEN cat = 'free' THEN 0 ELSE 50 END, created - interval '5 minutes',
            CASE WHEN cat = 'deleted' THEN created + interval '48 hours' END,
            CASE WHEN cat = 'deleted' THEN 'registration_deleted:grace_period' ELSE '' END
        FROM sweep_rows""",
        p,
    )
    sql(
        """INSERT INTO registrations_registration (id, organization_id, household_id, participant_id, offering_id,
            order_id, order_line_id, claim_id, channel, submitted_at, deleted_at, deleted_by_id, deleted_reason)
        SELECT i, %(org)s, household, household, offering, i, i, i,
            CASE WHEN cat = 'office' THEN 'office' ELSE 'portal' END, created,
            CASE WHEN cat = 'deleted' THEN created + interval '48 hours' END, NULL,
            CASE WHEN cat = 'deleted' THEN 'grace_period' ELSE '' END
        FROM sweep_rows""",
        p,
    )


def build_cart_holds(p: dict) -> None:
    """Expired carts with a released hold each, and live open carts (households after the
    ones the due carts use) with a held claim each. Claim id = cart id."""
    sql(
        f"""CREATE TEMP TABLE sweep_carts ON COMMIT DROP AS
        SELECT i, 'expired' AS status, 1 + (i::bigint * 104723) %% %(households)s AS household,
            %(now)s::timestamptz - interval '1 second' * {AGE_ANY} AS created
        FROM generate_series(%(background)s + 1, %(background)s + %(expired)s) i
        UNION ALL
        SELECT i, 'open', %(due)s + i - %(background)s - %(expired)s, %(now)s::timestamptz - interval '5 minutes'
        FROM generate_series(%(background)s + %(expired)s + 1, %(background)s + %(expired)s + %(live)s) i""",
        p,
    )
    sql(
        """INSERT INTO carts_cart (id, organization_id, household_id, status, timer, channel, created_by_id,
            first_added_at, last_added_at, expires_at, created_at, closed_at)
        SELECT i, %(org)s, household, status, 'portal', 'portal', NULL, created, created + interval '3 minutes',
            CASE WHEN status = 'open' THEN %(now)s::timestamptz + interval '20 minutes'
                ELSE created + interval '23 minutes' END,
            created, CASE WHEN status = 'expired' THEN created + interval '30 minutes' END
        FROM sweep_carts""",
        p,
    )
    sql(
        """INSERT INTO capacity_claim (id, organization_id, offering_id, household_id, participant_id, cart_id,
            kind, state, expires_at, channel, created_by_id, override_by_id, override_reason, price, created_at,
            ended_at, end_reason)
        SELECT i, %(org)s, %(offering0)s + i %% %(offerings)s, household, household, i, 'cart',
            CASE WHEN status = 'open' THEN 'held' ELSE 'released' END, NULL, 'portal', NULL, NULL, '', 50, created,
            CASE WHEN status = 'expired' THEN created + interval '30 minutes' END,
            CASE WHEN status = 'expired' THEN 'expired' ELSE '' END
        FROM sweep_carts""",
        p,
    )


def build_notifications_and_audit(p: dict) -> None:
    """The notices the background already had (sent long ago: two per unpaid-old, deleted and
    waiting registration, keyed as the grace job keys them) and `size` audit events."""
    sql(
        """INSERT INTO notifications_notification (organization_id, key, kind, to_email, subject, body_text,
            body_html, registration_id, status, attempts, next_attempt_at, last_error, created_at, sent_at, claimed_by)
        SELECT %(org)s, kind || ':' || r.i, kind,
            CASE WHEN kind LIKE 'admin%%' THEN 'office@sweep.example' ELSE 'family' || r.household || '@sweep.example' END,
            'Registration notice', 'Registration notice.' || chr(10), '', r.i, 'sent', 1, at, '', at, at, ''
        FROM (
            SELECT i, household, kind, created + interval '20 minutes' AS at FROM sweep_rows,
                unnest(ARRAY['registrant_grace_warning', 'admin_incomplete']) AS kind
            WHERE cat IN ('unpaid_old', 'waiting')
            UNION ALL
            SELECT i, household, kind, created + interval '48 hours 1 minute' FROM sweep_rows,
                unnest(ARRAY['registrant_deleted', 'admin_deleted']) AS kind
            WHERE cat = 'deleted'
        ) AS r
        ORDER BY at""",
        p,
    )
    sql(
        f"""INSERT INTO audit_auditevent (id, organization_id, verb, channel, actor_id, actor_label, subject_type,
            subject_id, household_id, data, created_at)
        SELECT i, %(org)s, (ARRAY['cart.item_added', 'order.created', 'registration.created', 'cart.expired'])[1 + i %% 4],
            'portal', NULL, '', 'cart', i, 1 + (i::bigint * 7919) %% %(households)s, '{{}}'::jsonb,
            %(now)s::timestamptz - interval '1 second' * {AGE_ANY}
        FROM generate_series(1, %(size)s) i""",
        p,
    )
