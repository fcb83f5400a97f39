"""Every Django form renders as USWDS markup (settings.FORM_RENDERER = "ui.forms.FormRenderer").

`{{ form }}` gives the error summary (focused when the page loads) followed by each field;
`{{ form.email.as_field_group }}` gives one field: label, hint (help_text), the error message
beside it, and the input carrying the USWDS class, `aria-invalid` and `aria-describedby`
(Django 5.2 sets the last two; the ids are `<id>_helptext` and `<id>_error`)."""

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.renderers import DjangoTemplates
from django.utils.translation import gettext as _

from core.days import FIRST_DAY, LAST_DAY

# The USWDS class of each kind of control, and of the same control with an error.
CONTROL_CLASSES = {
    "input": "usa-input",
    "select": "usa-select",
    "textarea": "usa-textarea",
    "file": "usa-file-input",
    "checkbox": "usa-checkbox__input",
    "checkboxes": "usa-checkbox__input",
    "radio": "usa-radio__input",
}
ERROR_CLASS = "usa-input--error"
ERROR_CLASS_KINDS = {"input", "select", "textarea"}


def control_kind(widget: forms.Widget) -> str:
    """How the field template lays a widget out: one of CONTROL_CLASSES, or "multi"."""
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.CheckboxSelectMultiple):  # a RadioSelect subclass: ask first
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radio"
    if isinstance(widget, forms.Select | forms.SelectMultiple):
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.FileInput):
        return "file"
    if isinstance(widget, forms.MultiWidget):
        return "multi"
    return "input"


class BoundField(forms.BoundField):
    """Django's bound field with the USWDS class on its control(s)."""

    @property
    def control_kind(self) -> str:
        return control_kind(self.field.widget)

    @property
    def is_optional(self) -> bool:
        """Optional fields say so in their label (GOV.UK's pattern) rather than marking the
        required ones; a lone checkbox is optional by nature and says nothing."""
        return not self.field.required and self.control_kind != "checkbox"

    @property
    def first_control_id(self) -> str:
        """Where the error summary's link for this field points: the control, or the first of a
        group of radios or checkboxes (whose label points nowhere, Django 4+)."""
        if self.id_for_label:
            return self.id_for_label
        subwidgets = self.subwidgets
        return (subwidgets[0].id_for_label if subwidgets else "") or self.auto_id or ""

    def build_widget_attrs(self, attrs: dict[str, Any], widget: forms.Widget | None = None) -> dict[str, Any]:
        attrs = super().build_widget_attrs(attrs, widget)
        kind = control_kind(widget or self.field.widget)
        classes = [CONTROL_CLASSES.get(kind, "usa-input")]
        if self.errors and kind in ERROR_CLASS_KINDS | {"multi"}:
            classes.append(ERROR_CLASS)
        own = attrs.get("class") or (widget or self.field.widget).attrs.get("class", "")
        attrs["class"] = " ".join([*classes, *(own.split() if isinstance(own, str) else [])])
        return attrs


class FormRenderer(DjangoTemplates):
    form_template_name = "ui/forms/form.html"
    field_template_name = "ui/forms/field.html"
    bound_field_class = BoundField


def _within_range(day: dt.date) -> None:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValidationError(
            _("Enter a date from %(first)s to %(last)s.")
            % {"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()},
            code="out_of_range",
        )


class DayField(forms.DateField):
    """A date between core.days' FIRST_DAY and LAST_DAY, as the API's `Day`: a year such as 0001
    or 9999 is refused in words instead of overflowing (a 500) when the code adds a day to it or
    turns it into an instant. The browser's date picker gets the same bounds."""

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value:
            _within_range(value)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {**super().widget_attrs(widget), "min": FIRST_DAY.isoformat(), "max": LAST_DAY.isoformat()}


class InstantField(forms.DateTimeField):
    """A date and time whose day is within core.days' range (see DayField)."""

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value:
            _within_range(value.date())

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {
            **super().widget_attrs(widget),
            "min": f"{FIRST_DAY.isoformat()}T00:00",
            "max": f"{LAST_DAY.isoformat()}T23:59",
        }
