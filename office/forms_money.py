"""The forms of money at the desk (issue 13, item 5). The services validate again: these give the
page its labels and its errors beside the fields."""

import uuid
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from ui.money import MoneyField

METHODS = (
    ("cash", _("Cash")),
    ("cheque", _("Cheque")),
    ("card_terminal", _("Card terminal")),
    ("card_phone", _("Card by phone")),
)


class DeskPaymentForm(forms.Form):
    orders = forms.TypedMultipleChoiceField(
        label=_("Toward these orders"), coerce=int, widget=forms.CheckboxSelectMultiple, choices=()
    )
    amount = MoneyField(label=_("Amount received"), min_value=Decimal("0.01"), max_digits=12)
    method = forms.ChoiceField(label=_("Method"), choices=METHODS, widget=forms.RadioSelect, initial="cash")
    note = forms.CharField(
        label=_("Note"), required=False, max_length=500, help_text=_("A cheque number or a receipt number.")
    )
    keep_credit = forms.BooleanField(
        label=_("Keep anything more than these orders owe as household credit"), required=False
    )
    key = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: object, order_choices: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        orders = self.fields["orders"]
        assert isinstance(orders, forms.TypedMultipleChoiceField)
        orders.choices = order_choices
        if not self.is_bound:
            self.initial["key"] = uuid.uuid4().hex
            self.initial["orders"] = [pk for pk, _label in order_choices]


class RefundForm(forms.Form):
    amount = MoneyField(label=_("Amount to refund"), min_value=Decimal("0.01"), max_digits=12)
    method = forms.ChoiceField(
        label=_("How"),
        widget=forms.RadioSelect,
        initial="provider",
        choices=(("provider", _("Back to the card it was paid with (online payments)")), *METHODS),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class OnAccountForm(forms.Form):
    payable_online = forms.BooleanField(label=_("The family may pay this balance online"), required=False)
    customer_note = forms.CharField(label=_("Note for the family"), required=False, max_length=500)


class DeleteRegistrationForm(forms.Form):
    note = forms.CharField(
        label=_("Why is it deleted?"),
        max_length=500,
        help_text=_("Kept with the archived registration and in the audit trail."),
    )
