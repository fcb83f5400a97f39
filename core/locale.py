"""An organization's locale, for its pages and its emails (decision 0025).

    with organization_locale(organization.locale):
        return view(request)

Inside, `get_language()` is the organization's locale, so Django's formats of it apply (money
through format_money, numbers, `|date`, form inputs), and month and day names come from Django's
own catalog of its language ("lundi 9 mars 2026"). The words stay as written, in English, for a
language the project has no catalog of (WORDS_LANGUAGES): Django's `translation.override("fr-ca")`
alone would also put into French every string of ours that Django's catalogs happen to hold
("Search", "Delete", "Save", "Email", "Skip to main content", the form errors), scattered among the
English. Where the project has a catalog of the language, this is Django's override itself.
"""

import gettext as gettext_module
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

from django.utils import dates, translation
from django.utils.translation import trans_real

# The languages the words of the pages and emails are written in. Add one with its catalog.
WORDS_LANGUAGES = frozenset({"en"})


def has_words_in(language: str) -> bool:
    """Whether the pages' words are written in this language (a locale such as "fr-ca")."""
    return language.split("-")[0] in WORDS_LANGUAGES


@cache
def calendar_words() -> frozenset[str]:
    """The English names of months and days (full, abbreviated, in every form dateformat uses):
    the strings this module lets Django translate. Not the clock's "a.m." and "p.m.": French
    writes "19 h 15", not "7:15 après-midi", and the 12-hour formats are the words' (English)
    until a catalog gives the 24-hour ones (context "instant format")."""
    with _activated(gettext_module.NullTranslations()):  # no catalog: each lazy name is its message id
        names = {str(name) for table in _DATE_TABLES for name in table.values()}
    return frozenset(names)


_DATE_TABLES = (
    dates.WEEKDAYS,
    dates.WEEKDAYS_ABBR,
    dates.MONTHS,
    dates.MONTHS_3,
    dates.MONTHS_AP,
    dates.MONTHS_ALT,
)


class CalendarOnlyTranslation(gettext_module.NullTranslations):
    """The active translation for a locale whose words have no catalog: its language is the
    locale (so are the formats); only month and day names are translated, by Django's catalog."""

    def __init__(self, language: str) -> None:
        super().__init__()
        self._language = language
        self._django = trans_real.translation(language)

    def language(self) -> str:
        return self._language

    def to_language(self) -> str:
        return self._language

    def gettext(self, message: str) -> str:
        word = message.rsplit(trans_real.CONTEXT_SEPARATOR, 1)[-1]  # pgettext sends "context\x04word"
        if word in calendar_words():
            return self._django.gettext(message)
        return message

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return msgid1 if n == 1 else msgid2


@contextmanager
def organization_locale(language: str) -> Iterator[None]:
    """Money, numbers and dates in `language` (an organization's locale) until the block ends, in
    this thread (or task) only; then the translation that was active before, itself.

    Django's `translation.override` gives back the language by its code, which would turn a
    calendar-only translation into Django's whole catalog of it: inside an organization's block,
    change the language with this, not with Django's override."""
    words = trans_real.translation(language) if has_words_in(language) else CalendarOnlyTranslation(language)
    with _activated(words):
        yield


# Django's per-thread (and per-task: asgiref's Local) active translation, which `activate` can
# only fill by language code; django-stubs leave it out. core/tests/test_locale.py pins the use.
_ACTIVE = trans_real._active  # type: ignore[attr-defined]


@contextmanager
def _activated(words: gettext_module.NullTranslations) -> Iterator[None]:
    previous = getattr(_ACTIVE, "value", None)
    _ACTIVE.value = words
    try:
        yield
    finally:
        if previous is None:
            translation.deactivate()
        else:
            _ACTIVE.value = previous
