"""Which offerings this process has lately seen full: a hint for the add's path, never an answer.

An add for an offering that was full a moment ago first looks without a lock, to be refused
at once if it still is (carts.services.adding._refuse_early); an add for any other offering goes
straight to the lock, sparing the look. Whatever the hint says, the answer comes from the
database: a stale hint costs one look too many or too few, never a wrong answer.
"""

import threading
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from django.utils import timezone

REMEMBER = timedelta(seconds=60)  # a full offering stays hinted this long after its last refusal
_MAX_OFFERINGS = 10_000
_NEVER = datetime.min.replace(tzinfo=UTC)


class RecentlyFull:
    def __init__(self) -> None:
        self._until: dict[int, datetime] = {}  # offering id -> the instant its hint lapses (X4: timezone.now)
        self._lock = threading.Lock()

    def any_of(self, offering_ids: Iterable[int]) -> bool:
        now = timezone.now()
        return any(self._until.get(offering_id, _NEVER) > now for offering_id in offering_ids)

    def saw_full(self, offering_ids: Iterable[int]) -> None:
        until = timezone.now() + REMEMBER
        with self._lock:
            if len(self._until) >= _MAX_OFFERINGS:
                self._until.clear()
            self._until.update(dict.fromkeys(offering_ids, until))

    def saw_room(self, offering_ids: Iterable[int]) -> None:
        with self._lock:
            for offering_id in offering_ids:
                self._until.pop(offering_id, None)

    def forget(self) -> None:
        with self._lock:
            self._until.clear()


RECENTLY_FULL = RecentlyFull()
