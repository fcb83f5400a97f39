"""The account side's forms (decision 0015): sign-up, a household for an existing login, a
participant, an absence. They check the shape of what was typed; the services decide the rest,
and `show_refusal` puts a service's refusal next to the field it names."""

from django import forms
from django.utils.translation import gettext_lazy as _

from attendance.models import AbsenceReason
from core.errors import DomainError
from portal.refusals import plain_words
from ui.forms import DayField


class SignUpForm(forms.Form):
    name = forms.CharField(
        label=_("Your name"),
        max_length=200,
        help_text=_("The household's payer: the person we write to."),
        error_messages={"required": _("Enter the name of the household or its payer.")},
    )
    email = forms.EmailField(
        label=_("Email address"),
        max_length=150,
        help_text=_("You sign in with it. We send a link to confirm it."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": _("Enter an email address like name@example.com."),
            "invalid": _("Enter an email address like name@example.com."),
        },
    )
    phone = forms.CharField(
        label=_("Phone number"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=128,
        strip=False,
        help_text=_("At least 8 characters; not only numbers, and not like your name or email."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("Choose a password.")},
    )


class HouseholdForm(forms.Form):
    name = forms.CharField(
        label=_("Household name"),
        max_length=200,
        error_messages={"required": _("Enter the name of the household or its payer.")},
    )
    phone = forms.CharField(
        label=_("Phone number"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )


class ParticipantForm(forms.Form):
    first_name = forms.CharField(
        label=_("First name"), max_length=100, error_messages={"required": _("Enter the participant's first name.")}
    )
    last_name = forms.CharField(
        label=_("Last name"), max_length=100, error_messages={"required": _("Enter the participant's last name.")}
    )
    date_of_birth = DayField(
        label=_("Date of birth"),
        help_text=_("Classes and camps are open by age on their start date."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Enter the participant's date of birth."),
            "invalid": _("Enter a real date of birth, like 2016-05-01."),
        },
    )


class AbsenceForm(forms.Form):
    reason = forms.ModelChoiceField(
        label=_("Reason"),
        queryset=AbsenceReason.objects.none(),
        empty_label=_("- Choose a reason -"),
        error_messages={
            "required": _("Choose one of the listed absence reasons."),
            "invalid_choice": _("Choose one of the listed absence reasons."),
        },
    )

    def __init__(self, *args: object, reasons: list[AbsenceReason], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["reason"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = AbsenceReason.objects.filter(pk__in=[r.pk for r in reasons]).order_by("position", "name", "pk")


def show_refusal(form: forms.Form, error: DomainError) -> None:
    """Put a service's refusal beside the field it names, or above the form."""
    field = error.details.get("field")
    form.add_error(field if field in form.fields else None, plain_words(error))
