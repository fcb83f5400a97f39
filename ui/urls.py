"""Sign-in and sign-out for everyone, customers and staff: /accounts/login/?next=... and a POST to
/accounts/logout/; the user's API tokens at /accounts/tokens/. Password reset and sign-up are the portal's (issue 12)."""

from django.urls import path

from ui import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("tokens/", views.api_tokens, name="api_tokens"),
]
