"""How one CSV row is read and what it would do (D5): pure, so the dry run and the import
itself plan every row with the same function. `known` is what exists (or what earlier rows of
the same file make), keyed by the row's natural key; a plan updates it as it goes."""

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from core.days import FIRST_DAY, LAST_DAY

CREATE, CHANGE, UNCHANGED, REFUSE = "create", "change", "unchanged", "refuse"
OFFERING_COLUMNS = (
    "code",
    "kind",
    "name",
    "price",
    "capacity",
    "program",
    "season",
    "min_age",
    "max_age",
    "age_cutoff_on",
    "starts_on",
    "ends_on",
    "registration_opens_at",
)
HOUSEHOLD_COLUMNS = ("email", "household_name", "phone", "first_name", "last_name", "date_of_birth")
KINDS = ("class", "camp", "membership")  # rental slots are made from a facility's hours, not imported
MAX_CAPACITY = 100_000
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class RowPlan:
    line: int
    action: str  # create, change, unchanged or refuse
    key: str
    detail: dict[str, str] = field(default_factory=dict)  # the changes, or each problem
    values: dict[str, Any] = field(default_factory=dict)  # typed, for the writer

    def as_json(self) -> list[Any]:
        return [self.line, self.action, self.key, self.detail]


class _Problems(dict[str, str]):
    def read(self, name: str, raw: str, parse: Any, allowed: str) -> Any:
        if raw == "":
            return None
        try:
            return parse(raw)
        except (ValueError, InvalidOperation):
            self[name] = f"{allowed} (got {raw!r})"
            return None


def _int_between(low: int, high: int) -> Any:
    def parse(raw: str) -> int:
        value = int(raw)
        if not low <= value <= high:
            raise ValueError
        return value

    return parse


def _day(raw: str) -> date:
    """A date between core.days' FIRST_DAY and LAST_DAY (year 1 or 9999 overflows where a day is added)."""
    day = date.fromisoformat(raw)
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError
    return day


DAY = f"a date YYYY-MM-DD from {FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}"


def _money(raw: str) -> Decimal:
    value = Decimal(raw.replace("$", "").replace(",", ""))
    if value < 0 or value != value.quantize(Decimal("0.01")):
        raise ValueError
    return value


def plan_offering(line: int, row: dict[str, str], known: dict[str, dict[str, Any]], zone: ZoneInfo) -> RowPlan:
    """An offerings row: `code` is its key (an existing code is changed, a new one created)."""
    row = {k: (row.get(k) or "").strip() for k in OFFERING_COLUMNS}
    problems = _Problems()
    code = row["code"]
    if not code or len(code) > 40:
        problems["code"] = "required, at most 40 characters"
    values: dict[str, Any] = {
        "kind": row["kind"] or None,
        "name": row["name"] or None,
        "price": problems.read("price", row["price"], _money, "an amount of zero or more, like 60.00"),
        "capacity": problems.read("capacity", row["capacity"], _int_between(0, MAX_CAPACITY), "empty or 0-100000"),
        "program": row["program"] or None,
        "season": row["season"],
        "min_age": problems.read("min_age", row["min_age"], _int_between(0, 120), "a whole number 0-120"),
        "max_age": problems.read("max_age", row["max_age"], _int_between(0, 120), "a whole number 0-120"),
        "age_cutoff_on": problems.read("age_cutoff_on", row["age_cutoff_on"], _day, DAY),
        "starts_on": problems.read("starts_on", row["starts_on"], _day, DAY),
        "ends_on": problems.read("ends_on", row["ends_on"], _day, DAY),
        "registration_opens_at": problems.read(
            "registration_opens_at",
            row["registration_opens_at"],
            lambda raw: _instant(raw, zone),
            "a date and time YYYY-MM-DD HH:MM",
        ),
    }
    existing = known.get(code)
    _check_offering(values, existing, problems)
    if problems:
        return RowPlan(line, REFUSE, code, dict(problems))
    if existing is None:
        known[code] = {k: v for k, v in values.items() if k != "season"} | {"id": None}
        return RowPlan(line, CREATE, code, _shown(values), values)
    changes = {
        k: v
        for k, v in values.items()
        if k not in ("season", "kind") and (v is not None or k == "capacity") and existing.get(k) != v
    }
    if "program" in changes and changes["program"] is None:
        del changes["program"]
    if not changes:
        return RowPlan(line, UNCHANGED, code)
    existing.update(changes)
    return RowPlan(line, CHANGE, code, _shown(changes), changes | {"season": values["season"], "id": existing["id"]})


def _check_offering(values: dict[str, Any], existing: dict[str, Any] | None, problems: _Problems) -> None:
    """The rules across fields: what a new offering needs, what an existing one keeps."""
    if existing is None:
        if values["kind"] not in KINDS:
            problems["kind"] = "one of " + ", ".join(KINDS)
        if not values["name"]:
            problems["name"] = "required for a new offering"
        if values["price"] is None and "price" not in problems:
            problems["price"] = "required for a new offering"
    elif values["kind"] not in (None, existing["kind"]):
        problems["kind"] = "an offering's kind cannot change"
    low, high = values["min_age"], values["max_age"]
    if low is not None and high is not None and high < low:
        problems["max_age"] = "at least min_age"
    if values["starts_on"] and values["ends_on"] and values["ends_on"] < values["starts_on"]:
        problems["ends_on"] = "on or after starts_on"


def plan_household(line: int, row: dict[str, str], known: dict[str, dict[str, Any]]) -> RowPlan:
    """A households row: `email` is the household's key; a participant (first name, last
    name, date of birth) is added when the household does not have them yet."""
    row = {k: (row.get(k) or "").strip() for k in HOUSEHOLD_COLUMNS}
    email = row["email"].lower()
    problems = _Problems()
    if not _EMAIL.match(email):
        problems["email"] = f"an email address (got {row['email']!r})"
    born = problems.read("date_of_birth", row["date_of_birth"], _day, DAY)
    person = (row["first_name"], row["last_name"], born)
    if any(person) and not all(person) and "date_of_birth" not in problems:
        problems["participant"] = "first_name, last_name and date_of_birth together, or none of them"
    existing = known.get(email)
    if existing is None and not row["household_name"]:
        problems["household_name"] = "required for a new household"
    if len(row["household_name"]) > 200 or len(row["phone"]) > 40:
        problems["household_name"] = "at most 200 characters (phone: 40)"
    if problems:
        return RowPlan(line, REFUSE, email, dict(problems))
    person_key = (row["first_name"].lower(), row["last_name"].lower(), born) if all(person) else None
    values: dict[str, Any] = {"email": email, "name": row["household_name"], "phone": row["phone"]}
    if all(person):
        values["participant"] = {"first_name": row["first_name"], "last_name": row["last_name"], "date_of_birth": born}
    if existing is None:
        known[email] = {"id": None, "name": values["name"], "phone": values["phone"], "people": {person_key} - {None}}
        return RowPlan(line, CREATE, email, _shown(values), values)
    changes = {k: values[k] for k in ("name", "phone") if values[k] and existing[k] != values[k]}
    if person_key and person_key not in existing["people"]:
        changes["participant"] = values["participant"]
        existing["people"].add(person_key)
    if not changes:
        return RowPlan(line, UNCHANGED, email)
    existing.update({k: v for k, v in changes.items() if k != "participant"})
    return RowPlan(line, CHANGE, email, _shown(changes), changes | {"id": existing["id"], "email": email})


def _instant(raw: str, zone: ZoneInfo) -> datetime:
    moment = datetime.fromisoformat(raw)
    _day(moment.date().isoformat())
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def _shown(values: dict[str, Any]) -> dict[str, str]:
    shown = {}
    for name, value in values.items():
        if isinstance(value, dict):
            value = " ".join(str(v) for v in value.values())
        if value not in (None, ""):
            shown[name] = str(value)
    return shown
