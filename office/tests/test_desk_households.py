"""S8 at the desk, with Django's test client: find a household by any word a caller gives, create
one (with an invitation to the portal), and its page showing its people, cart, orders,
registrations, notes and audit trail."""

from audit.models import AuditEvent
from carts.services import add_to_cart
from catalog.tests.factories import make_offering
from households.models import Household, HouseholdNote
from households.tests.factories import make_household, make_participant
from notifications.models import Notification


def url(world, path=""):
    return f"/office/{world.organization.slug}/{path}"


def test_s8_search_finds_a_household_by_payer_email_phone_or_participant(world, client_for):
    household = make_household(world.organization, children=0)
    Household.objects.filter(pk=household.pk).update(name="Dana Parker", phone="(613) 555-0142")
    make_participant(household, first_name="Maya")
    desk = client_for("frontdesk")
    for words in ("parker", "PARKER", household.email, "613-555-0142", "6135550142", "maya", "maya dana"):
        page = desk.get(url(world, "households/"), {"q": words})
        assert page.status_code == 200
        assert "Dana Parker" in page.content.decode(), words
    assert "Dana Parker" not in desk.get(url(world, "households/"), {"q": "maya nobody"}).content.decode()


def test_s8_search_as_you_type_answers_only_the_results_to_htmx(world, client_for):
    household = make_household(world.organization)
    partial = client_for("frontdesk").get(url(world, "households/"), {"q": household.name}, HTTP_HX_REQUEST="true")
    body = partial.content.decode()
    assert household.name in body
    assert "<html" not in body
    assert 'id="results"' in body


def test_x5_a_search_with_a_nul_character_is_a_bad_request_not_a_server_error(world, client_for):
    """PostgreSQL cannot compare text holding a NUL: ?q=a%00b on the household search, the
    walk-up and the facility calendar was a 500 there. Every page answers it 400, in words."""
    desk = client_for("frontdesk")
    for path in ("households/", "walk-up/", "calendar/", "pending/"):
        answer = desk.get(url(world, path), {"q": "park\x00er"})
        assert answer.status_code == 400, path
        assert "Sorry, that request could not be understood" in answer.content.decode()
    booking = desk.post(url(world, "calendar/"), {"household": world.household.pk, "from": "18:00\x00"})
    assert booking.status_code == 400
    portal = client_for("frontdesk").get(f"/o/{world.organization.slug}/", {"q": "swim\x00"})
    assert portal.status_code == 400
    assert desk.get(url(world, "households/"), {"q": "parker"}).status_code == 200


def test_x1_search_never_finds_another_organizations_household(world, client_for):
    other = make_household(world.other_organization)
    page = client_for("admin").get(url(world, "households/"), {"q": other.name})
    assert other.email not in page.content.decode()
    assert client_for("admin").get(url(world, f"households/{other.pk}/")).status_code == 404


def test_s8_create_a_household_at_the_desk_with_its_participants_and_an_invitation(world, client_for):
    made = client_for("frontdesk").post(
        url(world, "households/new/"),
        {
            "name": "Robin Okoye",
            "email": "Robin@Example.test",
            "phone": "613 555 0100",
            "first_name_1": "Ada",
            "last_name_1": "Okoye",
            "born_1": "2017-03-04",
            "invite": "on",
        },
    )
    household = Household.objects.get(email="robin@example.test")
    assert made.status_code == 302
    assert made["Location"].endswith(f"households/{household.pk}/")
    assert [p.full_name for p in household.participants.all()] == ["Ada Okoye"]
    assert household.payer is not None
    assert not household.payer.has_usable_password()
    invite = Notification.objects.get(kind="household_invite")
    assert invite.to_email == "robin@example.test"
    assert "Your login is robin@example.test" in invite.body_text
    created = AuditEvent.objects.get(verb="household.created", household_id=household.pk)
    assert created.actor_id == world.users["frontdesk"].pk
    assert created.channel == "office"


def test_s8_without_invitation_there_is_no_login_and_no_email(world, client_for):
    client_for("frontdesk").post(url(world, "households/new/"), {"name": "No Login", "email": "nologin@example.test"})
    household = Household.objects.get(email="nologin@example.test")
    assert household.payer is None
    assert not Notification.objects.filter(kind="household_invite").exists()


def test_x5_a_household_form_with_problems_says_so_beside_the_field_and_creates_nothing(world, client_for):
    before = Household.objects.count()
    refused = client_for("frontdesk").post(
        url(world, "households/new/"), {"name": "", "email": "not-an-email", "first_name_1": "Ada"}
    )
    body = refused.content.decode()
    assert refused.status_code == 400
    assert "Enter the participant&#x27;s last name." in body or "Enter the participant's last name." in body
    assert Household.objects.count() == before
    taken = client_for("frontdesk").post(url(world, "households/new/"), {"name": "Dup", "email": world.household.email})
    assert taken.status_code == 409
    assert f"{world.household.email} is already the email of {world.household.name}: open that household instead." in (
        taken.content.decode()
    )
    assert Household.objects.count() == before


def test_x5_a_participant_born_in_the_future_is_refused_beside_their_date_and_creates_nothing(world, client_for):
    """The desk's new-household form with a date of birth in the future: a 400 naming the
    participant beside their date of birth, not a server error."""
    before = Household.objects.count()
    refused = client_for("frontdesk").post(
        url(world, "households/new/"),
        {
            "name": "Walk In",
            "email": "walkin@example.test",
            **{"first_name_1": "Ada", "last_name_1": "In", "born_1": "2015-01-01"},
            **{"first_name_2": "Zed", "last_name_2": "In", "born_2": "2099-01-01"},
        },
    )
    assert refused.status_code == 400
    form = refused.context["form"]
    assert form.errors["born_2"] == ["Zed In: date of birth cannot be in the future."]
    assert Household.objects.count() == before


def test_s8_household_page_shows_people_cart_registrations_notes_and_audit(world, client_for):
    offering = make_offering(world.organization, capacity=5, price="30.00", name="Pottery")
    kid = world.household.participants.first()
    add_to_cart(household=world.household, offering_id=offering.pk, participant_id=kid.pk, channel="portal")
    desk = client_for("frontdesk")
    assert (
        desk.post(url(world, f"households/{world.household.pk}/notes/"), {"text": "Prefers phone calls"}).status_code
        == 302
    )
    page = desk.get(url(world, f"households/{world.household.pk}/")).content.decode()
    held = f"Held a seat in Pottery for {kid.full_name}"  # the audit trail, in words
    for expected in (kid.full_name, "Pottery", "Started by the family", "Prefers phone calls", held, "Added a note"):
        assert expected in page, expected
    assert HouseholdNote.objects.get().author_id == world.users["frontdesk"].pk
    assert AuditEvent.objects.filter(verb="household.note_added").count() == 1
