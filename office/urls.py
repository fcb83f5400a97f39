"""The office: /office/<slug>/... Every view here wears office.access.staff_page; the route x
role matrix test (office/tests/test_route_matrix.py) walks this list, so a new route is
checked the moment it is added."""

from django.urls import path

from office.views import home, setup

app_name = "office"

urlpatterns = [
    path("<slug:slug>/", home.home, name="home"),
    path("<slug:slug>/setup/", setup.setup, name="setup"),
]
