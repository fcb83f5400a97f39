"""Sign-up, the emailed link that confirms the address, and password reset (issue 12 item 2,
decision 0015). Signing in and out are the site's (`/accounts/login/`, `?next=` brings the
family back to the portal page it came from)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.views import LoginView, PasswordResetConfirmView
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from audit.models import Channel
from core.errors import DomainError
from households import signup
from notifications.links import portal_link
from portal.access import PortalRequest, portal_page
from portal.forms_account import HouseholdForm, SignUpForm, show_refusal


def verify_link(request: PortalRequest) -> signup.LinkFor:
    """Links in emails start with SITE_URL, never with the request's Host header, which a
    stranger asking for someone else's password reset could choose."""
    slug = request.organization.slug
    return lambda token: portal_link("portal:verify_email", slug=slug, token=token)


def _next(request: PortalRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


@portal_page(methods=("GET", "POST"))
def sign_up(request: PortalRequest) -> HttpResponse:
    """A visitor makes a login and a household; a signed-in person without a household here
    makes one for their login; anyone with a household goes to their account."""
    account_url = reverse("portal:account", args=[request.organization.slug])
    if request.household is not None:
        return redirect(account_url)
    signed_in = request.user.is_authenticated
    form = (HouseholdForm if signed_in else SignUpForm)(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if signed_in:
                signup.add_household(
                    organization=request.organization,
                    user=request.user,  # type: ignore[arg-type]
                    channel=Channel.PORTAL,
                    link_for=verify_link(request),
                    **form.cleaned_data,
                )
            else:
                household = signup.sign_up(
                    organization=request.organization,
                    details=signup.SignUp(**form.cleaned_data),
                    channel=Channel.PORTAL,
                    link_for=verify_link(request),
                )
                # Signed in by the sign-up itself (no password was guessed): the site's one backend.
                login(request, household.payer, backend=settings.AUTHENTICATION_BACKENDS[0])
        except DomainError as error:
            show_refusal(form, error)
        else:
            messages.success(
                request,
                _("Your account is ready. We sent a link to your email address: open it to confirm the address."),
            )
            return redirect(_next(request, account_url))
    return render(request, "portal/account/signup.html", {"form": form, "signed_in": signed_in})


@portal_page()
def verify_email(request: PortalRequest, token: str) -> HttpResponse:
    """The link in the verification email: confirms the address (again: nothing changes)."""
    try:
        household = signup.verify_email(organization=request.organization, token=token, channel=Channel.PORTAL)
    except signup.InvalidVerificationLink as error:
        return render(request, "portal/account/verify.html", {"error": str(error)}, status=400)
    return render(request, "portal/account/verify.html", {"verified_email": household.email})


@portal_page(methods=("POST",), customer=True)
def resend_verification(request: PortalRequest) -> HttpResponse:
    assert request.household is not None
    if signup.resend_verification(household=request.household, link_for=verify_link(request)):
        messages.success(request, _("We sent a new link to %(email)s.") % {"email": request.household.email})
    else:
        messages.info(request, _("A link was sent today already: look for it in your email, spam folder included."))
    return redirect("portal:account", request.organization.slug)


@portal_page(methods=("GET", "POST"))
def password_reset(request: PortalRequest) -> HttpResponse:
    """Ask for an email with a link to choose a new password; the answer is the same whether
    or not the address has a login."""
    form = PasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        slug = request.organization.slug
        signup.request_password_reset(
            organization=request.organization,
            email=form.cleaned_data["email"],
            link_for=lambda uid, token: portal_link(
                "portal:password_reset_confirm", slug=slug, uidb64=uid, token=token
            ),
        )
        return redirect("portal:password_reset_done", slug)
    return render(request, "portal/account/password_reset.html", {"form": form})


@portal_page()
def password_reset_done(request: PortalRequest) -> HttpResponse:
    return render(request, "portal/account/password_reset_done.html")


class _ChoosePassword(PasswordResetConfirmView):
    template_name = "portal/account/password_reset_confirm.html"

    def get_success_url(self) -> str:
        return reverse("portal:password_reset_complete", args=[self.request.organization.slug])  # type: ignore[attr-defined]


# Django's class-based views are typed as returning HttpResponseBase; these return pages.
password_reset_confirm = portal_page(methods=("GET", "POST"))(_ChoosePassword.as_view())  # type: ignore[arg-type]


@portal_page()
def password_reset_complete(request: PortalRequest) -> HttpResponse:
    return render(request, "portal/account/password_reset_complete.html")


class _SignIn(LoginView):
    """The site's sign-in in the portal's layout, with the links a family needs beside it
    (forgot the password, no account yet); after it, `next` or the account page."""

    template_name = "portal/account/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        return reverse("portal:account", args=[self.request.organization.slug])  # type: ignore[attr-defined]


sign_in = portal_page(methods=("GET", "POST"))(_SignIn.as_view())  # type: ignore[arg-type]
