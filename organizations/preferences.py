"""Every organization setting an administrator can read and change (X7), written down once:
its type, its allowed range or values, and what it means. The settings service validates a
change against this table, the API's schema states it (minimum, maximum, enum) and the
settings page renders its fields from it, so the three can never disagree.

Pure: no ORM, no clock. Values arrive as parsed JSON (or a page's cleaned form data).
"""

import re
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

Kind = Literal["int", "bool", "text", "email", "choice", "secret"]

CART_MINUTES = (5, 120)  # T1, T5
GRACE_HOURS = (-1, 87_600)  # G1-G3: -1 quietly, 0 keep, N hours ("arbitrarily large": ten years)
PAYMENT_WINDOW_MINUTES = (5, 1440)  # G2
THROTTLE = (1, 1000)  # N4
FAIR_SHARE = (1, 1000)  # X6, F1
LOCALES = ("en-ca", "en-us", "fr-ca")
PAYMENT_PROVIDERS = ("none", "sandbox", "stripe")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class Setting:
    """One setting: `name` is the organization's field and the API's key."""

    name: str
    kind: Kind
    label: str
    help: str
    section: str
    minimum: int | None = None
    maximum: int | None = None
    max_length: int = 200
    choices: tuple[str, ...] = ()
    allow_blank: bool = False
    unit: str = ""

    @property
    def allowed(self) -> str:
        """The allowed values in words, for every refusal that names this setting."""
        if self.kind == "int":
            return f"a whole number between {self.minimum} and {self.maximum} {self.unit}".rstrip()
        if self.kind == "bool":
            return "true or false"
        if self.kind == "choice":
            shown = self.choices if len(self.choices) <= 10 else (*self.choices[:3], "...")
            return "one of " + ", ".join(shown)
        if self.kind == "email":
            return "an email address" + (" or empty" if self.allow_blank else "")
        return f"{'up to' if self.allow_blank else 'text of 1 to'} {self.max_length} characters"


# No place: "localtime" is the server's own /etc/localtime (absent in many containers), the others placeholders.
NOT_PLACES = frozenset({"localtime", "Factory", "posixrules"})


@cache
def time_zones() -> tuple[str, ...]:
    return tuple(sorted(zoneinfo.available_timezones() - NOT_PLACES))


SECTIONS = {
    "organization": "Organization",
    "timers": "Cart timers",
    "grace": "Unpaid registrations",
    "notices": "Notifications",
    "payments": "Payments",
    "fair_share": "Fair share",
}

TIMER_PAIRS: list[tuple[str, str]] = [
    ("cart_timeout_minutes", "cart_limit_minutes"),
    ("office_class_timeout_minutes", "office_class_limit_minutes"),
    ("office_camp_timeout_minutes", "office_camp_limit_minutes"),
]

SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in [
        Setting("name", "text", "Organization name", "Shown to customers and staff.", "organization"),
        Setting(
            "time_zone",
            "choice",
            "Time zone",
            "Every date and time is shown in this zone (X4).",
            "organization",
            choices=(),  # filled below: every IANA zone name
        ),
        Setting(
            "locale",
            "choice",
            "Language and formats",
            "Money, numbers and dates on the organization's pages and in its emails follow it; "
            "the pages' words are in English until a translation is added.",
            "organization",
            choices=LOCALES,
        ),
        Setting(
            "cart_timeout_minutes",
            "int",
            "Portal cart timeout (minutes)",
            "Counts from the latest item added; each add restarts it (T2).",
            "timers",
            *CART_MINUTES,
            unit="minutes",
        ),
        Setting(
            "cart_limit_minutes",
            "int",
            "Portal cart limit (minutes)",
            "Counts from the first item added and never restarts (T3). At least the timeout.",
            "timers",
            *CART_MINUTES,
            unit="minutes",
        ),
        Setting(
            "office_class_timeout_minutes",
            "int",
            "Office class wizard timeout (minutes)",
            "The office's class enrollment wizard's own timer (T5).",
            "timers",
            *CART_MINUTES,
            unit="minutes",
        ),
        Setting(
            "office_class_limit_minutes",
            "int",
            "Office class wizard limit (minutes)",
            "The office's class wizard's limit (T5). At least its timeout.",
            "timers",
            *CART_MINUTES,
            unit="minutes",
        ),
        Setting(
            "office_camp_timeout_minutes",
            "int",
            "Office camp wizard timeout (minutes)",
            "The office's camp enrollment wizard's own timer (T5).",
            "timers",
            *CART_MINUTES,
            unit="minutes",
        ),
        Setting(
            "office_camp_limit_minutes",
            "int",
            "Office camp wizard limit (minutes)",
            "The office's camp wizard's limit (T5). At least its timeout.",
            "timers",
            *CART_MINUTES,
            unit="minutes",
        ),
        Setting(
            "grace_period_hours",
            "int",
            "Grace period (hours)",
            "0 keeps unpaid registrations until staff act (G1); -1 deletes them quietly after the payment "
            "window (G2); N deletes them N hours after submission, with notices (G3). Nothing older than "
            "240 hours is ever deleted automatically (G5).",
            "grace",
            *GRACE_HOURS,
            unit="hours",
        ),
        Setting(
            "payment_window_minutes",
            "int",
            "Payment window (minutes)",
            "With a grace period of -1, how long an unpaid registration keeps its seat (G2).",
            "grace",
            *PAYMENT_WINDOW_MINUTES,
            unit="minutes",
        ),
        Setting(
            "registration_notifications",
            "bool",
            "Notify the administrator of incomplete registrations",
            "Sent once, 20 minutes to 7 days after submission, when nothing was paid (N2). An offering "
            "may override it and name its own recipient.",
            "notices",
        ),
        Setting(
            "admin_email",
            "email",
            "Administrator email",
            "Receives registration notices for every offering that names no recipient of its own.",
            "notices",
            allow_blank=True,
        ),
        Setting(
            "notification_throttle",
            "int",
            "Emails per background run",
            "At most this many notifications per run; the rest wait for the next run, none is dropped (N4).",
            "notices",
            *THROTTLE,
            unit="notifications",
        ),
        *(
            Setting(name, "int", label, help, "fair_share", *FAIR_SHARE, unit=unit)
            for name, label, help, unit in [
                (
                    "max_unpaid_seats_per_household",
                    "Unpaid places per household",
                    "Places a household may hold at once without paying: in its cart and in unpaid registrations.",
                    "places",
                ),
                (
                    "max_seats_per_offering_per_household",
                    "Places per household in one offering",
                    "Places one household may have in a single class, camp or slot, paid or not.",
                    "places",
                ),
                (
                    "max_participants_added_per_day",
                    "People a household may add per day",
                    "Online, in any 24 hours; the office may add more.",
                    "people",
                ),
                ("max_adds_per_minute", "Adds per household per minute", "Adds to the cart in any minute.", "adds"),
                (
                    "max_unpaid_seats_per_checkout",
                    "Largest unpaid order online",
                    "An online order with more places to pay than this needs the office's approval.",
                    "places",
                ),
            ]
        ),
        Setting(
            "pay_balances_online",
            "bool",
            "Households may pay balances online",
            "Orders put on account and marked payable online can be paid from the portal (B2).",
            "payments",
        ),
        Setting(
            "payment_provider",
            "choice",
            "Payment provider",
            "Where online payments go.",
            "payments",
            choices=PAYMENT_PROVIDERS,
        ),
        Setting(
            "payment_publishable_key",
            "text",
            "Provider publishable key",
            "The provider's public key.",
            "payments",
            allow_blank=True,
        ),
        Setting(
            "payment_secret_key",
            "secret",
            "Provider secret key",
            "Write only: never shown back. Empty keeps the one stored; null (API) clears it.",
            "payments",
            allow_blank=True,
        ),
        Setting(
            "payment_webhook_secret",
            "secret",
            "Provider webhook signing secret",
            "Write only: never shown back. Leave empty to keep the one stored.",
            "payments",
            allow_blank=True,
        ),
    ]
}


@dataclass
class Refusal:
    """Why a change was refused: each bad field and what it allows."""

    fields: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, problem: str) -> None:
        self.fields.setdefault(name, problem)

    @property
    def message(self) -> str:
        return " ".join(f"{name}: {problem}" for name, problem in self.fields.items())


def choices_of(setting: Setting) -> tuple[str, ...]:
    return time_zones() if setting.name == "time_zone" else setting.choices


def clean_value(setting: Setting, value: Any) -> Any:
    """The value as stored, or ValueError naming the allowed range. Strict about types: JSON's
    `"10"` is not a number and `1` is not `true`."""
    if setting.kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"must be {setting.allowed}")
        low, high = setting.minimum or 0, setting.maximum or 0
        if not low <= value <= high:
            raise ValueError(f"must be {setting.allowed} (got {value})")
        return value
    if setting.kind == "secret" and value is None:
        return None  # null clears a stored secret; "" keeps it
    if setting.kind == "bool":
        if not isinstance(value, bool):
            raise ValueError(f"must be {setting.allowed}")
        return value
    if not isinstance(value, str):
        raise ValueError(f"must be {setting.allowed}")
    value = value.strip()
    if setting.kind == "choice":
        if value not in choices_of(setting):
            raise ValueError(f"must be {setting.allowed} (got {value!r})")
        return value
    if len(value) > setting.max_length or (not value and not setting.allow_blank):
        raise ValueError(f"must be {setting.allowed}")
    if setting.kind == "email" and value and not _EMAIL.match(value):
        raise ValueError(f"must be {setting.allowed} (got {value!r})")
    return value


def clean_changes(changes: Mapping[str, Any], current: Mapping[str, Any]) -> dict[str, Any]:
    """Validate a whole change against the table and against the values it leaves (a limit
    below its timeout is refused: T3's min() would make the timeout meaningless). Returns the
    values to store; raises InvalidChange naming every bad field. An empty secret keeps the
    stored one, null clears it."""
    refusal = Refusal()
    cleaned: dict[str, Any] = {}
    for name in sorted(set(changes) - set(SETTINGS)):
        refusal.add(name, "unknown setting; the settings are " + ", ".join(SETTINGS))
    for name, value in changes.items():
        if name not in SETTINGS:
            continue
        setting = SETTINGS[name]
        try:
            cleaned[name] = clean_value(setting, value)
        except ValueError as exc:
            refusal.add(name, str(exc))
    for name in [n for n, s in SETTINGS.items() if s.kind == "secret" and n in cleaned]:
        if cleaned[name] == "":
            del cleaned[name]
        elif cleaned[name] is None:
            cleaned[name] = ""
    after = {**current, **cleaned}
    for timeout, limit in TIMER_PAIRS:
        touched = cleaned.keys() & {timeout, limit}
        checkable = touched and timeout in after and limit in after and not refusal.fields.keys() & {timeout, limit}
        if checkable and after[limit] < after[timeout]:
            refusal.add(
                limit,
                f"must be at least {timeout} ({after[timeout]} minutes) and at most {CART_MINUTES[1]} "
                f"(got {after[limit]})",
            )
    if refusal.fields:
        raise InvalidChange(refusal)
    return cleaned


class InvalidChange(ValueError):
    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.message)
        self.refusal = refusal


def public_value(setting: Setting, value: Any) -> Any:
    """What may be shown back: a secret only says whether it is set."""
    return bool(value) if setting.kind == "secret" else value


def json_schema() -> dict[str, Any]:
    """The request body of PATCH settings as JSON Schema: every range and enum stated."""
    properties: dict[str, Any] = {}
    for setting in SETTINGS.values():
        prop: dict[str, Any] = {"title": setting.label, "description": setting.help}
        if setting.kind == "int":
            prop |= {"type": "integer", "minimum": setting.minimum, "maximum": setting.maximum}
        elif setting.kind == "bool":
            prop |= {"type": "boolean"}
        elif setting.kind == "choice":
            prop |= {"type": "string", "enum": list(choices_of(setting))}
        else:
            prop |= {"type": "string", "maxLength": setting.max_length}
            if not setting.allow_blank:
                prop["minLength"] = 1
            if setting.kind == "secret":
                prop = {**prop, "type": ["string", "null"], "writeOnly": True}
        properties[setting.name] = prop
    return {
        "title": "SettingsIn",
        "type": "object",
        "description": "Any subset of the settings. An unknown key, a wrong type or a value out of range is "
        "refused (400) naming the field and its range, and nothing changes. A cart limit below its "
        "timeout is refused.",
        "properties": properties,
        "additionalProperties": False,
    }
