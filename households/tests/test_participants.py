from datetime import date

import pytest

from audit.models import AuditEvent
from households.services import ParticipantExists, ParticipantNotFound, add_participant, change_participant
from households.tests.factories import make_household


def change(household, participant_id, **fields):
    values = {"first_name": "Sam", "last_name": "Lee", "date_of_birth": date(2017, 1, 2)} | fields
    return change_participant(
        household=household, participant_id=participant_id, channel="portal", actor_id=None, **values
    )


def test_a_participant_is_corrected_and_the_change_is_audited(org):
    household = make_household(org)
    kid = household.participants.get()
    changed = change(household, kid.pk, first_name=" Samuel ")
    kid.refresh_from_db()
    assert (
        (kid.first_name, kid.last_name, kid.date_of_birth)
        == ("Samuel", "Lee", date(2017, 1, 2))
        == (
            changed.first_name,
            changed.last_name,
            changed.date_of_birth,
        )
    )
    event = AuditEvent.objects.get(verb="household.participant_changed")
    assert event.data["before"]["first_name"] == "Kid1"


def test_x1_another_households_participant_is_not_found(org):
    mine, theirs = make_household(org), make_household(org)
    with pytest.raises(ParticipantNotFound):
        change(mine, theirs.participants.get().pk)


def test_x5_changing_into_a_person_already_in_the_household_is_refused(org):
    household = make_household(org)
    add_participant(
        household=household,
        first_name="Ana",
        last_name="Lee",
        date_of_birth=date(2015, 3, 4),
        channel="portal",
        actor_id=None,
    )
    kid = household.participants.get(first_name="Kid1")
    with pytest.raises(ParticipantExists):
        change(household, kid.pk, first_name="ana", date_of_birth=date(2015, 3, 4))
    kid.refresh_from_db()
    assert kid.first_name == "Kid1"


@pytest.mark.parametrize("again", ["mia ñúñez", " MIA  ÑÚÑEZ "])
def test_x5_the_same_person_in_another_case_is_refused_beyond_ascii_too(org, again):
    """SQLite's LOWER() folds only ASCII, so the constraint alone let 'ñúñez' in beside 'Ñúñez'."""
    household = make_household(org, children=0)
    add = {"household": household, "date_of_birth": date(2018, 4, 1), "channel": "portal", "actor_id": None}
    add_participant(first_name="Mia", last_name="Ñúñez", **add)
    first, last = again.strip().split(maxsplit=1)
    with pytest.raises(ParticipantExists, match=r"born 1 April 2018, is already in this household"):
        add_participant(first_name=first, last_name=last, **add)
    assert household.participants.count() == 1
