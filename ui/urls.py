"""Sign-in and sign-out for everyone, customers and staff: /accounts/login/?next=... and a POST to
/accounts/logout/. Password reset and sign-up are the portal's (issue 12)."""

from django.urls import path

from ui import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
]
