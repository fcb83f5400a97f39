"""capacity.hints: which offerings this process lately saw full (a path hint, never an answer)."""

from datetime import UTC, datetime, timedelta

import time_machine

from capacity.hints import REMEMBER, RecentlyFull

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_a_full_offering_is_hinted_until_it_has_room_or_the_hint_lapses():
    hints = RecentlyFull()
    with time_machine.travel(T0, tick=False):
        assert not hints.any_of([1, 2])
        hints.saw_full([1])
        assert hints.any_of([1, 2])
        assert not hints.any_of([2])
        hints.saw_room([1])
        assert not hints.any_of([1])
        hints.saw_full([2])
    with time_machine.travel(T0 + REMEMBER - timedelta(seconds=1), tick=False):
        assert hints.any_of([2])
    with time_machine.travel(T0 + REMEMBER, tick=False):
        assert not hints.any_of([2])  # lapsed: the next add goes straight to the lock again
    hints.saw_full([3])
    hints.forget()
    assert not hints.any_of([3])
