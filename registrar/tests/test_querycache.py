"""registrar.querycache: a compiled query answers exactly what its queryset answers."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AuditEvent
from catalog.models import Offering
from catalog.tests.factories import make_offering
from households.models import Household
from households.tests.factories import make_household
from organizations.tests.factories import make_organization
from registrar.querycache import CompiledInsert, CompiledQuery

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
