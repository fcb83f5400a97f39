"""Django's database sessions, read with SQL compiled once per process (core.querycache): every
signed-in request reads its session, the portal's add on registration morning too (decision
0014). Same table, same rows, same expiry rule as `django.contrib.sessions.backends.db`;
only the building of the SELECT is skipped. SESSION_ENGINE = "core.sessions"."""

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.utils import timezone

from core.querycache import CompiledQuery

_LIVE_SESSION = CompiledQuery(
    Session,
    lambda *, session_key, now: Session.objects.filter(session_key=session_key, expire_date__gt=now)[:1],
)


class SessionStore(db.SessionStore):
    def _get_session_from_db(self) -> Session | None:
        found = _LIVE_SESSION.first(session_key=self.session_key, now=timezone.now())
        if found is None:
            self._session_key = None  # as Django's: an unknown or expired key starts a new session
        return found
