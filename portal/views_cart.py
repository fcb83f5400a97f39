"""The cart (issue 12, items 3 and 4): add from the catalog or an offering, the cart page with
its live countdown (T6) and humane timer (H1: warnings, one-click extend), remove, empty.
Every form posts and redirects without JavaScript; htmx only answers an add in place."""

from dataclasses import dataclass, field

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from audit.models import Channel
from capacity.errors import UnknownOffering
from carts import policies, selectors, services
from carts.errors import ItemNotFound, ParticipantNotFound
from carts.selectors import CartView
from core.errors import DomainError
from households.models import Household
from monitoring import counters
from portal.access import PortalRequest, portal_page
from portal.refusals import refusal_words
from ui.confirm import ask_to_confirm, is_confirmed

# H1: when the page warns that the cart is about to expire, in seconds before it does.
WARN_SECONDS = (120, 20)


def _household(request: PortalRequest) -> Household:
    assert request.household is not None  # portal_page(customer=True)
    return request.household


def timer_context(view: CartView) -> dict[str, object]:
    return {
        "cart": view,
        "at_time_limit": policies.at_time_limit(
            first_added_at=view.first_added_at, expires_at=view.expires_at, limit_minutes=view.limit_minutes
        ),
        "warn_seconds": WARN_SECONDS,
        "server_now": timezone.now(),
    }


@portal_page(customer=True)
def cart(request: PortalRequest) -> HttpResponse:
    view = selectors.open_cart_view(household=_household(request), now=timezone.now())
    return render(request, "portal/cart/cart.html", timer_context(view))


@portal_page(customer=True)
def timer(request: PortalRequest) -> HttpResponse:
    """The countdown's facts (expiry instant, the server's now) again: another tab may have
    extended or emptied the cart; the page's script reads them from this fragment."""
    view = selectors.open_cart_view(household=_household(request), now=timezone.now())
    return render(request, "portal/cart/_timer.html", timer_context(view))


def _back(request: PortalRequest, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def _chosen(request: PortalRequest) -> list[int] | None:
    """The participants ticked on the add form, or None when the answer is not a list of ids.
    Whether each is one of this household's is the add's own check (ParticipantNotFound)."""
    try:
        return list(dict.fromkeys(int(value) for value in request.POST.getlist("participants")))
    except ValueError:
        return None


@dataclass
class _Outcome:
    """What an add request did: each chosen participant added or refused, in words, and the
    cart's count when the adds tell it (a cart they started); else None and the template reads
    it (portal.context_processors)."""

    added: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    count: int | None = None

    def held(self, result: services.AddResult) -> None:
        if result.started_cart:
            self.count = len(result.claims)
        elif self.count is not None:
            self.count += len(result.claims)
        claim = result.claims[0]
        who = claim.participant.full_name if claim.participant else ""
        self.added.append(_("%(what)s for %(who)s is in your cart.") % {"what": claim.offering.name, "who": who})


@portal_page(methods=("POST",), customer=True)
def add(request: PortalRequest) -> HttpResponse:
    """Add one offering for each chosen participant. Each add stands alone: the ones that fit
    are held, the others are refused in words (full, already enrolled, age, not open yet).
    Registration morning's request (bench/morning.py): the names, and the header's count for
    a cart the add started, come from the add's own rows; only a refusal reads the offering and
    the participant again, to say why."""
    household = _household(request)
    organization = request.organization
    cart_url = f"/o/{organization.slug}/cart/"
    try:
        offering_id = int(request.POST.get("offering", ""))
    except ValueError:
        raise Http404("No such offering.") from None
    chosen = _chosen(request)
    outcome = _Outcome()
    if not chosen:
        outcome.refused.append(_("Choose who to register."))
    for participant_id in chosen or []:
        try:
            result = services.add_to_cart(
                household=household,
                offering_id=offering_id,
                participant_id=participant_id,
                channel=Channel.PORTAL,
                actor_id=request.user.pk,
            )
        except UnknownOffering:
            raise Http404("No such offering.") from None
        except ParticipantNotFound as error:
            counters.count_refusal("add", Channel.PORTAL, error.code)
            outcome.refused.append(_("Choose who to register from your household."))
        except DomainError as error:
            counters.count_refusal("add", Channel.PORTAL, error.code)
            outcome.refused.append(
                _refusal(error, household=household, offering_id=offering_id, participant_id=participant_id)
            )
        else:
            counters.count_add(Channel.PORTAL)
            outcome.held(result)
    if request.htmx:
        return _add_answer(outcome, household=household, cart_url=cart_url)
    for text in outcome.added:
        messages.success(request, text)
    for text in outcome.refused:
        messages.error(request, text)
    return HttpResponseRedirect(cart_url if outcome.added else _back(request, cart_url))


def _add_answer(outcome: _Outcome, *, household: Household, cart_url: str) -> HttpResponse:
    """The htmx add's answer: the fragment alone, from what the add knows, without the request's
    context processors (the layout's organization, household, messages, CSRF and the cart's lazy
    count, none of which it uses): registration morning's answer (decision 0026). The header's
    count, swapped out of band, is read only when an add went into a cart it did not start."""
    count = outcome.count
    if outcome.added and count is None:
        count = selectors.live_item_count(household_id=household.pk, now=timezone.now())
    context = {"added": outcome.added, "refused": outcome.refused, "cart_url": cart_url, "cart_count": count}
    response = HttpResponse(render_to_string("portal/cart/_add_result.html", context))
    # The page's availability tags ask again now (their poll's other trigger), so the family
    # sees the place it just took, or the one it was refused, counted at once.
    response["HX-Trigger"] = "seats-changed"
    return response


def _refusal(error: DomainError, *, household: Household, offering_id: int, participant_id: int) -> str:
    offering, participant = selectors.offering_and_participant(
        household=household, offering_id=offering_id, participant_id=participant_id
    )
    if offering is None or participant is None:  # the add found both; gone since
        return str(error)
    return refusal_words(error, offering=offering, participant=participant, organization=household.organization)


@portal_page(methods=("POST",), customer=True)
def remove(request: PortalRequest, item_id: int) -> HttpResponse:
    try:
        services.remove_from_cart(
            household=_household(request), claim_id=item_id, channel=Channel.PORTAL, actor_id=request.user.pk
        )
    except ItemNotFound:
        raise Http404("No such item in your cart.") from None
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Removed. The place is free for someone else now."))
    return redirect("portal:cart", request.organization.slug)


@portal_page(methods=("POST",), customer=True)
def empty(request: PortalRequest) -> HttpResponse:
    cart_url = f"/o/{request.organization.slug}/cart/"
    if not is_confirmed(request):
        return ask_to_confirm(
            request,
            question=_("Empty your cart?"),
            confirm_label=_("Empty the cart"),
            consequence=_("Every place in it goes back on sale at once."),
            cancel_url=cart_url,
        )
    services.empty_cart(household=_household(request), channel=Channel.PORTAL, actor_id=request.user.pk)
    messages.success(request, _("Your cart is empty. Its places are free for others now."))
    return redirect(cart_url)


@portal_page(methods=("POST",), customer=True)
def extend(request: PortalRequest) -> HttpResponse:
    """H1: restart the timeout now, within the limit; the page shows the new time left."""
    try:
        services.extend_cart(household=_household(request), channel=Channel.PORTAL, actor_id=request.user.pk)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Your cart's time was extended."))
    return redirect("portal:cart", request.organization.slug)
