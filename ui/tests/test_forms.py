"""Every Django form renders as USWDS markup through settings.FORM_RENDERER: label, hint, the
error beside its field and tied to it (aria-describedby), and an error summary on top whose links
lead to the fields."""

import re

import pytest
from django import forms
from django.contrib.auth.forms import AuthenticationForm

from ui.tests.urls import ExampleForm


def ids(html: str) -> set[str]:
    return set(re.findall(r'\sid="([^"]+)"', html))


def test_a_field_has_its_label_hint_and_uswds_input():
    html = ExampleForm()["name"].as_field_group()
    assert '<label class="usa-label" for="id_name">Participant&#x27;s name</label>' in html
    assert '<div class="usa-hint" id="id_name_helptext">As on their health card.</div>' in html
    assert re.search(r'<input type="text" name="name"[^>]* class="usa-input"', html)
    assert 'aria-describedby="id_name_helptext"' in html
    assert "usa-error-message" not in html


def test_an_optional_field_says_so_and_a_required_one_does_not():
    form = ExampleForm()
    assert "(optional)" in form["email"].as_field_group()
    assert "(optional)" not in form["name"].as_field_group()
    assert "(optional)" not in form["agree"].as_field_group()  # a lone checkbox is optional by nature


def test_an_error_is_beside_its_field_and_the_input_points_to_it():
    form = ExampleForm(data={"name": ""})
    html = form["name"].as_field_group()
    assert 'class="usa-form-group usa-form-group--error"' in html
    assert '<span class="usa-error-message" id="id_name_error">This field is required.</span>' in html
    control = re.search(r"<input[^>]*>", html).group(0)
    assert 'aria-invalid="true"' in control
    assert 'aria-describedby="id_name_helptext id_name_error"' in control
    assert 'class="usa-input usa-input--error"' in control


def test_every_aria_describedby_names_an_element_of_the_form():
    html = str(ExampleForm(data={"program": "art", "day": "mon"}))
    rendered = ids(html)
    for described in re.findall(r'aria-describedby="([^"]+)"', html):
        assert set(described.split()) <= rendered, described


def test_radios_and_checkboxes_are_fieldsets_with_a_label_after_each_input():
    form = ExampleForm(data={})
    day = form["day"].as_field_group()
    assert '<fieldset class="usa-fieldset" aria-describedby="id_day_error">' in day
    assert '<legend class="usa-legend usa-label--error">Day</legend>' in day
    radio = re.search(
        r'<div class="usa-radio">\s*(<input [^>]*>)\s*<label class="usa-radio__label" for="id_day_0">Monday', day
    )
    assert radio, day
    for attribute in ('type="radio"', 'value="mon"', 'id="id_day_0"', 'class="usa-radio__input"'):
        assert attribute in radio.group(1)
    extras = form["extras"].as_field_group()
    assert re.search(
        r'<div class="usa-checkbox">\s*<input type="checkbox" name="extras"[^>]*class="usa-checkbox__input"', extras
    )
    agree = form["agree"].as_field_group()
    assert re.search(r'<input type="checkbox"[^>]*class="usa-checkbox__input"[^>]*id="id_agree"', agree)
    assert '<label class="usa-checkbox__label" for="id_agree">I agree to the terms</label>' in agree


def test_the_error_summary_comes_first_is_focused_and_links_every_problem_to_its_field():
    form = ExampleForm(data={"name": "Ada", "program": "art", "day": "mon"})
    html = str(form)
    summary_at, first_field_at = html.index("There is a problem"), html.index('class="usa-form-group')
    assert summary_at < first_field_at
    summary = html[:first_field_at]
    assert "autofocus" in summary
    assert 'tabindex="-1"' in summary
    links = re.findall(r'<a class="usa-link" href="#([^"]+)">([^<]+)</a>', summary)
    assert links == [
        ("id_name", "Art is not offered on Mondays."),  # the form's own error: to its first field
        ("id_agree", "I agree to the terms: This field is required."),
    ]
    rendered = ids(html)
    assert all(target in rendered for target, _ in links)


def test_a_radio_groups_error_links_to_its_first_radio():
    html = str(ExampleForm(data={"name": "Ada", "program": "swim", "agree": "on"}))
    assert '<a class="usa-link" href="#id_day_0">Day: This field is required.</a>' in html


def test_a_valid_or_unbound_form_has_no_summary():
    assert "There is a problem" not in str(ExampleForm())
    valid = ExampleForm(data={"name": "Ada", "program": "swim", "day": "tue", "agree": "on"})
    assert valid.is_valid()
    assert "There is a problem" not in str(valid)


def test_a_widgets_own_class_is_kept_after_the_uswds_one():
    class Small(forms.Form):
        code = forms.CharField(widget=forms.TextInput(attrs={"class": "usa-input--small"}))

    assert 'class="usa-input usa-input--small"' in str(Small()["code"])


@pytest.mark.django_db
def test_djangos_own_forms_render_the_same_way(rf):
    form = AuthenticationForm(rf.post("/"), data={"username": "nobody", "password": "wrong"})
    html = str(form)
    assert "There is a problem" in html
    assert '<a class="usa-link" href="#id_username">Please enter a correct username and password.' in html
    assert 'class="usa-input"' in html
