"""The shared includes and the base layout, as a page author uses them."""

import re

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.core.paginator import Paginator
from django.template import Context, RequestContext, Template
from django.test import Client

from ui.tables import Column, Link, Table, Tag


def render(source: str, request=None, **context: object) -> str:
    template = Template("{% load ui %}" + source)
    return template.render(RequestContext(request, context) if request else Context(context))


# --- pagination ---------------------------------------------------------------------------


def pagination(rf, path: str, **extra: object) -> str:
    request = rf.get(path)
    page_obj = Paginator(range(200), 10).get_page(request.GET.get("page"))
    return render('{% include "ui/includes/pagination.html" %}', request, page_obj=page_obj, **extra)


def test_pagination_marks_the_current_page_and_elides_the_middle(rf):
    html = pagination(rf, "/list/?page=7")
    numbers = re.findall(r'aria-label="Page (\d+)"', html)
    assert numbers == ["1", "6", "7", "8", "20"]
    assert html.count("usa-pagination__overflow") == 2
    assert re.search(r'class="usa-pagination__button usa-current" aria-label="Page 7" aria-current="page"', html)
    assert html.count('aria-current="page"') == 1


def test_pagination_keeps_the_rest_of_the_query_string(rf):
    html = pagination(rf, "/list/?q=swim&page=7")
    assert 'href="?q=swim&amp;page=6"' in html
    assert 'href="?q=swim&amp;page=8"' in html


def test_pagination_with_a_target_also_fetches_with_htmx(rf):
    plain = pagination(rf, "/list/?page=2")
    assert "hx-get" not in plain
    html = pagination(rf, "/list/?page=2", target="#results")
    assert 'hx-get="?page=3" hx-target="#results" hx-push-url="true"' in html


def test_one_page_has_no_pagination(rf):
    page_obj = Paginator(range(5), 10).get_page(1)
    assert "usa-pagination" not in render('{% include "ui/includes/pagination.html" %}', rf.get("/"), page_obj=page_obj)


# --- tables -------------------------------------------------------------------------------

TABLE = Table(
    caption="Offerings",
    columns=[Column("Offering"), Column("Seats left", numeric=True), Column("Status"), Column("Go to")],
    rows=[["Swim <b>1</b>", 3, Tag("Open", "info"), [Link("Details", "/o/x/1/"), Link("Roster", "/office/x/1/")]]],
)


def test_a_table_stacks_on_phones_with_each_cell_labelled_by_its_column():
    html = render('{% include "ui/includes/table.html" %}', table=TABLE)
    assert 'class="usa-table usa-table--borderless usa-table--stacked ui-table"' in html
    assert "<caption>Offerings</caption>" in html
    assert re.search(r'<th scope="row" data-label="Offering">\s*Swim &lt;b&gt;1&lt;/b&gt;', html)  # escaped
    assert re.search(r'<td data-label="Seats left" class="ui-num">\s*3\s*</td>', html)
    assert '<span class="usa-tag bg-primary">Open</span>' in html
    assert '<a class="usa-link" href="/office/x/1/">Roster</a>' in html
    assert html.count("data-label=") == 4


def test_an_empty_table_shows_its_empty_text():
    html = render(
        '{% include "ui/includes/table.html" %}', table=Table("Offerings", [Column("A")], [], empty="None yet.")
    )
    assert "<table" not in html
    assert "None yet." in html


def test_a_row_with_the_wrong_number_of_cells_is_refused():
    with pytest.raises(ValueError, match="a row has 1 cells for 2 columns"):
        Table("Offerings", [Column("A"), Column("B")], [["only one"]])


# --- status tags, live regions, messages --------------------------------------------------


@pytest.mark.parametrize(
    ("tone", "classes"),
    [
        ("", "usa-tag"),
        ("info", "usa-tag bg-primary"),
        ("success", "usa-tag bg-success-darker"),
        ("warning", "usa-tag bg-warning text-ink"),
        ("error", "usa-tag bg-error-dark"),
    ],
)
def test_a_status_tag_says_its_status_in_words(tone, classes):
    html = render('{% include "ui/includes/status_tag.html" with label="Paid" tone=tone %}', tone=tone)
    assert html.strip().endswith(f'<span class="{classes}">Paid</span>')


def test_a_live_region_is_polite_unless_asked_to_be_assertive():
    polite = render('{% include "ui/includes/live_region.html" with id="t" message="3 left" %}')
    assert 'id="t" class="ui-live-region" role="status" aria-live="polite" aria-atomic="true">3 left</div>' in polite
    urgent = render(
        '{% include "ui/includes/live_region.html" with id="t" politeness="assertive" visually_hidden=True %}'
    )
    assert 'class="ui-live-region usa-sr-only" role="alert" aria-live="assertive" aria-atomic="true"></div>' in urgent


def test_messages_are_uswds_alerts_in_a_region_that_htmx_can_fill_out_of_band():
    messages = [Message(constants.SUCCESS, "Saved."), Message(constants.ERROR, "Could not delete.")]
    html = render('{% include "ui/includes/messages.html" %}', messages=messages)
    assert '<div id="ui-messages" class="ui-messages" aria-live="polite">' in html
    assert "usa-alert--success" in html
    assert "usa-alert--error" in html
    oob = render('{% include "ui/includes/messages.html" with oob=True %}', messages=messages)
    assert 'aria-live="polite" hx-swap-oob="innerHTML">' in oob


# --- the base layout ----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_base_layout_sends_the_csrf_token_with_every_htmx_request_and_configures_htmx_for_a_csp():
    client = Client()
    html = client.get("/").content.decode()
    token = client.cookies["csrftoken"].value
    assert re.search(r"""<body hx-headers='\{"X-CSRFToken": "[A-Za-z0-9]+"\}'>""", html)
    assert token  # the cookie the header's token is checked against is set with the page
    config = re.search(r"""<meta name="htmx-config" content='([^']+)'>""", html).group(1)
    assert '"allowEval": false' in config
    assert '"includeIndicatorStyles": false' in config
    assert '<html lang="en-US">' in html
    assert '<a class="usa-skipnav" href="#main-content">' in html
    assert 'id="main-content"' in html
    assert re.search(r'<script src="/static/ui/vendor/htmx/htmx.min.js"></script>', html)


@pytest.mark.django_db
def test_an_htmx_post_with_the_header_passes_csrf(household):
    client = Client(enforce_csrf_checks=True)
    client.force_login(household.payer)
    client.get("/")
    token = client.cookies["csrftoken"].value
    response = client.post("/accounts/logout/", headers={"HX-Request": "true", "X-CSRFToken": token})
    assert response.status_code == 302


# --- the confirmation step ----------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.urls("ui.tests.urls")
def test_a_destructive_post_without_confirmation_asks_first_and_carries_the_fields():
    response = Client().post("/_ui/confirm/", {"hold": "42"})
    html = response.content.decode()
    assert response.status_code == 200
    assert '<h1 id="ui-confirm-title">Delete this hold?</h1>' in html
    assert '<input type="hidden" name="hold" value="42">' in html
    assert '<input type="hidden" name="confirmed" value="yes">' in html
    assert '<form method="post" action="/_ui/confirm/">' in html
    assert '<a class="usa-button usa-button--outline" href="/_ui/components/">Cancel</a>' in html


@pytest.mark.django_db
@pytest.mark.urls("ui.tests.urls")
def test_the_confirmed_post_acts():
    response = Client().post("/_ui/confirm/", {"hold": "42", "confirmed": "yes"}, follow=True)
    assert "Hold 42 deleted." in response.content.decode()


@pytest.mark.django_db
@pytest.mark.urls("ui.tests.urls")
def test_an_htmx_request_gets_only_the_question_to_swap_in():
    html = Client().post("/_ui/confirm/", {"hold": "42"}, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in html
    assert html.strip().startswith('<section class="ui-confirm"')
    assert '<h2 id="ui-confirm-title">Delete this hold?</h2>' in html


@pytest.mark.django_db
@pytest.mark.urls("ui.tests.urls")
def test_a_page_and_its_htmx_partial_render_the_same_block():
    client = Client()
    full = client.get("/_ui/components/?page=2").content.decode()
    partial = client.get("/_ui/components/?page=2", headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in partial
    assert partial.strip().startswith('<div id="results">')
    assert partial.strip() in full
