"""Schemas of the desk's staff endpoints (issue 13: households, holds, Pending, take-over)."""

from datetime import datetime
from decimal import Decimal

from ninja import Field, Schema

from api.schemas import CartOut, ParticipantIn, ParticipantOut


class HouseholdFoundOut(Schema):
    id: int
    name: str
    email: str
    phone: str
    participants: list[ParticipantOut]


class HouseholdCreateIn(Schema):
    name: str = Field(max_length=200)
    email: str = Field(max_length=254)
    phone: str = Field(default="", max_length=40)
    participants: list[ParticipantIn] = Field(default_factory=list, max_length=20)
    invite: bool = Field(default=False, description="email the payer a link to set a portal password")


class NoteIn(Schema):
    text: str = Field(max_length=2000)


class NoteOut(Schema):
    id: int
    text: str
    author: str
    created_at: datetime


class EventOut(Schema):
    verb: str
    actor: str
    channel: str
    subject_type: str
    subject_id: int
    created_at: datetime


class StaffHouseholdRegistrationOut(Schema):
    id: int
    offering_id: int
    offering_name: str
    participant_name: str | None
    order_number: str
    payment_state: str = Field(
        description="P3: incomplete_or_pending, payment_incomplete, partially_paid, paid_in_full"
    )
    scheduled_for_deletion_at: datetime | None
    submitted_at: datetime
    deleted_at: datetime | None


class StaffOrderOut(Schema):
    id: int
    number: str
    total: Decimal
    amount_paid: Decimal
    balance: Decimal
    on_account: bool
    created_at: datetime


class StaffHouseholdOut(Schema):
    id: int
    name: str
    email: str
    phone: str
    has_login: bool
    created_at: datetime
    participants: list[ParticipantOut]
    cart: CartOut
    cart_held_by: str = Field(description="the staff member who took the cart over, if any")
    orders: list[StaffOrderOut]
    registrations: list[StaffHouseholdRegistrationOut]
    notes: list[NoteOut]
    events: list[EventOut] = Field(description="the household's audit trail, newest first (the last 40)")


class PendingRegistrationOut(Schema):
    id: int
    household_id: int
    household_name: str
    participant_name: str | None
    offering_id: int
    offering_name: str
    order_number: str
    amount_due: Decimal
    amount_paid: Decimal
    payment_state: str = Field(description="P3: incomplete_or_pending, payment_incomplete or partially_paid")
    scheduled_for_deletion_at: datetime | None
    submitted_at: datetime


class PendingHoldOut(Schema):
    id: int
    offering_id: int
    offering_name: str
    participant_name: str | None
    price: Decimal


class PendingCartOut(Schema):
    id: int
    household_id: int
    household_name: str
    channel: str
    timer: str
    first_added_at: datetime | None
    expires_at: datetime | None
    held_by_office: bool
    taken_over_by: str
    holds: list[PendingHoldOut]


class PendingPageOut(Schema):
    count: int = Field(description="rows matching, over all pages")
    page: int
    pages: int
    registrations: list[PendingRegistrationOut] = Field(description="with show=registrations")
    carts: list[PendingCartOut] = Field(description="with show=carts")


class NoNewOrderOut(Schema):
    """The office checked out a cart that held only balances of earlier orders (B3): the cart is
    closed, household credit paid what it could, and no new order was made."""

    order: None = Field(default=None, description="always null: no new order was made")
    message: str
