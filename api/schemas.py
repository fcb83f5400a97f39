from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from api.types import Day, Id, Instant


class ErrorOut(Schema):
    code: str = Field(description="stable, machine-readable reason")
    message: str = Field(description="for people")
    details: dict[str, Any] = Field(default_factory=dict)


class TokenIn(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str


class AvailabilityOut(Schema):
    capacity: int | None = Field(description="None: unlimited")
    confirmed: int
    tentative: int
    held: int = Field(description="seats in other carts right now; they come back if those carts expire")
    free: int | None


class OfferingOut(Schema):
    id: int
    kind: str
    code: str
    name: str
    description: str
    price: Decimal
    min_age: int | None
    max_age: int | None
    starts_on: date | None
    ends_on: date | None
    registration_opens_at: datetime | None
    registration_closes_at: datetime | None
    facility_id: Id | None
    starts_at: datetime | None
    ends_at: datetime | None
    availability: AvailabilityOut


class MeetingOut(Schema):
    starts_at: datetime
    ends_at: datetime
    location: str


class OfferingDetailOut(OfferingOut):
    meetings: list[MeetingOut]


class OfferingPageOut(Schema):
    count: int
    limit: int
    offset: int
    results: list[OfferingOut]


class FacilityOut(Schema):
    id: int
    name: str
    description: str
    requires_approval: bool = Field(
        description="S6: booked by a request the office approves (POST rental-requests), not through the cart"
    )


class OrganizationOut(Schema):
    slug: str
    name: str
    time_zone: str
    cart_timeout_minutes: int
    cart_limit_minutes: int


class SettingsOut(OrganizationOut):
    """Every setting (X7); secrets are never shown back, only whether one is set."""

    locale: str = Field(description="en-ca, en-us or fr-ca")
    office_class_timeout_minutes: int = Field(ge=5, le=120, description="T5: the office's class wizard")
    office_class_limit_minutes: int = Field(ge=5, le=120, description="T5; at least its timeout")
    office_camp_timeout_minutes: int = Field(ge=5, le=120, description="T5: the office's camp wizard")
    office_camp_limit_minutes: int = Field(ge=5, le=120, description="T5; at least its timeout")
    grace_period_hours: int = Field(ge=-1, le=87_600, description="0 keep (G1), -1 quietly (G2), N hours (G3)")
    payment_window_minutes: int = Field(ge=5, le=1440, description="G2")
    registration_notifications: bool = Field(description="N2: administrator notices of incomplete registrations")
    admin_email: str = Field(description="organization-wide recipient of registration notices")
    notification_throttle: int = Field(ge=1, le=1000, description="N4: notifications per background run")
    pay_balances_online: bool = Field(description="B2")
    payment_provider: str = Field(description="none, sandbox or stripe")
    payment_publishable_key: str
    payment_secret_key_set: bool = Field(description="whether a secret key is stored (never shown)")
    payment_webhook_secret_set: bool = Field(description="whether a webhook secret is stored (never shown)")
    max_unpaid_seats_per_household: int = Field(ge=1, le=1000, description="X6: places held unpaid (cart + tentative)")
    max_seats_per_offering_per_household: int = Field(ge=1, le=1000, description="X6: places in one offering")
    max_participants_added_per_day: int = Field(ge=1, le=1000, description="X6: people added online in 24 hours")
    max_adds_per_minute: int = Field(ge=1, le=1000, description="X6: adds to the cart per household per minute")
    max_unpaid_seats_per_checkout: int = Field(
        ge=1, le=1000, description="X6: larger unpaid online orders need the office"
    )


class ParticipantOut(Schema):
    id: int
    first_name: str
    last_name: str
    date_of_birth: date


class ParticipantIn(Schema):
    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field(min_length=1, max_length=100)
    date_of_birth: Day


class HouseholdOut(Schema):
    id: int
    name: str
    email: str
    phone: str
    participants: list[ParticipantOut]
    credit: Decimal = Field(
        default=Decimal("0"),
        description="B6: money paid beyond the household's orders, spent first by its next checkout",
    )


class CartItemIn(Schema):
    offering_id: Id
    participant_id: Id | None = Field(default=None, description="required for classes, camps and memberships")


class RentalIn(Schema):
    facility_id: Id
    starts_at: Instant
    ends_at: Instant


class CartItemOut(Schema):
    id: int
    offering_id: Id
    offering_name: str
    kind: str
    participant_id: Id | None
    participant_name: str | None
    price: Decimal
    starts_at: datetime | None
    ends_at: datetime | None


class CartBalanceOut(Schema):
    order_id: Id
    order_number: str
    amount: Decimal
    customer_note: str


class CartOut(Schema):
    id: int | None
    status: str
    items: list[CartItemOut]
    balances: list[CartBalanceOut] = Field(description="balances of earlier orders, paid with this cart (B3)")
    total: Decimal
    expires_at: datetime | None = Field(description="when every item is released unless checked out (T2, T3)")
    seconds_left: int | None
    expired_at: datetime | None = Field(description="set when the cart's timer ran out; its items were released")
    timeout_minutes: int
    limit_minutes: int
    held_by_office: bool = Field(
        description="the office started this cart or took it over and is completing it (S3): only staff add to it; "
        "the household may still empty it"
    )
    taken_over_at: datetime | None = Field(description="when the office took over a cart the household started (S3)")


class CartAddOut(Schema):
    cart_id: Id
    expires_at: datetime = Field(description="when every item is released unless checked out (T2, T3)")
    seconds_left: int
    timeout_minutes: int
    limit_minutes: int
    added: list[CartItemOut] = Field(description="the items just held; GET the cart for all of them")


class CheckoutIn(Schema):
    cart_id: Id | None = Field(default=None, description="send it so that a repeated submit returns the same order")


class OrderLineOut(Schema):
    id: int
    offering_id: Id
    participant_id: Id | None
    description: str
    amount: Decimal


class RegistrationOut(Schema):
    id: int
    offering_id: Id
    offering_name: str
    participant_id: Id | None
    participant_name: str | None
    order_id: Id
    state: str
    submitted_at: datetime


class OrderOut(Schema):
    id: int
    number: str
    status: str
    total: Decimal
    amount_paid: Decimal
    balance: Decimal
    created_at: datetime
    lines: list[OrderLineOut]
    registrations: list[RegistrationOut]


class StaffCartItemIn(CartItemIn):
    override_reason: str | None = Field(
        default=None, max_length=500, description="C6: enroll beyond capacity; needs the override permission"
    )


class HoldOut(Schema):
    id: int
    household_id: Id
    household_name: str
    participant_name: str | None
    channel: str
    created_at: datetime
    expires_at: datetime | None
    seconds_left: int | None
    override_reason: str


class OccupancyOut(Schema):
    offering: OfferingOut
    holds: list[HoldOut]


class PaymentSessionOut(Schema):
    id: int
    provider: str
    amount: Decimal
    status: str
    redirect_url: str = Field(description="send the customer here to pay")


class CheckoutOut(Schema):
    order: OrderOut | None = Field(description="None when the cart held only balances of earlier orders")
    payment: PaymentSessionOut | None = Field(
        description="where to pay, when something is due and online payment is on"
    )


class BalanceOut(Schema):
    order_id: Id
    order_number: str
    total: Decimal
    amount_paid: Decimal
    balance: Decimal
    customer_note: str
    in_cart: bool = Field(description="B4: already in the cart; show 'In cart', not a second add")


class BalanceIn(Schema):
    order_id: Id


class StaffRegistrationOut(Schema):
    id: int
    household_id: Id
    household_name: str
    participant_name: str | None
    offering_id: Id
    offering_name: str
    order_id: Id
    order_number: str
    amount_due: Decimal
    amount_paid: Decimal
    state: str = Field(description="claim state: tentative, confirmed, cancelled")
    payment_state: str = Field(
        description="P3: incomplete_or_pending, payment_incomplete, partially_paid, paid_in_full"
    )
    on_account: bool = Field(description="B1: finished on account; never deleted automatically")
    scheduled_for_deletion_at: datetime | None
    submitted_at: datetime
    deleted_at: datetime | None
    deleted_reason: str


class OfflinePaymentIn(Schema):
    amount: Decimal = Field(gt=0, max_digits=12, decimal_places=2)
    method: str = Field(description="cash, cheque, card_phone or card_terminal")
    note: str = Field(default="", max_length=500)
    reference: str = Field(
        default="", max_length=100, description="receipt number or idempotency key: a repeat records once"
    )


class PaymentOut(Schema):
    id: int
    amount: Decimal
    method: str
    provider: str
    received_at: datetime
    order_balance: Decimal


class OnAccountIn(Schema):
    payable_online: bool = False
    customer_note: str = Field(default="", max_length=500)


class AlertOut(Schema):
    id: int
    kind: str
    message: str
    payment_id: Id | None
    order_id: Id | None
    created_at: datetime


class ImpactRowOut(Schema):
    registration_id: Id
    household_name: str
    participant_name: str | None
    offering_name: str
    submitted_at: datetime
    amount_due: Decimal
    deletes_now: bool
    scheduled_for_deletion_at: datetime | None
    emails: list[dict[str, str]]


class ImpactsOut(Schema):
    grace_period_hours: int
    computed_at: datetime
    deletions: int
    emails: int
    rows: list[ImpactRowOut]
