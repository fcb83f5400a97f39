"""The shop's forms: the catalog's search and filters (GET). The add to cart is a hand-written
form (portal/templates/portal/catalog/_add_form.html), checked by the add itself."""

from django import forms
from django.utils.translation import gettext_lazy as _

from capacity.storefront import CatalogQuery
from catalog.models import Offering

KIND_CHOICES = [
    ("", _("Any type")),
    (Offering.Kind.CLASS, _("Classes")),
    (Offering.Kind.CAMP, _("Camps")),
    (Offering.Kind.MEMBERSHIP, _("Memberships")),
]
WEEKDAY_CHOICES = [
    ("", _("Any day")),
    ("1", _("Monday")),
    ("2", _("Tuesday")),
    ("3", _("Wednesday")),
    ("4", _("Thursday")),
    ("5", _("Friday")),
    ("6", _("Saturday")),
    ("7", _("Sunday")),
]
TIME_CHOICES = [
    ("", _("Any time")),
    ("morning", _("Morning (before noon)")),
    ("afternoon", _("Afternoon (noon to 5 p.m.)")),
    ("evening", _("Evening (after 5 p.m.)")),
]


class CatalogFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100, help_text=_("A name, a word or a code."))
    kind = forms.ChoiceField(label=_("Program type"), required=False, choices=KIND_CHOICES)
    age = forms.IntegerField(
        label=_("Age"),
        required=False,
        min_value=0,
        max_value=120,
        help_text=_("The participant's age, in years."),
        widget=forms.NumberInput(attrs={"class": "usa-input--small", "inputmode": "numeric"}),
        error_messages={
            "invalid": _("Enter the age as a whole number of years."),
            "min_value": _("Enter an age from 0 to 120."),
            "max_value": _("Enter an age from 0 to 120."),
        },
    )
    day = forms.ChoiceField(label=_("Day of the week"), required=False, choices=WEEKDAY_CHOICES)
    time = forms.ChoiceField(label=_("Time of day"), required=False, choices=TIME_CHOICES)
    location = forms.ChoiceField(label=_("Location"), required=False)
    open = forms.BooleanField(label=_("Only with places left"), required=False)

    def __init__(self, *args: object, locations: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["location"].choices = [("", _("Anywhere")), *[(loc, loc) for loc in locations]]  # type: ignore[attr-defined]

    def catalog_query(self) -> CatalogQuery:
        """What was asked; on errors, the fields that were valid (the others ignored)."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return CatalogQuery(
            text=(data.get("q") or "").strip(),
            kind=data.get("kind") or "",
            age=data.get("age"),
            weekday=int(data["day"]) if data.get("day") else None,
            time_of_day=data.get("time") or "",
            location=data.get("location") or "",
            has_openings=bool(data.get("open")),
        )
