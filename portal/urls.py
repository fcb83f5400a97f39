"""The customer portal: /o/<slug>/... Every view here wears portal.access.portal_page
(organization from the slug or 404; the signed-in person's household in it as
request.household). The catalog, offering and cart pages are portal-shop's (decision 0014);
sign-up, sign-in, the account pages and checkout are portal-account's (decision 0015), under
/o/<slug>/signup/, /o/<slug>/account/... and /o/<slug>/checkout/..."""

from django.urls import path

from portal import urls_account, views_cart, views_catalog, views_rentals

app_name = "portal"

urlpatterns = [
    # The catalog is the portal's home page (ui.entry_points links `portal:home`).
    path("<slug:slug>/", views_catalog.catalog, name="home"),
    path("<slug:slug>/", views_catalog.catalog, name="catalog"),
    path("<slug:slug>/availability/", views_catalog.availability, name="availability"),
    path("<slug:slug>/offerings/<int:offering_id>/", views_catalog.offering, name="offering"),
    path("<slug:slug>/cart/", views_cart.cart, name="cart"),
    path("<slug:slug>/cart/add/", views_cart.add, name="cart_add"),
    path("<slug:slug>/cart/items/<int:item_id>/remove/", views_cart.remove, name="cart_remove"),
    path("<slug:slug>/cart/empty/", views_cart.empty, name="cart_empty"),
    path("<slug:slug>/cart/extend/", views_cart.extend, name="cart_extend"),
    path("<slug:slug>/cart/timer/", views_cart.timer, name="cart_timer"),
    # Facility rentals (S5, S6): a day or week of a facility's time, booking, withdrawing a request.
    path("<slug:slug>/rentals/", views_rentals.rentals, name="rentals"),
    path("<slug:slug>/rentals/book/", views_rentals.book, name="rental_book"),
    path("<slug:slug>/rentals/requests/<int:request_id>/withdraw/", views_rentals.withdraw, name="rental_withdraw"),
]

urlpatterns += urls_account.urlpatterns
