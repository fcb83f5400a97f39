"""{% load portal_account %}: the account side's pieces that other portal pages show."""

from django import template

from portal.views_account import balances_context

register = template.Library()


@register.inclusion_tag("portal/account/_balances.html", takes_context=True)
def balances_payable(context: template.Context) -> dict[str, object]:
    """B3, B4: the household's balances payable online with "Add order #x to cart" or "In cart"
    (the cart page shows them as the account page does)."""
    household = context.get("household")
    if household is None:
        return {"balances": []}
    return {
        "organization": context["organization"],
        "csrf_token": context.get("csrf_token"),
        **balances_context(household),
    }
