"""Holds, live (S1, S2, C5): the class and camp occupancy list, one offering's occupancy with its
Enrollment Reservations (refreshing while open, htmx polling), and deleting one hold or a
household's whole cart (delete enrollments only, after a confirmation step; the family is emailed)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from capacity.catalog import catalog_offerings, offering_detail
from capacity.errors import UnknownOffering
from capacity.models import Claim
from capacity.selectors import live_holds
from carts.services import delete_cart, delete_hold
from catalog.models import Offering
from core.errors import DomainError
from office.access import OfficeRequest, staff_page
from office.navigation import DESK
from office.rendering import back_to, page_or_partial
from office.views.households import desk_household
from office.words import CHANNELS, minutes_left
from organizations.models import Permission
from ui.confirm import ask_to_confirm, is_confirmed

KINDS = {"class": Offering.Kind.CLASS, "camp": Offering.Kind.CAMP}
PAGE_SIZE = 50


@staff_page(*DESK)
def offerings(request: OfficeRequest) -> HttpResponse:
    """C5: classes and camps with confirmed, tentative, held and free seats, 50 a page."""
    kind = request.GET.get("kind", "class")
    kind = kind if kind in KINDS else "class"
    try:
        page_number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page_number = 1
    total, rows = catalog_offerings(
        organization=request.organization,
        now=timezone.now(),
        kind=KINDS[kind],
        limit=PAGE_SIZE,
        offset=(page_number - 1) * PAGE_SIZE,
    )
    page_obj = Paginator(range(total), PAGE_SIZE).get_page(page_number)
    # From a household's page: pick the class to group enroll its participants into (S4).
    households = ",".join(h for h in request.GET.get("households", "").split(",") if h.strip().isdigit())[:200]
    return page_or_partial(
        request,
        "office/desk/offerings.html",
        "results",
        {
            "rows": rows,
            "kind": kind,
            "page_obj": page_obj,
            "kinds": [("class", _("Classes")), ("camp", _("Camps"))],
            "group_households": households if request.membership.has_permission(Permission.ENROLL) else "",
        },
    )


@staff_page(*DESK)
def occupancy(request: OfficeRequest, offering_id: int) -> HttpResponse:
    """S1: one offering's live availability and every live hold on it, who, for whom, since
    when, time left and channel; the page asks for its `live` part again every 10 seconds."""
    now = timezone.now()
    try:
        item, _meetings = offering_detail(organization=request.organization, offering_id=offering_id, now=now)
    except UnknownOffering:
        raise Http404("No such offering.") from None
    holds = live_holds(organization_id=request.organization.pk, offering_id=offering_id, now=now)
    reservations = [
        {
            "claim": claim,
            "channel": CHANNELS.get(claim.channel, claim.channel),
            "time_left": minutes_left(
                int((claim.cart.expires_at - now).total_seconds()) if claim.cart and claim.cart.expires_at else None
            ),
        }
        for claim in holds
    ]
    return page_or_partial(
        request,
        "office/desk/occupancy.html",
        "live",
        {
            "item": item,
            "seats": item.availability,
            "reservations": reservations,
            "now": now,
            "can_delete": request.membership.has_permission(Permission.DELETE_ENROLLMENTS),
        },
    )


@staff_page(Permission.DELETE_ENROLLMENTS, methods=("POST",))
def remove_hold(request: OfficeRequest, claim_id: int) -> HttpResponse:
    """S2: delete one hold, after "Are you sure?"; the seat is free at once, the family emailed."""
    claim = (
        Claim.objects.filter(organization_id=request.organization.pk, pk=claim_id)
        .select_related("offering", "participant", "household")
        .first()
    )
    if claim is None:
        raise Http404("No such hold.")
    back = request.POST.get("next") or reverse("office:occupancy", args=[request.organization.slug, claim.offering_id])
    if not back.startswith("/office/"):
        back = reverse("office:occupancy", args=[request.organization.slug, claim.offering_id])
    if not is_confirmed(request):
        who = claim.participant.full_name if claim.participant else claim.household.name
        return ask_to_confirm(
            request,
            question=_("Delete the hold of %(who)s on %(offering)s?") % {"who": who, "offering": claim.offering.name},
            consequence=_("The seat goes back on sale at once, and %(household)s is emailed that it was released.")
            % {"household": claim.household.name},
            confirm_label=_("Delete the hold"),
            cancel_url=back,
        )
    try:
        delete_hold(membership=request.membership, claim_id=claim.pk)
    except DomainError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("The hold was deleted and the seat is free."))
    return redirect(back)


@staff_page(Permission.DELETE_ENROLLMENTS, methods=("POST",))
def remove_cart(request: OfficeRequest, household_id: int) -> HttpResponse:
    """S2: clear a household's whole cart, after "Are you sure?"; every seat is free at once."""
    household = desk_household(request, household_id)
    slug = request.organization.slug
    back = back_to(request, slug, reverse("office:household", args=[slug, household.pk]))
    if not is_confirmed(request):
        return ask_to_confirm(
            request,
            question=_("Delete everything in %(household)s's cart?") % {"household": household.name},
            consequence=_("Every held seat goes back on sale at once, and the family is emailed what was released."),
            confirm_label=_("Delete the cart"),
            cancel_url=back,
        )
    try:
        delete_cart(membership=request.membership, household=household)
    except DomainError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("The cart was deleted and its seats are free."))
    return redirect(back)
