"""bench/sweep.py's due rows, put back before every repetition: what the previous run wrote is
deleted, the time-relative background rows are reset, and fresh due rows are inserted."""

from datetime import datetime

from sweep_db import OFFERINGS, Layout, meta_int, scalar, sql, sync_sequences, vacuum_analyze


def reset_due(layout: Layout, now: datetime, *, due: bool = True) -> None:
    """Remove everything the previous run wrote and the previous due rows, put the time-relative
    background rows (live carts, waiting registrations) back as built, insert fresh due rows
    relative to `now` (unless `due` is false: an idle run), with the foreign-key checks on,
    then vacuum."""
    from django.db import transaction

    p = {
        "org": meta_int("organization"),
        "now": now,
        "households": layout.households,
        "background": layout.background,
        "waiting": layout.waiting,
        "base": layout.base,
        "live_from": layout.background + layout.expired + 1,
        "due": layout.due,
        "offering0": scalar("SELECT min(id) FROM catalog_offering"),
        "offerings": OFFERINGS,
        "notifications": meta_int("notifications"),
        "audit": meta_int("audit"),
    }
    with transaction.atomic():
        sql("DELETE FROM notifications_notification WHERE id > %(notifications)s", p)
        # The trail is append-only (audit migration 0003): the benchmark, as the table's owner,
        # lifts the trigger for this transaction only to put its database back as built.
        sql("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_append_only")
        sql("DELETE FROM audit_auditevent WHERE id > %(audit)s", p)
        sql("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_append_only")
        sql("DELETE FROM jobs_jobrun")
        sql("DELETE FROM registrations_registration WHERE id > %(background)s", p)
        sql("DELETE FROM orders_orderline WHERE id > %(background)s", p)
        sql("DELETE FROM capacity_claim WHERE id > %(base)s", p)
        sql("DELETE FROM orders_order WHERE id > %(background)s", p)
        sql("DELETE FROM carts_cart WHERE id > %(base)s", p)
        restore_time_relative(p)
        if due:
            insert_due(p)
    sync_sequences()
    vacuum_analyze()


def restore_time_relative(p: dict) -> None:
    sql(
        """UPDATE carts_cart SET status = 'open', closed_at = NULL, created_at = %(now)s::timestamptz - interval '5 minutes',
            first_added_at = %(now)s::timestamptz - interval '5 minutes',
            last_added_at = %(now)s::timestamptz - interval '2 minutes',
            expires_at = %(now)s::timestamptz + interval '20 minutes'
        WHERE id BETWEEN %(live_from)s AND %(base)s""",
        p,
    )
    sql(
        """UPDATE capacity_claim SET state = 'held', ended_at = NULL, end_reason = ''
        WHERE id BETWEEN %(live_from)s AND %(base)s""",
        p,
    )
    waiting = "id > %(background)s - %(waiting)s AND id <= %(background)s"
    created = "%(now)s::timestamptz - interval '1 second' * (10 * 3600 + id %% 3600)"
    sql(
        f"UPDATE orders_order SET created_at = {created}, payment_requested_at = {created}, amount_paid = 0 WHERE {waiting}",
        p,
    )
    sql(
        f"""UPDATE registrations_registration SET submitted_at = {created}, deleted_at = NULL, deleted_reason = ''
        WHERE {waiting}""",
        p,
    )
    sql(f"UPDATE capacity_claim SET state = 'tentative', ended_at = NULL, end_reason = '' WHERE {waiting}", p)
    sql(
        """UPDATE notifications_notification SET sent_at = r.submitted_at + interval '20 minutes'
        FROM registrations_registration AS r
        WHERE r.id = registration_id AND r.id > %(background)s - %(waiting)s AND r.id <= %(background)s""",
        p,
    )


def insert_due(p: dict) -> None:
    """Due registration j: order, line and registration background + j, claim and checked-out
    cart base + j, submitted 49 hours (+ j seconds) ago. Due cart j: id base + due + j, household j,
    its timer ran out 1 to 11 minutes ago, one held claim."""
    rows = "generate_series(1, %(due)s) j"
    household = "1 + (j::bigint * 7919) %% %(households)s"
    offering = "%(offering0)s + j %% %(offerings)s"
    submitted = "(%(now)s::timestamptz - interval '49 hours' - interval '1 second' * j)"
    sql(
        f"""INSERT INTO carts_cart (id, organization_id, household_id, status, timer, channel, created_by_id,
            first_added_at, last_added_at, expires_at, created_at, closed_at)
        SELECT %(base)s + j, %(org)s, {household}, 'checked_out', 'portal', 'portal', NULL::integer,
            {submitted} - interval '10 minutes', {submitted} - interval '5 minutes', {submitted} + interval '15 minutes',
            {submitted} - interval '10 minutes', {submitted}
        FROM {rows}
        UNION ALL
        SELECT %(base)s + %(due)s + j, %(org)s, j, 'open', 'portal', 'portal', NULL::integer,
            %(now)s::timestamptz - interval '35 minutes', %(now)s::timestamptz - interval '25 minutes',
            %(now)s::timestamptz - interval '1 minute' - interval '1 second' * (j %% 600),
            %(now)s::timestamptz - interval '35 minutes', NULL::timestamptz
        FROM {rows}""",
        p,
    )
    sql(
        f"""INSERT INTO orders_order (id, organization_id, household_id, cart_id, status, total, amount_paid,
            payment_required, on_account, payable_online, customer_note, payment_requested_at, channel,
            created_by_id, created_at, sequence)
        SELECT %(background)s + j, %(org)s, {household}, %(base)s + j, 'awaiting_payment', 50, 0, true, false, false,
            '', {submitted}, 'portal', NULL, {submitted}, %(background)s + j
        FROM {rows}""",
        p,
    )
    sql(
        f"""INSERT INTO orders_orderline (id, order_id, offering_id, participant_id, description, amount)
        SELECT %(background)s + j, %(background)s + j, {offering}, {household}, 'Class ' || (j %% %(offerings)s), 50
        FROM {rows}""",
        p,
    )
    sql(
        f"""INSERT INTO capacity_claim (id, organization_id, offering_id, household_id, participant_id, cart_id,
            kind, state, expires_at, channel, created_by_id, override_by_id, override_reason, price, created_at,
            ended_at, end_reason)
        SELECT %(base)s + j, %(org)s, {offering}, {household}, {household}, %(base)s + j, 'cart', 'tentative',
            NULL::timestamptz, 'portal', NULL::integer, NULL::integer, '', 50, {submitted} - interval '5 minutes',
            NULL::timestamptz, ''
        FROM {rows}
        UNION ALL
        SELECT %(base)s + %(due)s + j, %(org)s, {offering}, j, j, %(base)s + %(due)s + j, 'cart', 'held',
            NULL, 'portal', NULL, NULL, '', 50, %(now)s::timestamptz - interval '25 minutes', NULL, ''
        FROM {rows}""",
        p,
    )
    sql(
        f"""INSERT INTO registrations_registration (id, organization_id, household_id, participant_id, offering_id,
            order_id, order_line_id, claim_id, channel, submitted_at, deleted_at, deleted_by_id, deleted_reason)
        SELECT %(background)s + j, %(org)s, {household}, {household}, {offering}, %(background)s + j,
            %(background)s + j, %(base)s + j, 'portal', {submitted}, NULL, NULL, ''
        FROM {rows}""",
        p,
    )
