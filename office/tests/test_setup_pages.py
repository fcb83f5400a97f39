"""Issue 14's pages with Django's test client: each does what its service does, refuses the
same way, and exports its list as CSV. (The route x role matrix covers who may open them.)"""

import csv
import io
import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import record
from bulk.tests.helpers import T0, enroll
from carts.services import add_rental_to_cart, add_to_cart, delete_hold
from catalog.models import Offering
from catalog.tests.factories import make_facility_with_slots, make_offering
from households.tests.factories import make_household
from office.audit_words import SENTENCES
from office.tests.matrix import office_routes
from organizations.models import Organization


def url(world, name):
    return f"/office/{world.organization.slug}/{name}"


def test_g6_settings_page_previews_the_grace_impacts_then_saves_as_previewed(world, client_for):
    admin = client_for("admin")
    registration = enroll(world.organization, make_offering(world.organization, capacity=3, price="40.00"), when=T0)
    form = admin.get(url(world, "setup/settings/")).context["form"]
    values = {
        name: ("on" if value is True else "" if value is False else value) for name, value in form.initial.items()
    }
    values["grace_period_hours"] = 24
    with time_machine.travel(T0 + timedelta(hours=30), tick=False):
        preview = admin.post(url(world, "setup/settings/"), values | {"action": "preview"})
        assert preview.status_code == 200
        assert "Grace Period Impacts" in preview.content.decode()
        assert registration.household.name in preview.content.decode()
        said = " ".join(preview.content.decode().split())
        assert "The next background run would delete 1 registration. It would send 1 email." in said  # no "(s)"
        assert Organization.objects.get(pk=world.organization.pk).grace_period_hours == 0  # not saved yet
        saved = admin.post(url(world, "setup/settings/"), values | {"action": "save"})
    assert saved.status_code == 302
    assert Organization.objects.get(pk=world.organization.pk).grace_period_hours == 24
    assert AuditEvent.objects.filter(verb="organization.settings_changed").exists()


def test_x7_the_settings_page_refuses_out_of_range_naming_the_range(world, client_for):
    admin = client_for("admin")
    form = admin.get(url(world, "setup/settings/")).context["form"]
    values = {
        name: ("on" if value is True else "" if value is False else value) for name, value in form.initial.items()
    }
    refused = admin.post(url(world, "setup/settings/"), values | {"cart_timeout_minutes": 500, "action": "preview"})
    assert "between 5 and 120 minutes" in refused.content.decode()
    assert "Check the changes" not in refused.content.decode()


def test_x7_the_settings_page_names_languages_and_providers_in_words(world, client_for):
    """'en-ca / en-us / fr-ca' and 'none / sandbox / stripe' were the choices a new administrator
    saw; the codes stay the values (and the API's), the page says what each one is."""
    admin = client_for("admin")
    page = admin.get(url(world, "setup/settings/"))
    form = page.context["form"]
    assert dict(form.fields["locale"].choices)["fr-ca"] == "Français (Canada)"
    assert dict(form.fields["locale"].choices)["en-us"] == "English (US)"
    assert dict(form.fields["payment_provider"].choices)["none"] == "None: no online payments"
    assert "up to 200 characters" in page.content.decode()
    values = {
        name: ("on" if value is True else "" if value is False else value) for name, value in form.initial.items()
    }
    preview = admin.post(url(world, "setup/settings/"), values | {"locale": "fr-ca", "action": "preview"})
    assert preview.context["changed_rows"] == [("Language and formats", "English (Canada)", "Français (Canada)")]


def test_an_offering_is_created_with_its_weekly_schedule_from_the_page(world, client_for):
    made = client_for("admin").post(
        url(world, "setup/offerings/new/"),
        {
            "kind": "class",
            "name": "Pottery",
            "price": "90.00",
            "capacity": "10",
            "starts_on": "2026-01-06",
            "ends_on": "2026-01-29",
            "weekdays": ["1", "3"],
            "meets_from": "18:00",
            "meets_until": "19:30",
            "location": "Studio",
            "skipped": "2026-01-15",
        },
    )
    assert made.status_code == 302, made.context["form"].errors
    pottery = Offering.objects.get(organization=world.organization, name="Pottery")
    assert pottery.meetings.count() == 7


def test_a_skipped_date_that_is_not_a_date_is_refused_next_to_its_field_and_nothing_is_made(world, client_for):
    refused = client_for("admin").post(
        url(world, "setup/offerings/new/"),
        {
            "kind": "class",
            "name": "Pottery",
            "price": "90.00",
            "starts_on": "2026-01-06",
            "ends_on": "2026-01-29",
            "weekdays": ["1"],
            "meets_from": "18:00",
            "meets_until": "19:30",
            "skipped": "15/01/2026",
        },
    )
    assert refused.status_code == 200
    assert refused.context["form"].errors["skipped"] == ["Enter dates as YYYY-MM-DD, separated by commas."]
    assert not Offering.objects.filter(organization=world.organization, name="Pottery").exists()


def test_f2_capacity_and_cancellation_are_previewed_on_the_offering_page(world, client_for):
    admin = client_for("admin")
    offering = make_offering(world.organization, capacity=4, price="20.00", name="Chess")
    enroll(world.organization, offering, paid="20.00")
    enroll(world.organization, offering)
    page = url(world, f"setup/offerings/{offering.pk}/")
    preview = admin.post(page, {"action": "preview_capacity", "capacity": "1"}).content.decode()
    assert "would be over the new capacity" in preview
    refused = admin.post(page, {"action": "capacity", "capacity": "1"})
    assert "beyond a capacity of 1" in refused.content.decode()
    assert refused.status_code == 409
    for typo in ("abc", "-1", "1e5"):  # refused in words with a 400, as the API does (it was a 200)
        answer = admin.post(page, {"action": "preview_capacity", "capacity": typo})
        assert answer.status_code == 400
        assert "a whole number between 0 and 100000" in answer.content.decode()
    assert Offering.objects.get(pk=offering.pk).capacity == 4
    cancel = admin.post(page, {"action": "preview_cancel"}).content.decode()
    assert "2 registrations deleted" in cancel
    assert admin.post(page, {"action": "cancel", "reason": "No teacher"}).status_code == 302
    assert Offering.objects.get(pk=offering.pk).cancelled_at is not None


def test_f2_the_capacity_preview_counts_one_seat_in_the_singular(world, client_for):
    """'1 seats are taken' read as a slip on the page a director checks before lowering."""
    admin = client_for("admin")
    offering = make_offering(world.organization, capacity=4, price="20.00", name="Chess")
    enroll(world.organization, offering, paid="20.00")
    page = url(world, f"setup/offerings/{offering.pk}/")
    preview = admin.post(page, {"action": "preview_capacity", "capacity": "0"}).content.decode()
    assert "1 seat is taken; the capacity would be 0." in preview
    enroll(world.organization, offering)
    preview = admin.post(page, {"action": "preview_capacity", "capacity": "0"}).content.decode()
    assert "2 seats are taken; the capacity would be 0." in preview


def test_the_offerings_list_exports_as_csv(world, client_for):
    answer = client_for("admin").get(url(world, "setup/offerings/?format=csv"))
    assert answer["Content-Type"].startswith("text/csv")
    assert answer.content.decode().splitlines()[0].startswith("Name,Kind,Program")


def test_x2_the_audit_log_filters_by_what_and_exports(world, client_for):
    admin = client_for("admin")
    make_offering(world.organization)
    admin.post(url(world, "setup/offerings/new/"), {"kind": "class", "name": "Yoga", "price": "5.00"})
    page = admin.get(url(world, "setup/audit/?verb=offering.created")).content.decode()
    assert "Created Yoga" in page  # in words, as on the household page
    assert '<option value="offering.">Offering: everything</option>' in page  # the filter suggests words
    exported = admin.get(url(world, "setup/audit/?verb=offering.&format=csv")).content.decode()
    header, *rows = list(csv.reader(io.StringIO(exported)))
    assert rows
    assert (header[2], header[-1]) == ("What", "Verb")
    assert all(row[-1].startswith("offering.") for row in rows)
    assert "Created Yoga" in {row[2] for row in rows}


def test_x5_the_audit_log_filtered_to_year_9999_says_the_range_instead_of_a_server_error(world, client_for):
    """?until=9999-12-31 overflowed adding the day after it (a 500, the CSV export too)."""
    admin = client_for("admin")
    for query in ("until=9999-12-31", "since=0001-01-01&until=9999-12-31", "until=9999-12-31&format=csv"):
        answer = admin.get(url(world, f"setup/audit/?{query}"))
        assert answer.status_code == 200, query
    page = admin.get(url(world, "setup/audit/?until=9999-12-31")).content.decode()
    assert "Enter a date from 1900-01-01 to 2999-12-31." in page


def _hold_then_delete(world, name):
    household = make_household(world.organization)
    child = household.participants.get()
    offering = make_offering(world.organization, name=name, capacity=5)
    claim = add_to_cart(household=household, offering_id=offering.pk, participant_id=child.pk, channel="portal")
    delete_hold(membership=world.staff["manager"], claim_id=claim.claims[0].pk)
    return child


def test_x2_the_audit_log_says_what_was_done_in_words_and_filters_by_verb(world, client_for):
    ana = _hold_then_delete(world, "Swim 1")
    admin = client_for("admin")
    page = admin.get(url(world, "setup/audit/")).content.decode()
    assert f"Deleted a held seat in Swim 1 for {ana.full_name}" in page
    assert f"Held a seat in Swim 1 for {ana.full_name}" in page
    assert "cart.hold_deleted" not in page.split('<div id="results">')[1]  # only the filter's options name verbs
    assert '<option value="cart.hold_deleted">Deleted a held seat in an offering for a participant</option>' in page
    filtered = admin.get(url(world, "setup/audit/?verb=cart.hold_deleted")).content.decode()
    assert f"Deleted a held seat in Swim 1 for {ana.full_name}" in filtered
    assert "Held a seat in Swim 1" not in filtered


def test_x2_an_unknown_verb_on_the_audit_log_still_reads_as_words(world, client_for):
    record(
        organization_id=world.organization.pk,
        verb="lockout.lifted_early",
        channel="office",
        subject_type="organization",
        subject_id=world.organization.pk,
        now=timezone.now(),
    )
    page = client_for("admin").get(url(world, "setup/audit/")).content.decode()
    assert "Lockout: lifted early" in page


# Every verb the code records (grep for verb= and record_change): none falls back to its raw words.
RECORDED_VERBS = [
    "absence_reason.added",
    "absence_reason.changed",
    "account.lockout_lifted",
    "alert.resolved",
    "attendance.absence_marked",
    "attendance.cleared",
    "attendance.recorded",
    "cart.balance_added",
    "cart.balance_removed",
    "cart.checked_out",
    "cart.deleted",
    "cart.emptied",
    "cart.expired",
    "cart.extended",
    "cart.hold_deleted",
    "cart.hold_released",
    "cart.item_added",
    "cart.item_removed",
    "cart.retimed",
    "cart.taken_over",
    "claim.rental_requested",
    "closure.set",
    "facility.hours_set",
    "facility.saved",
    "facility.slots_made",
    "household.calendar_feed_reset",
    "household.created",
    "household.email_verified",
    "household.note_added",
    "household.participant_added",
    "household.participant_changed",
    "household.signed_up",
    "import.households_row_changed",
    "import.households_row_created",
    "import.households_row_refused",
    "import.offerings_row_changed",
    "import.offerings_row_created",
    "import.offerings_row_refused",
    "notification.cancelled",
    "notification.retried",
    "offering.cancelled",
    "offering.capacity_changed",
    "offering.changed",
    "offering.created",
    "offering.group_enroll_undone",
    "offering.group_enrolled",
    "offering.instructor_assigned",
    "offering.instructor_removed",
    "offering.schedule_set",
    "order.created",
    "order.pay_link_sent",
    "order.put_on_account",
    "organization.settings_changed",
    "payment.abandoned",
    "payment.declined",
    "payment.recorded",
    "payment.requested",
    "payment.succeeded",
    "program.saved",
    "program.season_copied",
    "refund.recorded",
    "refund.requested",
    "registration.confirmed",
    "registration.deleted",
    "registration.restored",
    "registration.tentative",
    "rental_request.approved",
    "rental_request.created",
    "rental_request.declined",
    "rental_request.withdrawn",
]


def test_x2_every_verb_the_code_records_has_a_sentence():
    missing = [verb for verb in RECORDED_VERBS if verb not in SENTENCES]
    assert missing == []


def test_x2_the_audit_log_says_what_each_event_is_about_by_name(world, client_for):
    """The About column names the offering, the participant or the order, not "offering 12"."""
    ana = _hold_then_delete(world, "Swim 1")
    offering = Offering.objects.get(name="Swim 1")
    record(
        organization_id=world.organization.pk,
        verb="offering.capacity_changed",
        channel="office",
        subject_type="offering",
        subject_id=offering.pk,
        now=timezone.now(),
    )
    page = client_for("admin").get(url(world, "setup/audit/")).content.decode()
    results = page.split('<div id="results">')[1]
    assert "Changed the capacity of Swim 1" in results
    assert f"Swim 1: {ana.full_name}" in results  # the held place: its offering and participant
    assert f"offering {offering.pk}<" not in results
    assert "claim " not in results


def test_x2_amounts_on_the_audit_log_read_as_money(world, client_for):
    record(
        organization_id=world.organization.pk,
        verb="payment.recorded",
        channel="system",
        subject_type="payment",
        subject_id=1,
        data={"amount": "1278.50"},
        now=timezone.now(),
    )
    page = client_for("admin").get(url(world, "setup/audit/")).content.decode()
    assert "Recorded a payment of $1,278.50" in page


def test_x2_the_audit_logs_details_read_as_words_not_python(world, client_for):
    record(
        organization_id=world.organization.pk,
        verb="attendance.absence_marked",
        channel="portal",
        subject_type="attendance",
        subject_id=1,
        data={"before": None, "after": {"status": "absent", "recorded_by": "customer"}, "plan": [], "ids": [1, 2]},
        now=timezone.now(),
    )
    page = client_for("admin").get(url(world, "setup/audit/")).content.decode()
    # before, after, then by name, on both databases (PostgreSQL's jsonb reorders the keys)
    assert "before: none; after: (recorded by: customer, status: absent); ids: 1, 2; plan: none" in page
    assert "None" not in page.split('<div id="results">')[1]
    assert "{&#x27;" not in page


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("en-us", "Tuesday 8 December 2026, 6:15 p.m. EST"), ("fr-ca", "mardi 8 décembre 2026")],
)
def test_x2_an_instant_in_the_audit_details_reads_on_the_organizations_clock(world, client_for, locale, expected):
    """Details showed 'expires at: 2026-12-08T23:15:00+00:00', UTC as stored: an instant reads as
    on every other office page, on the organization's clock (Toronto) in its locale."""
    Organization.objects.filter(pk=world.organization.pk).update(locale=locale, time_zone="America/Toronto")
    record(
        organization_id=world.organization.pk,
        verb="cart.extended",
        channel="office",
        subject_type="cart",
        subject_id=1,
        data={"expires_at": "2026-12-08T23:15:00+00:00", "code": "2026-12-08T23:15"},
        now=timezone.now(),
    )
    page = client_for("admin").get(url(world, "setup/audit/")).content.decode()
    results = page.split('<div id="results">')[1]
    assert "2026-12-08T23:15:00+00:00" not in results
    assert f"expires at: {expected}" in results
    assert "code: 2026-12-08T23:15" in results  # a value without a zone is no instant: shown as it is


def test_x2_a_rental_held_for_a_household_names_the_household_on_the_audit_log(world, client_for):
    """A rental slot has no participant: the log said 'Held a seat in Gym, ... for the household'
    and 'Household 7' where it could name them."""
    zone = world.organization.zone
    day = timezone.now().astimezone(zone).date() + timedelta(days=3)
    facility, slots = make_facility_with_slots(
        world.organization, first_slot=timezone.datetime.combine(day, timezone.datetime.min.time(), zone), slots=1
    )
    household = make_household(world.organization)
    add_rental_to_cart(
        household=household,
        facility_id=facility.pk,
        starts_at=slots[0].starts_at,
        ends_at=slots[0].ends_at,
        channel="office",
    )
    record(
        organization_id=world.organization.pk,
        verb="household.created",
        channel="office",
        actor_id=None,
        subject_type="household",
        subject_id=household.pk,
        household_id=household.pk,
        data={},
        now=timezone.now(),
    )
    page = client_for("admin").get(url(world, "setup/audit/")).content.decode()
    assert f"Held a seat in {slots[0].name} for {household.name}" in page
    assert re.search(rf'data-label="About">\s*{household.name}\s*<', page)
    assert f"Household {household.pk}<" not in page


def test_x2_the_audit_logs_household_column_names_the_household_in_one_query_a_page(world, client_for):
    """The Household column showed the household's number ("7"), which staff do not know: it
    names the household, linked to its page, and reading the names costs the same for 1 household
    as for 4."""
    admin = client_for("admin")

    def paid(household) -> None:
        record(
            organization_id=world.organization.pk,
            verb="payment.recorded",
            channel="office",
            subject_type="payment",
            subject_id=1,
            household_id=household.pk,
            data={"amount": "10.00"},
            now=timezone.now(),
        )

    def queries() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as captured:
            page = admin.get(url(world, "setup/audit/")).content.decode()
        return len(captured), page

    first = make_household(world.organization)
    paid(first)
    one, page = queries()
    link = reverse("office:household", args=[world.organization.slug, first.pk])
    assert re.search(rf'data-label="Household">\s*<a [^>]*href="{link}"[^>]*>{first.name}</a>', page)
    assert not re.search(rf'data-label="Household">\s*{first.pk}\s*<', page)
    others = [make_household(world.organization) for _ in range(3)]
    for household in others:
        paid(household)
    many, page = queries()
    assert many == one
    assert all(h.name in page for h in others)
    exported = admin.get(url(world, "setup/audit/?format=csv")).content.decode()
    assert first.name in exported


def test_the_audit_log_takes_as_many_queries_for_many_events_as_for_one(world, client_for):
    admin = client_for("admin")
    _hold_then_delete(world, "Swim 1")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin.get(url(world, "setup/audit/")).status_code == 200
        return len(captured)

    one = queries()
    for n in range(6):
        _hold_then_delete(world, f"Swim {n + 2}")
    assert AuditEvent.objects.filter(organization=world.organization).count() >= 14
    assert queries() == one


def test_a_csv_import_shows_its_dry_run_then_imports_in_chunks(world, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    admin = client_for("admin")
    upload = SimpleUploadedFile("fall.csv", b"code,kind,name,price\nP1,class,Painting,30.00\nP2,party,Bad,1\n")
    planned = admin.post(url(world, "setup/imports/"), {"kind": "offerings", "file": upload})
    assert planned.status_code == 302
    dry_run = admin.get(planned["Location"]).content.decode()
    assert "create" in dry_run
    assert "refuse" in dry_run
    assert not Offering.objects.filter(code="P1").exists()
    progress = admin.post(planned["Location"], headers={"HX-Request": "true"})
    assert 'value="100"' in progress.content.decode()
    assert Offering.objects.filter(code="P1").exists()
    listed = admin.get(url(world, "setup/imports/")).content.decode()
    assert "fall.csv" in listed
    exported = admin.get(url(world, "setup/imports/?format=csv"))
    assert exported["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode())))
    assert rows[0] == ["File", "Holds", "State", "Rows done", "Rows", "By", "Checked"]
    assert rows[1][:5] == ["fall.csv", "Offerings", "Done", "2", "2"]


def test_the_absence_reasons_export_as_csv(world, client_for):
    from django.utils import timezone

    from attendance.models import AbsenceReason

    AbsenceReason.objects.create(
        organization=world.organization, name="=Sick", is_customer_usable=False, created_at=timezone.now()
    )
    exported = client_for("admin").get(url(world, "setup/absence-reasons/?format=csv"))
    assert exported["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode())))
    assert rows[0] == ["Reason", "Customers may use it", "In use"]
    assert ["'=Sick", "no", "yes"] in rows  # a formula-looking name is written as text


def test_reports_draw_svg_with_a_table_and_export_csv(world, client_for):
    admin = client_for("admin")
    enroll(world.organization, make_offering(world.organization, capacity=5, price="10.00"))
    for name in ("occupancy", "days", "incomplete"):
        page = admin.get(url(world, f"reports/{name}/")).content.decode()
        assert '<svg class="width-full height-auto"' in page
        assert "<table" in page
        assert admin.get(url(world, f"reports/{name}/?format=csv"))["Content-Type"].startswith("text/csv")


def test_n5_the_office_warns_exactly_when_health_ready_says_the_worker_is_stale(world, client_for):
    """One rule (jobs.selectors.worker_is_stale): a worker seen within 2 of its own intervals.
    At the same instant the home and Worker pages warn and /health/ready is not ready, or neither."""
    from django.test import Client

    from jobs.worker import Worker

    start = timezone.now().replace(microsecond=0)
    probe = Client(HTTP_HOST="10.0.0.7:8000")

    def seen_at(at):
        with time_machine.travel(at, tick=False):
            pages = [client_for(role).get(url(world, path)).content.decode() for role, path in WORKER_PAGES]
            ready = probe.get("/health/ready").json()["checks"]["worker"]["ok"]
        return ["No worker has run" in page for page in pages], ready

    assert seen_at(start) == ([True, True], False)  # no worker ever
    assert "No worker has run yet" in client_for("frontdesk").get(url(world, "")).content.decode()
    with time_machine.travel(start, tick=False):
        Worker(interval=60, jobs=[]).run_once()  # runs, then stops at `start`
    assert seen_at(start + timedelta(seconds=120)) == ([False, False], True)
    assert seen_at(start + timedelta(seconds=121)) == ([True, True], False)
    with time_machine.travel(start + timedelta(seconds=121), tick=False):
        home = client_for("frontdesk").get(url(world, "")).content.decode()
    assert "No worker has run since" in home


WORKER_PAGES = [("frontdesk", ""), ("admin", "setup/worker/")]


def test_a5_every_setup_page_can_be_found_from_the_setup_home(world, client_for):
    """The absence reasons page (A5) existed, but nothing linked to it: an administrator could
    only reach it by typing its address. Every setup page without an id in its address is linked
    from Setup or from a page Setup links to."""
    admin = client_for("admin")
    home = url(world, "setup/")
    linked = set(re.findall(r'href="([^"?#]+)', admin.get(home).content.decode()))
    second = set()
    for path in [p for p in linked if p.startswith(home)]:
        second |= set(re.findall(r'href="([^"?#]+)', admin.get(path).content.decode()))
    pages = [
        reverse(route.name, kwargs={"slug": world.organization.slug})
        for route in office_routes()
        if route.name.startswith("office:setup_") and route.keywords == ("slug",)
    ]
    assert pages
    assert [p for p in pages if p not in linked | second] == []
