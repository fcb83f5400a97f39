from core.errors import DomainError


class InvalidCatalogItem(DomainError):
    code = "invalid_catalog_item"
    kind = "invalid"
    default_message = "Some fields are not valid."


class UnknownCatalogItem(DomainError):
    code = "catalog_item_not_found"
    kind = "not_found"
    default_message = "No such item in this organization."
