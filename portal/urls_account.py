"""The portal's account side (decision 0015), included by portal/urls.py under the `portal`
namespace: sign-up and sign-in, the account pages, checkout and its return page, the calendar."""

from django.urls import path

from portal import views_account, views_checkout, views_signup, views_upcoming

urlpatterns = [
    path("<slug:slug>/signup/", views_signup.sign_up, name="signup"),
    path("<slug:slug>/account/login/", views_signup.sign_in, name="login"),
    path("<slug:slug>/account/verify/<str:token>/", views_signup.verify_email, name="verify_email"),
    path("<slug:slug>/account/verify-again/", views_signup.resend_verification, name="resend_verification"),
    path("<slug:slug>/account/password-reset/", views_signup.password_reset, name="password_reset"),
    path("<slug:slug>/account/password-reset/sent/", views_signup.password_reset_done, name="password_reset_done"),
    path(
        "<slug:slug>/account/password-reset/<uidb64>/<token>/",
        views_signup.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path(
        "<slug:slug>/account/password-reset/done/",
        views_signup.password_reset_complete,
        name="password_reset_complete",
    ),
    path("<slug:slug>/account/", views_account.account, name="account"),
    path("<slug:slug>/account/balances/<int:order_id>/add/", views_account.add_balance, name="add_balance"),
    path("<slug:slug>/account/balances/<int:order_id>/remove/", views_account.remove_balance, name="remove_balance"),
    path("<slug:slug>/account/participants/", views_account.participants, name="participants"),
    path(
        "<slug:slug>/account/participants/<int:participant_id>/",
        views_account.edit_participant,
        name="edit_participant",
    ),
    path("<slug:slug>/account/orders/<int:order_id>/pay/", views_checkout.pay_order, name="pay_order"),
    path("<slug:slug>/account/courses/", views_upcoming.upcoming, name="upcoming"),
    path(
        "<slug:slug>/account/courses/<int:participant_id>/meetings/<int:meeting_id>/absence/",
        views_upcoming.absence,
        name="absence",
    ),
    path("<slug:slug>/account/calendar/reset/", views_account.calendar_reset, name="calendar_reset"),
    path("<slug:slug>/account/calendar/<str:token>.ics", views_account.calendar_feed, name="calendar_feed"),
    path("<slug:slug>/checkout/", views_checkout.checkout, name="checkout"),
    path("<slug:slug>/checkout/return/", views_checkout.payment_return, name="payment_return"),
    path("<slug:slug>/checkout/pay-again/", views_checkout.payment_retry, name="payment_retry"),
]
