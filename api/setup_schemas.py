"""Schemas of the administration endpoints (issue 14): previews and their actions (F2)."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from api.schemas import ImpactsOut
from bulk.policies import MAX_CAPACITY


class SettingChangeOut(Schema):
    name: str
    before: Any
    after: Any


class CartRetimingOut(Schema):
    cart_id: int
    household_id: int
    household_name: str
    timer: str = Field(description="portal or office")
    expires_at: datetime
    new_expires_at: datetime = Field(description="never earlier than expires_at: live carts are never cut short")
    changes: bool


class SettingsPreviewOut(Schema):
    changed: list[SettingChangeOut] = Field(description="what would change; secrets never appear")
    grace: ImpactsOut | None = Field(description="G6: the Grace Period Impacts, when the grace period changes")
    carts: list[CartRetimingOut] = Field(description="live carts and their expiry under the new timers")


class SeatOut(Schema):
    claim_id: int
    state: str = Field(description="held, tentative or confirmed")
    household_id: int
    household_name: str
    participant_name: str | None
    taken_at: datetime


class CapacityIn(Schema):
    capacity: int | None = Field(ge=0, le=MAX_CAPACITY, description="None: unlimited")
    override_reason: str = Field(
        default="", max_length=500, description="needed to lower capacity below the seats taken; nobody loses a seat"
    )


class CapacityPlanOut(Schema):
    offering_id: int
    offering_name: str
    capacity_before: int | None
    capacity_after: int | None
    taken: int
    free_after: int | None
    over: list[SeatOut] = Field(description="seats beyond the new capacity, latest taken last")


class CancelIn(Schema):
    reason: str = Field(default="", max_length=500, description="told to every household")


class CancelRowOut(Schema):
    claim_id: int
    kind: str = Field(description="hold or registration")
    state: str
    household_id: int
    household_name: str
    participant_name: str | None
    registration_id: int | None
    order_id: int | None
    order_number: str
    owed_back: Decimal = Field(description="refund or credit due on this order (B6), on its first row")


class CancellationPlanOut(Schema):
    offering_id: int
    offering_name: str
    households_told: int
    total_owed: Decimal
    rows: list[CancelRowOut]
