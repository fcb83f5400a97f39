"""Money and moments on the pages: the same text as in the emails, in a given locale and time zone."""

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.template import Context, Template
from django.utils import translation

from notifications.templatetags.notification_format import money as email_money
from notifications.templatetags.notification_format import when as email_when

MOMENT = datetime(2026, 3, 4, 14, 0, tzinfo=UTC)


def render(source: str, **context: object) -> str:
    return Template("{% load ui %}" + source).render(Context(context))


def test_money_is_exact_with_two_decimals_and_thousands_separators():
    assert render("{{ a|money }}", a=Decimal("1234.5")) == "$1,234.50"
    assert render("{{ a|money }}", a=Decimal("-3")) == "-$3.00"
    assert render("{{ a|money }}", a=0) == "$0.00"
    assert render("{{ a|money }}", a=None) == ""


def test_money_on_a_page_reads_as_in_the_email():
    for amount in (Decimal("0.10"), Decimal("1234567.89"), Decimal("-42.5")):
        assert render("{{ a|money }}", a=amount) == email_money(amount)


def test_money_takes_the_separators_of_a_locale():
    assert render('{{ a|money:"fr" }}', a=Decimal("1234.5")) == "$1\xa0234,50"
    assert render('{{ a|money:"de" }}', a=Decimal("1234.5")) == "$1.234,50"


def test_money_follows_the_active_language_when_no_locale_is_given():
    with translation.override("de"):
        assert render("{{ a|money }}", a=Decimal("1234.5")) == "$1.234,50"


def test_an_instant_is_shown_on_the_clock_of_the_given_time_zone():
    assert render("{{ m|instant:'America/Toronto' }}", m=MOMENT) == "Wednesday 4 March 2026, 9:00 a.m. EST"
    assert render("{{ m|instant:zone }}", m=MOMENT, zone=ZoneInfo("America/Vancouver")) == (
        "Wednesday 4 March 2026, 6:00 a.m. PST"
    )
    assert render("{{ m|instant_date:'Asia/Tokyo' }}", m=MOMENT) == "Wednesday 4 March 2026"
    assert render("{{ m|instant_time:'Asia/Tokyo' }}", m=MOMENT) == "11:00 p.m. JST"
    assert render("{{ m|instant:'America/Toronto' }}", m=None) == ""


def test_an_instant_on_a_page_reads_as_in_the_email():
    from django.utils import timezone

    with timezone.override(ZoneInfo("America/Toronto")):
        assert render("{{ m|instant:'America/Toronto' }}", m=MOMENT) == email_when(MOMENT)


def test_an_instant_names_the_day_and_month_in_the_active_language():
    with translation.override("fr"):
        assert render("{{ m|instant_date:'America/Toronto' }}", m=MOMENT) == "mercredi 4 mars 2026"
