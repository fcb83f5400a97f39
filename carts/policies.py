"""Pure cart rules (D5): facts and settings in, decisions out. No ORM, no clock."""

import itertools
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from carts import errors


def cart_expires_at(
    *, first_added_at: datetime, last_added_at: datetime, timeout_minutes: int, limit_minutes: int
) -> datetime:
    """T2, T3: the timeout restarts at every add, the limit never does."""
    return min(last_added_at + timedelta(minutes=timeout_minutes), first_added_at + timedelta(minutes=limit_minutes))


def office_timer(kinds: Iterable[str]) -> str:
    """T5: the office wizard whose timer a cart the office starts runs on: the camp wizard's
    when it enrolls in a camp, the class wizard's for everything else (classes, memberships,
    rentals)."""
    return "office_camp" if "camp" in set(kinds) else "office_class"


def check_holder(*, is_fresh: bool, is_held_by_office: bool, channel: str) -> None:
    """S3: who may add to a cart that holds something. Staff add only to a cart the office
    holds (one it started, or took over explicitly); a customer's cart must be taken over
    first. A customer cannot add to a cart the office is completing (they may still empty
    it, T6). A new or emptied cart (`is_fresh`) belongs to whoever adds first."""
    if is_fresh:
        return
    if channel == "office" and not is_held_by_office:
        raise errors.CustomerCartOpen
    if channel != "office" and is_held_by_office:
        raise errors.CartHeldByOffice


def check_registrable(
    *,
    kind: str,
    name: str,
    opens_at: datetime | None,
    closes_at: datetime | None,
    min_age: int | None,
    max_age: int | None,
    has_participant: bool,
    participant_age: int | None,
    now: datetime,
    age_counted_on: date | None = None,
    today: date | None = None,
) -> None:
    """Whether this offering can go in a cart now, for this participant. Raises the
    specific refusal, so that the customer is told why."""
    if opens_at is not None and now < opens_at:
        raise errors.RegistrationNotOpen(
            f"Registration for {name} opens at {opens_at.isoformat()}.", opens_at=opens_at.isoformat()
        )
    if closes_at is not None and now >= closes_at:
        raise errors.RegistrationClosed(f"Registration for {name} closed at {closes_at.isoformat()}.")
    if kind == "rental":
        if has_participant:
            raise errors.InvalidItem("A facility rental is booked for the household, not a participant.")
        return
    if not has_participant:
        raise errors.ParticipantRequired(f"Choose the participant to register for {name}.")
    if participant_age is not None and (
        (min_age is not None and participant_age < min_age) or (max_age is not None and participant_age > max_age)
    ):
        raise errors.AgeIneligible(
            f"{name} is for ages {_ages(min_age, max_age)}; "
            + _participant_age(participant_age, counted_on=age_counted_on, today=today),
            age=participant_age,
            min_age=min_age,
            max_age=max_age,
            counted_on=age_counted_on.isoformat() if age_counted_on else None,
            tense=age_tense(age_counted_on, today),
        )


def age_tense(counted_on: date | None, today: date | None) -> str:
    """Whether the day ages are counted on is to come ("future"), today ("present") or gone
    ("past"): a refusal says the participant "will be", "is" or "was" that age."""
    if counted_on is None or today is None or counted_on == today:
        return "present"
    return "future" if counted_on > today else "past"


def _participant_age(age: int, *, counted_on: date | None, today: date | None) -> str:
    years = "under 1" if age < 1 else str(age)
    if counted_on is None:
        return f"this participant is {years}."
    verb = {"future": "will be", "present": "is", "past": "was"}[age_tense(counted_on, today)]
    return f"this participant {verb} {years} on {counted_on.isoformat()}, the day ages are counted."


def _ages(min_age: int | None, max_age: int | None) -> str:
    if min_age is not None and max_age is not None:
        return f"{min_age} to {max_age}"
    if min_age is not None:
        return f"{min_age} and up"
    return f"up to {max_age}"


def age_reference_day(*, starts_on: date | None, today: date, cutoff_on: date | None = None) -> date:
    """Ages are taken on the offering's age cutoff day if it has one (E1), else on its first
    day (or today, for open-ended offerings)."""
    return cutoff_on or starts_on or today


def contiguous_slots(slots: list[tuple[datetime, datetime]], *, starts_at: datetime, ends_at: datetime) -> bool:
    """S5: a rental range must be covered exactly by back-to-back slots, sorted by start."""
    if not slots or starts_at >= ends_at:
        return False
    if slots[0][0] != starts_at or slots[-1][1] != ends_at:
        return False
    return all(prev_end == next_start for (_, prev_end), (next_start, _) in itertools.pairwise(slots))


def extended_expiry(
    *, first_added_at: datetime, expires_at: datetime, now: datetime, timeout_minutes: int, limit_minutes: int
) -> datetime | None:
    """H1: the expiry an extension at `now` gives (the timeout restarted, within the limit
    that never restarts, T3), or None when it would not move the expiry later."""
    extended = cart_expires_at(
        first_added_at=first_added_at, last_added_at=now, timeout_minutes=timeout_minutes, limit_minutes=limit_minutes
    )
    return extended if extended > expires_at else None


def at_time_limit(*, first_added_at: datetime | None, expires_at: datetime | None, limit_minutes: int) -> bool:
    """Whether the cart's expiry is its hard limit (T3): no extension can move it."""
    if first_added_at is None or expires_at is None:
        return False
    return expires_at >= first_added_at + timedelta(minutes=limit_minutes)
