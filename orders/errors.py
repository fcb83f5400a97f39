from core.errors import DomainError


class OrderNotFound(DomainError):
    code = "order_not_found"
    kind = "not_found"
    default_message = "No such order."
