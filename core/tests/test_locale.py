"""core.locale (decision 0025): an organization's locale gives Django's formats and month and day
names of it, the words stay English, and the language before it comes back when the block ends."""

import threading
from datetime import date, datetime
from decimal import Decimal

from django import forms
from django.utils import dateformat, formats, translation

from core.locale import calendar_words, organization_locale


class DayForm(forms.Form):
    day = forms.DateField()


def test_a_french_locale_gives_french_formats_and_calendar_words_and_leaves_the_words_english():
    with organization_locale("fr-ca"):
        assert translation.get_language() == "fr-ca"
        assert dateformat.format(datetime(2026, 3, 9, 19, 15), "l j F Y") == "lundi 9 mars 2026"
        assert formats.localize(Decimal("12.50")) == "12,50"
        assert formats.date_format(datetime(2026, 3, 9, 13, 40), "DATETIME_FORMAT") == "9 mars 2026, 13\xa0h\xa040"
        assert translation.gettext("Search") == "Search"  # Django's catalog says "Rechercher"
        assert DayForm({"day": "nonsense"}).errors["day"] == ["Enter a valid date."]
        assert DayForm({"day": "2026-03-09"}).is_valid()  # the date inputs' format stays ISO
    assert translation.get_language() == "en-us"


def test_english_canada_is_djangos_with_a_comma_between_thousands():
    with organization_locale("en-ca"):
        assert formats.date_format(date(2026, 3, 9)) == "9 Mar 2026"
        assert formats.number_format(Decimal("1234.5"), 2, force_grouping=True) == "1,234.50"
    with organization_locale("en-us"):
        assert formats.date_format(date(2026, 3, 9)) == "March 9, 2026"


def test_the_language_before_comes_back_even_after_an_error_and_when_nested():
    with translation.override("en-ca"):
        try:
            with organization_locale("fr-ca"):
                with organization_locale("en-us"):
                    assert translation.get_language() == "en-us"
                assert translation.get_language() == "fr-ca"
                assert translation.gettext("Search") == "Search"  # the same translation, not Django's whole catalog
                raise RuntimeError
        except RuntimeError:
            pass
        assert translation.get_language() == "en-ca"


def test_another_thread_keeps_its_own_language():
    inside, seen = threading.Event(), []
    leave = threading.Event()

    def french() -> None:
        with organization_locale("fr-ca"):
            inside.set()
            leave.wait(timeout=10)

    thread = threading.Thread(target=french)
    thread.start()
    inside.wait(timeout=10)
    seen.append(translation.get_language())
    leave.set()
    thread.join(timeout=10)
    assert seen == ["en-us"]


def test_learning_the_calendar_words_inside_a_block_keeps_the_block_as_it_was():
    calendar_words.cache_clear()
    with organization_locale("fr-ca"):
        assert dateformat.format(date(2026, 3, 9), "F") == "mars"  # learns them here
        assert translation.gettext("Search") == "Search"


def test_the_clock_keeps_the_words_a_m_and_p_m_in_a_french_locale():
    """French writes "19 h 15"; "7:15 après-midi" would be neither language. The 12-hour clock of
    the pages' formats is English, like the words, until a catalog gives the 24-hour one."""
    with organization_locale("fr-ca"):
        assert dateformat.format(datetime(2026, 3, 9, 19, 15), "l j F, g:i a") == "lundi 9 mars, 7:15 p.m."
