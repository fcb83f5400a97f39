"""core.querycache: a compiled query answers exactly what its queryset answers."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AuditEvent
from carts.models import Cart
from catalog.models import Offering
from catalog.tests.factories import make_offering
from core.querycache import CompiledInsert, CompiledInsertChain, CompiledQuery
from households.models import Household
from households.tests.factories import make_household
from organizations.tests.factories import make_organization

pytestmark = pytest.mark.django_db


class CountingBuilder:
    """A queryset builder that counts how often it is called (compiled once per shape)."""

    def __init__(self, build):
        self.build = build
        self.calls = 0

    def __call__(self, **values):
        self.calls += 1
        return self.build(**values)


def test_objects_match_the_orm_and_compile_once_per_shape():
    org = make_organization()
    now = timezone.now()
    offerings = [
        make_offering(org, name=f"Class {i}", price=f"{12 + i}.50", registration_opens_at=now - timedelta(days=i))
        for i in range(4)
    ]
    build = CountingBuilder(
        lambda *, organization_id, ids, opened_before: Offering.objects.filter(
            organization_id=organization_id, pk__in=ids, registration_opens_at__lte=opened_before
        ).order_by("pk")
    )
    query = CompiledQuery(Offering, build)

    def orm(ids, opened_before):
        return list(build.build(organization_id=org.pk, ids=ids, opened_before=opened_before))

    cases = [
        ([offerings[0].pk], now),
        ([offerings[1].pk], now),  # same shape, other values
        ([o.pk for o in offerings], now - timedelta(days=2)),  # the instant filters out two
        ([o.pk for o in offerings[:2]], now),
    ]
    for ids, opened_before in cases:
        got = query.objects(organization_id=org.pk, ids=ids, opened_before=opened_before)
        expected = orm(ids, opened_before)
        assert [o.pk for o in got] == [o.pk for o in expected]
        # Converted as the ORM converts: Decimal prices and aware instants, on SQLite too.
        assert [(o.price, o.registration_opens_at, o.name) for o in got] == [
            (o.price, o.registration_opens_at, o.name) for o in expected
        ]
        assert all(not o._state.adding for o in got)
    assert build.calls == 3  # one compile per shape: 1, 4 and 2 ids
    assert query.objects(organization_id=org.pk, ids=[], opened_before=now) == []


def test_related_objects_are_attached_without_another_query():
    org = make_organization(slug="river")
    household = make_household(org)
    username = household.payer.username
    query = CompiledQuery(
        Household,
        lambda *, slug, username: Household.objects.filter(organization__slug=slug, payer__username=username),
        related=("organization", "payer"),
    )
    found = query.first(slug="river", username=username)
    assert found is not None
    assert found.pk == household.pk
    with CaptureQueriesContext(connection) as queries:
        assert (found.organization.slug, found.payer.username) == ("river", username)
    assert len(queries) == 0
    assert query.first(slug="river", username="nobody") is None
    assert query.first(slug="elsewhere", username=username) is None


def test_none_is_part_of_the_shape():
    org = make_organization()
    capped = make_offering(org, name="Capped", capacity=10)
    unlimited = make_offering(org, name="Unlimited", capacity=None)
    query = CompiledQuery(
        Offering,
        lambda *, organization_id, capacity: Offering.objects.filter(
            organization_id=organization_id, capacity=capacity
        ),
    )
    assert [o.pk for o in query.objects(organization_id=org.pk, capacity=None)] == [unlimited.pk]
    assert [o.pk for o in query.objects(organization_id=org.pk, capacity=10)] == [capped.pk]


def test_a_value_the_orm_transforms_is_refused_when_compiling():
    query = CompiledQuery(Offering, lambda *, name: Offering.objects.filter(name__icontains=name))
    with pytest.raises(ValueError, match="name is not a plain parameter"):
        query.objects(name="swim")


def test_rows_of_a_values_list_query():
    org = make_organization()
    offering = make_offering(org, name="Pottery", price="40.00")
    query = CompiledQuery(
        Offering, lambda *, offering_id: Offering.objects.filter(pk=offering_id).values_list("name", "price")
    )
    assert query.rows(offering_id=offering.pk) == [["Pottery", Decimal("40.00")]]
    assert query.rows(offering_id=offering.pk + 1000) == []


def test_compiled_insert_writes_what_the_orm_would_and_sets_the_ids():
    org = make_organization()
    now = timezone.now()
    inserter = CompiledInsert(AuditEvent)
    events = [
        AuditEvent(
            organization_id=org.pk,
            verb="test.event",
            channel="portal",
            subject_type="claim",
            subject_id=i,
            data={"n": i, "price": "12.50"},
            created_at=now,
        )
        for i in range(3)
    ]
    for e in events:
        assert inserter.insert([e]) == [e]
    assert all(e.pk is not None and not e._state.adding for e in events)
    stored = {e.pk: e for e in AuditEvent.objects.filter(organization_id=org.pk)}
    assert sorted(stored) == sorted(e.pk for e in events)
    for e in events:
        row = stored[e.pk]
        assert (row.subject_id, row.data, row.created_at, row.verb) == (e.subject_id, e.data, now, "test.event")
    many = [
        AuditEvent(
            organization_id=org.pk, verb="bulk", channel="system", subject_type="x", subject_id=i, created_at=now
        )
        for i in range(3)
    ]
    inserter.insert(many)  # several rows: bulk_create's own SQL
    assert sorted(
        AuditEvent.objects.filter(organization_id=org.pk, verb="bulk").values_list("pk", flat=True)
    ) == sorted(e.pk for e in many)


def test_insert_chain_links_new_ids_in_one_statement_on_postgresql():
    """A cart, an event about it, an event about that event: each row takes the id of an
    earlier one (also as a key of a JSON field), and on PostgreSQL the INSERTs are one round
    trip. (capacity.services chains cart, claim and audit event the same way.)"""
    org = make_organization()
    household = make_household(org, with_login=False)
    now = timezone.now()
    chain = CompiledInsertChain(Cart, (AuditEvent, {"subject_id": 0}), (AuditEvent, {"subject_id": 1, "data__cart": 0}))
    for round_ in range(2):  # compiled on the first, reused on the second
        cart = Cart(organization_id=org.pk, household_id=household.pk, created_at=now, expires_at=now)
        about_cart, about_event = (
            AuditEvent(
                organization_id=org.pk,
                verb=verb,
                channel="api",
                subject_type=subject_type,
                data={"cart": None, "round": round_},
                created_at=now,
            )
            for verb, subject_type in (("cart.started", "cart"), ("event.noted", "auditevent"))
        )
        with CaptureQueriesContext(connection) as captured:
            chain.insert([cart, about_cart, about_event])
        assert len(captured) == (1 if connection.vendor == "postgresql" else 3)
        assert None not in (cart.pk, about_cart.pk, about_event.pk)
        assert not any(o._state.adding for o in (cart, about_cart, about_event))
        assert (about_cart.subject_id, about_event.subject_id) == (cart.pk, about_cart.pk)
        assert about_event.data == {"cart": cart.pk, "round": round_}
        assert Cart.objects.get(pk=cart.pk).expires_at == now
        stored = {e.pk: e for e in AuditEvent.objects.filter(pk__in=[about_cart.pk, about_event.pk])}
        assert (stored[about_cart.pk].subject_id, stored[about_cart.pk].data) == (
            cart.pk,
            {"cart": None, "round": round_},
        )
        assert (stored[about_event.pk].subject_id, stored[about_event.pk].data) == (
            about_cart.pk,
            {"cart": cart.pk, "round": round_},
        )
        Cart.objects.filter(pk=cart.pk).update(status=Cart.Status.EXPIRED)  # one open cart per household


def test_insert_chain_refuses_links_that_cannot_be_filled():
    with pytest.raises(ValueError, match="not an earlier one"):
        CompiledInsertChain(Cart, (AuditEvent, {"subject_id": 1}))
    with pytest.raises(ValueError, match="has no field 'subject'"):
        CompiledInsertChain(Cart, (AuditEvent, {"subject": 0}))
    chain = CompiledInsertChain(Cart, (AuditEvent, {"subject_id": 0}))
    with pytest.raises(ValueError, match="2 rows expected, 1 given"):
        chain.insert([AuditEvent()])


def test_annotations_are_set_on_the_objects_and_converted_as_the_orm_converts():
    from django.db.models import Subquery

    from households.models import Participant

    org = make_organization()
    offering = make_offering(org, name="Pottery")
    child = make_household(org, with_login=False).participants.first()
    query = CompiledQuery(
        Offering,
        lambda *, offering_id, participant_id: Offering.objects.filter(pk=offering_id).annotate(
            child_born=Subquery(Participant.objects.filter(pk=participant_id).values("date_of_birth"))
        ),
    )
    [found] = query.objects(offering_id=offering.pk, participant_id=child.pk)
    assert (found.name, found.child_born) == ("Pottery", child.date_of_birth)  # a date, on SQLite too
    [nobody] = query.objects(offering_id=offering.pk, participant_id=child.pk + 1000)
    assert nobody.child_born is None
