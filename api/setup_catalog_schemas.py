"""Schemas of catalog management (issue 14): every range and enum stated."""

from datetime import date, datetime, time
from decimal import Decimal
from typing import Annotated, Literal

from annotated_types import Ge, Le
from ninja import Field, Schema

from api.types import Day, Id, Instant, LocalTime
from bulk.policies import MAX_CAPACITY

Kind = Literal["class", "camp", "membership", "rental"]


class ProgramIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)
    season: str = Field(default="", max_length=60, description='e.g. "Summer 2026"')


class ProgramOut(Schema):
    id: int
    name: str
    description: str
    season: str
    is_archived: bool


class OfferingChangeIn(Schema):
    """Any subset; capacity is changed with PUT setup/offerings/{id}/capacity (previewed)."""

    kind: Kind | None = None
    code: str | None = Field(default=None, max_length=40)
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    price: Decimal | None = Field(default=None, ge=0, max_digits=10, decimal_places=2)
    program_id: Id | None = None
    registration_opens_at: Instant | None = Field(default=None, description="F1: the instant registration opens")
    registration_closes_at: Instant | None = None
    min_age: int | None = Field(default=None, ge=0, le=120)
    max_age: int | None = Field(default=None, ge=0, le=120)
    age_cutoff_on: Day | None = Field(default=None, description="E1: ages are taken on this day")
    starts_on: Day | None = None
    ends_on: Day | None = None
    facility_id: Id | None = Field(default=None, description="rental slots only")
    starts_at: Instant | None = Field(default=None, description="rental slots only")
    ends_at: Instant | None = Field(default=None, description="rental slots only")
    registration_notifications: bool | None = Field(default=None, description="null: as the organization (N2)")
    notification_email: str | None = Field(default=None, max_length=254, description="notice recipient (N6)")


class OfferingIn(OfferingChangeIn):
    kind: Kind
    name: str = Field(min_length=1, max_length=200)
    price: Decimal = Field(ge=0, max_digits=10, decimal_places=2)
    capacity: int | None = Field(default=None, ge=0, le=MAX_CAPACITY, description="null: unlimited")


class OfferingSetupOut(Schema):
    id: int
    kind: str
    code: str
    name: str
    description: str
    price: Decimal
    capacity: int | None
    program_id: Id | None
    registration_opens_at: datetime | None
    registration_closes_at: datetime | None
    min_age: int | None
    max_age: int | None
    age_cutoff_on: date | None
    starts_on: date | None
    ends_on: date | None
    facility_id: Id | None
    starts_at: datetime | None
    ends_at: datetime | None
    registration_notifications: bool | None
    notification_email: str
    is_archived: bool
    cancelled_at: datetime | None


class ScheduleIn(Schema):
    weekdays: list[Annotated[int, Ge(0), Le(6)]] = Field(
        min_length=1, max_length=7, description="0 Monday ... 6 Sunday"
    )
    starts_on: Day
    ends_on: Day
    starts_at: LocalTime
    ends_at: LocalTime
    location: str = Field(default="", max_length=200)
    exceptions: list[Day] = Field(default_factory=list, description="days without a meeting")


class ScheduleOut(Schema):
    id: int
    weekdays: list[int]
    starts_on: date
    ends_on: date
    starts_at: time
    ends_at: time
    location: str
    meetings: int


class ClosureIn(Schema):
    name: str = Field(min_length=1, max_length=200)


class FacilityIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)
    requires_approval: bool = Field(default=False, description="S6: portal bookings are requests staff approve")


class FacilitySetupOut(Schema):
    id: int
    name: str
    description: str
    requires_approval: bool


class HoursIn(Schema):
    weekday: int = Field(ge=0, le=6, description="0 Monday ... 6 Sunday")
    opens_at: LocalTime
    closes_at: LocalTime


class SeasonCopyIn(Schema):
    starts_on: Day = Field(description="the new season's first day; dates move by whole weeks")
    season: str = Field(min_length=1, max_length=60)


class SeasonCopyOut(Schema):
    program_id: Id
    offering_ids: list[int]
    shift_days: int
