"""The Pending list through the staff API (S7, P3): the same rows as the office's page."""

from typing import Literal

from django.core.paginator import Paginator
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from api.access import StaffRequest, staff
from api.auth import AUTH
from api.desk_households import DESK, REFUSALS, desk_membership
from api.desk_schemas import PendingPageOut
from carts.selectors import CART_SORTS, cart_rows, live_carts
from registrations.pending import SORTS, incomplete_registrations
from registrations.selectors import payment_status

router = Router(tags=["staff: desk"], auth=AUTH)
PAGE_SIZE = 50


class PendingQuery(Schema):
    show: Literal["registrations", "carts"] = "registrations"
    state: Literal["", "incomplete_or_pending", "payment_incomplete", "partially_paid"] = ""
    q: str = ""
    sort: Literal["oldest", "newest", "household", "offering", "expiring"] = "oldest"
    page: int = Field(1, ge=1, le=100_000)


@router.get("/orgs/{slug}/staff/pending", response={200: PendingPageOut, **REFUSALS})
@staff(*DESK)
def pending(request: StaffRequest, slug: str, filters: Query[PendingQuery]) -> dict[str, object]:
    """S7: open carts (`show=carts`) or incomplete registrations (the default) of the
    organization, 50 a page, with the payment state (P3) and deletion schedule."""
    membership = desk_membership(request, slug)
    organization = membership.organization
    now = timezone.now()
    query = filters.q[:200]
    if filters.show == "carts":
        sort = filters.sort if filters.sort in CART_SORTS else "expiring"
        cart_pages = Paginator(live_carts(organization_id=organization.pk, now=now, query=query, sort=sort), PAGE_SIZE)
        cart_page_obj = cart_pages.get_page(max(1, min(filters.page, 100_000)))
        carts = [
            {
                "id": row.cart.pk,
                "household_id": row.cart.household_id,
                "household_name": row.cart.household.name,
                "channel": row.cart.channel,
                "timer": row.cart.timer,
                "first_added_at": row.cart.first_added_at,
                "expires_at": row.cart.expires_at,
                "held_by_office": row.cart.is_held_by_office,
                "taken_over_by": row.cart.taken_over_by.get_username() if row.cart.taken_over_by else "",
                "holds": [
                    {
                        "id": claim.pk,
                        "offering_id": claim.offering_id,
                        "offering_name": claim.offering.name,
                        "participant_name": claim.participant.full_name if claim.participant else None,
                        "price": claim.price,
                    }
                    for claim in row.items
                ],
            }
            for row in cart_rows(cart_page_obj)
        ]
        return {
            "count": cart_pages.count,
            "page": cart_page_obj.number,
            "pages": cart_pages.num_pages,
            "registrations": [],
            "carts": carts,
        }
    sort = filters.sort if filters.sort in SORTS else "oldest"
    registrations = incomplete_registrations(
        organization_id=organization.pk, now=now, state=filters.state, query=query, sort=sort
    )
    page = Paginator(registrations, PAGE_SIZE)
    page_obj = page.get_page(max(1, min(filters.page, 100_000)))
    rows = []
    for r in page_obj:
        status = payment_status(r, organization, now)
        rows.append(
            {
                "id": r.pk,
                "household_id": r.household_id,
                "household_name": r.household.name,
                "participant_name": r.participant.full_name if r.participant else None,
                "offering_id": r.offering_id,
                "offering_name": r.offering.name,
                "order_number": r.order.number,
                "amount_due": r.order.total,
                "amount_paid": r.order.amount_paid,
                "payment_state": status.state,
                "scheduled_for_deletion_at": status.scheduled_for_deletion_at,
                "submitted_at": r.submitted_at,
            }
        )
    return {"count": page.count, "page": page_obj.number, "pages": page.num_pages, "registrations": rows, "carts": []}
