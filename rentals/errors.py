from core.errors import DomainError


class RentalRequestNotFound(DomainError):
    code = "rental_request_not_found"
    kind = "not_found"
    default_message = "No such rental request."


class RentalRequestDecided(DomainError):
    code = "rental_request_decided"
    kind = "conflict"
    default_message = "This rental request has already been decided or withdrawn."


class RentalRequestLapsed(DomainError):
    code = "rental_request_lapsed"
    kind = "conflict"
    default_message = "This rental's time has started: the request lapsed and its time was released."


class ApprovalNotRequired(DomainError):
    code = "approval_not_required"
    kind = "invalid"
    default_message = "This facility is booked through the cart: it does not need approval."
