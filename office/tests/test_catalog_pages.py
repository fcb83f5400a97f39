"""The catalog's pages (issue 14, decision 0018) with Django's test client: an offering's details
and schedule, programs and a season copied after its preview, closures, facilities with their
hours and rental slots. (The route x role matrix covers who may open them.)"""

from datetime import date
from decimal import Decimal

from audit.models import AuditEvent
from catalog.models import Closure, Facility, Meeting, Offering, Program
from catalog.tests.factories import make_offering


def url(world, path):
    return f"/office/{world.organization.slug}/setup/{path}"


def test_an_offering_is_changed_with_its_age_rule_opening_and_notice_recipient(world, client_for):
    offering_id = world.url_kwargs["offering_id"]
    admin = client_for("admin")
    form = admin.get(url(world, f"offerings/{offering_id}/edit/")).context["form"]
    values = {k: "" if v is None else v for k, v in form.initial.items()}
    changed = values | {
        "price": "42.50",
        "min_age": "6",
        "max_age": "9",
        "age_cutoff_on": "2026-12-31",
        "registration_opens_at": "2026-02-01T09:00",
        "registration_notifications": "on",
        "notification_email": "coach@parks.test",
    }
    assert admin.post(url(world, f"offerings/{offering_id}/edit/"), changed).status_code == 302
    offering = Offering.objects.get(pk=offering_id)
    assert (offering.price, offering.min_age, offering.age_cutoff_on) == (Decimal("42.50"), 6, date(2026, 12, 31))
    assert offering.registration_opens_at.isoformat() == "2026-02-01T14:00:00+00:00"  # 9:00 in Toronto
    assert (offering.registration_notifications, offering.notification_email) == (True, "coach@parks.test")
    assert AuditEvent.objects.get(verb="offering.changed").data["after"]["price"] == "42.50"
    refused = admin.post(url(world, f"offerings/{offering_id}/edit/"), changed | {"min_age": "10"})
    assert "must be at least min_age" in refused.content.decode()


def test_a_schedule_is_previewed_then_saved_from_the_page(world, client_for):
    offering_id = world.url_kwargs["offering_id"]
    Closure.objects.create(organization=world.organization, day=date(2026, 1, 8), name="Snow day")
    admin = client_for("admin")
    values = {
        "weekdays": ["1", "3"],
        "starts_on": "2026-01-06",
        "ends_on": "2026-01-29",
        "meets_from": "18:00",
        "meets_until": "19:30",
        "skipped": "2026-01-15",
    }
    before = list(Meeting.objects.filter(offering_id=offering_id).values_list("pk", flat=True))
    preview = admin.post(url(world, f"offerings/{offering_id}/schedule/"), values | {"action": "preview"})
    page = preview.content.decode()
    assert "6 meetings" in page
    assert "Snow day" in page
    assert list(Meeting.objects.filter(offering_id=offering_id).values_list("pk", flat=True)) == before
    saved = admin.post(url(world, f"offerings/{offering_id}/schedule/"), values | {"action": "save"})
    assert saved.status_code == 302
    assert Meeting.objects.filter(offering_id=offering_id).count() == 6
    wrong = admin.post(url(world, f"offerings/{offering_id}/schedule/"), values | {"meets_until": "17:00"})
    assert "A meeting must end after it starts." in wrong.content.decode()


def test_a_season_is_copied_after_its_preview_and_closures_are_managed(world, client_for):
    admin = client_for("admin")
    program = Program.objects.get(pk=world.url_kwargs["program_id"])
    Offering.objects.filter(pk=world.url_kwargs["offering_id"]).update(
        program=program, starts_on=date(2026, 1, 6), ends_on=date(2026, 1, 29)
    )
    path = url(world, f"programs/{program.pk}/")
    preview = admin.post(path, {"action": "preview_copy", "season": "Spring", "starts_on": "2026-04-07"})
    assert "1 offering would be copied, 91 days later" in preview.content.decode()
    assert not Program.objects.filter(season="Spring").exists()
    made = admin.post(path, {"action": "copy", "season": "Spring", "starts_on": "2026-04-07"})
    copy = Program.objects.get(season="Spring")
    assert made.url.endswith(f"/programs/{copy.pk}/")
    assert copy.offerings.get().starts_on == date(2026, 4, 7)
    again = admin.post(path, {"action": "preview_copy", "season": "Spring", "starts_on": "2026-04-07"})
    assert "not a season this program already has" in again.content.decode()

    assert admin.post(url(world, "closures/"), {"day": "2026-12-25", "name": "Christmas"}).status_code == 302
    assert Closure.objects.filter(organization=world.organization, day=date(2026, 12, 25)).exists()
    admin.post(url(world, "closures/"), {"reopen": "2026-12-25"})
    assert not Closure.objects.filter(organization=world.organization).exists()


def test_a_facility_gets_hours_rental_slots_and_approval_from_its_page(world, client_for):
    admin = client_for("admin")
    facility_id = world.url_kwargs["facility_id"]
    path = url(world, f"facilities/{facility_id}/")
    bad = admin.post(path, {"action": "hours", "hours_5": "09:00"})
    assert "Write each opening as two times" in bad.content.decode()
    overlapping = admin.post(path, {"action": "hours", "hours_5": "09:00-12:00, 11:00-13:00"})
    assert "Two openings overlap" in overlapping.content.decode()
    assert admin.post(path, {"action": "hours", "hours_5": "09:00-12:00"}).status_code == 302
    slots = {"first_day": "2026-03-01", "last_day": "2026-03-14", "minutes": "90", "price": "35.00"}
    preview = admin.post(path, slots | {"action": "preview_slots"})
    assert "4 slots would be made" in preview.content.decode()  # 7 and 14 March, 9:00 and 10:30
    admin.post(path, slots | {"action": "slots"})
    assert Offering.objects.filter(facility_id=facility_id, kind="rental").count() == 4
    admin.post(path, {"action": "save", "name": "Hall", "requires_approval": "on"})
    assert Facility.objects.get(pk=facility_id).requires_approval
    added = admin.post(url(world, "facilities/"), {"name": "Pavilion"})
    assert added.status_code == 302
    assert Facility.objects.filter(organization=world.organization, name="Pavilion").exists()


def test_the_catalog_lists_export_as_csv(world, client_for):
    admin = client_for("admin")
    Closure.objects.create(organization=world.organization, day=date(2026, 12, 25), name="Christmas")
    for path, header, cell in (
        ("programs/", "Program,Season,Offerings", "Swim,Winter,0"),
        ("facilities/", "Facility,Portal bookings,Bookable days", "Hall,booked at once,0"),
        ("closures/", "Day,Name", "2026-12-25,Christmas"),
    ):
        exported = admin.get(url(world, path) + "?format=csv")
        assert exported["Content-Type"].startswith("text/csv")
        assert exported.content.decode().splitlines()[:2] == [header, cell]
    queue = client_for("frontdesk").get(f"/office/{world.organization.slug}/approvals/?format=csv")
    assert queue.content.decode().startswith("Facility,Starts,Ends,Household,Total,Status")


def test_a_facility_has_several_openings_a_day_on_its_page(world, client_for):
    admin = client_for("admin")
    facility_id = world.url_kwargs["facility_id"]
    path = url(world, f"facilities/{facility_id}/")
    saved = admin.post(path, {"action": "hours", "hours_0": "14:00-21:00, 07:00-12:00", "hours_2": "09:00-11:00"})
    assert saved.status_code == 302
    rows = Facility.objects.get(pk=facility_id).hours.values_list("weekday", "opens_at", "closes_at")
    assert [(w, f"{o:%H:%M}", f"{c:%H:%M}") for w, o, c in rows] == [
        (0, "07:00", "12:00"),
        (0, "14:00", "21:00"),
        (2, "09:00", "11:00"),
    ]
    shown = admin.get(path).context["hours"]
    assert shown["hours_0"].value() == "07:00-12:00, 14:00-21:00"  # shown back as typed, in order


def test_an_offering_without_a_program_is_offered_in_words(world, client_for):
    """The Program choice's empty option says what it means, on the new and change forms."""
    admin = client_for("admin")
    offering = make_offering(world.organization)
    for path in ("setup/offerings/new/", f"setup/offerings/{offering.pk}/edit/"):
        page = admin.get(f"/office/{world.organization.slug}/{path}").content.decode()
        assert '<option value="" selected>No program</option>' in page, path


def test_x2_changing_one_detail_records_only_that_detail_and_an_instant_in_local_time(world, client_for):
    """The edit form sends the registration opening back as the wall-clock time it showed; it
    used to count as changed on every save (a naive time against an aware one), so the trail
    said 'registration opens at: 2026-02-01 14:00:00+00:00' became '2026-02-01 09:00:00-05:00',
    the same instant, beside the one change made."""
    offering_id = world.url_kwargs["offering_id"]
    admin = client_for("admin")
    edit = url(world, f"offerings/{offering_id}/edit/")
    values = {k: "" if v is None else v for k, v in admin.get(edit).context["form"].initial.items()}
    assert admin.post(edit, values | {"registration_opens_at": "2026-02-01T09:00"}).status_code == 302
    opened = AuditEvent.objects.filter(verb="offering.changed").latest("pk").data
    assert opened["after"] == {"registration_opens_at": "2026-02-01 09:00:00-05:00"}  # Toronto's time
    values = {k: "" if v is None else v for k, v in admin.get(edit).context["form"].initial.items()}
    assert admin.post(edit, values | {"price": "42.50"}).status_code == 302
    priced = AuditEvent.objects.filter(verb="offering.changed").latest("pk").data
    assert list(priced["before"]) == list(priced["after"]) == ["price"]
    count = AuditEvent.objects.filter(verb="offering.changed").count()
    values = {k: "" if v is None else v for k, v in admin.get(edit).context["form"].initial.items()}
    assert admin.post(edit, values).status_code == 302  # saved as it was: nothing to record
    assert AuditEvent.objects.filter(verb="offering.changed").count() == count


def test_x5_a_date_in_year_1_or_9999_is_refused_in_words_on_the_catalog_forms(world, client_for):
    """The pages took 0001-01-01 (stored with Toronto's 1800s offset, -05:17:32) and 9999-12-31,
    which overflow where a day is added; the API refuses them. Now the pages do too."""
    offering_id = world.url_kwargs["offering_id"]
    admin = client_for("admin")
    edit = url(world, f"offerings/{offering_id}/edit/")
    values = {k: "" if v is None else v for k, v in admin.get(edit).context["form"].initial.items()}
    before = Offering.objects.values().get(pk=offering_id)
    for field, value in [
        ("starts_on", "9999-12-31"),
        ("ends_on", "0001-01-01"),
        ("age_cutoff_on", "9999-12-31"),
        ("registration_opens_at", "0001-01-01T00:00"),
        ("registration_closes_at", "9999-12-31T23:00"),
    ]:
        answer = admin.post(edit, values | {field: value})
        assert answer.status_code == 200, field
        assert answer.context["form"].errors[field] == ["Enter a date from 1900-01-01 to 2999-12-31."]
    assert Offering.objects.values().get(pk=offering_id) == before
    schedule = admin.post(
        url(world, f"offerings/{offering_id}/schedule/"),
        {
            "action": "preview",
            "weekdays": ["0"],
            "starts_on": "2027-01-04",
            "ends_on": "2027-02-01",
            "meets_from": "18:00",
            "meets_until": "19:00",
            "skipped": "9999-12-31",
        },
    )
    assert schedule.context["form"].errors["skipped"] == ["Enter a date from 1900-01-01 to 2999-12-31."]
