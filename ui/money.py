"""Money typed into a page's form (decision 0025): the way the organization's locale writes it
("1 234,50" in fr-ca, "1,234.50" in English), or the plain "30.00" the JSON API speaks, in every
locale; a "$" before or after is allowed. Anything else ("30,00" in English, where the comma
groups thousands; "1.234,50") is the field's error, naming both ways. The API keeps its Decimal
strings: it never goes through these forms.

The pages run inside the organization's locale (`office.access.staff_page`,
`portal.access.portal_page`), so the separators are the active language's."""

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats, numberformat
from django.utils.translation import gettext

PLAIN = re.compile(r"\d+(?:\.\d+)?")
# French groups thousands with a no-break space (Django's fr_CA) or a narrow one; a keyboard types
# a plain space. Any of them groups where the locale groups with a space.
SPACES = "\u00a0\u202f "


def parse_money(text: str, *, decimal_separator: str, thousand_separator: str) -> Decimal | None:
    """The amount `text` says, written plainly ("1234.50") or as the locale writes it (digits
    grouped by three with `thousand_separator`, decimals after `decimal_separator`); None when
    it is neither. Never rounds: the field's decimal places decide."""
    value = text.strip().removeprefix("$").removesuffix("$").strip()
    if PLAIN.fullmatch(value):
        return Decimal(value)
    group = f"[{SPACES}]" if thousand_separator in SPACES else re.escape(thousand_separator)
    point = re.escape(decimal_separator)
    local = re.compile(rf"(?:\d{{1,3}}(?:{group}\d{{3}})+|\d+)(?:{point}\d+)?")
    if not local.fullmatch(value):
        return None
    digits = re.sub(group, "", value).replace(decimal_separator, ".")
    try:
        return Decimal(digits)
    except InvalidOperation:  # not reachable with the patterns above; refused rather than raised
        return None


def local_amount(value: Decimal | int) -> str:
    """`value` as the active locale writes an amount in a form: "1 234,50", "1,234.50"."""
    return numberformat.format(
        Decimal(value),
        formats.get_format("DECIMAL_SEPARATOR"),
        decimal_pos=2,
        grouping=formats.get_format("NUMBER_GROUPING"),
        thousand_sep=formats.get_format("THOUSAND_SEPARATOR"),
        force_grouping=True,
    )


class MoneyField(forms.DecimalField):
    """A DecimalField that reads an amount as the organization writes it, or plainly, and shows
    its value the organization's way. A text input (inputmode decimal): a browser's number
    input would refuse "30,00" before the server could read it."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("decimal_places", 2)
        super().__init__(**kwargs)  # type: ignore[arg-type]

    def to_python(self, value: object) -> Decimal | None:  # type: ignore[override]  # stubs: IntegerField's
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal):
            return value
        amount = parse_money(
            str(value),
            decimal_separator=formats.get_format("DECIMAL_SEPARATOR"),
            thousand_separator=formats.get_format("THOUSAND_SEPARATOR"),
        )
        if amount is None:
            raise ValidationError(
                gettext("Enter an amount such as %(local)s or %(plain)s.")
                % {"local": local_amount(Decimal("1234.50")), "plain": "1234.50"},
                code="invalid",
            )
        return amount

    def prepare_value(self, value: object) -> object:
        if isinstance(value, Decimal | int) and not isinstance(value, bool):
            return local_amount(value)
        return value
