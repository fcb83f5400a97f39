from core.errors import DomainError


class NotificationNotFound(DomainError):
    code = "notification_not_found"
    kind = "not_found"
    default_message = "No such email in this organization's outbox."


class OutboxActionRefused(DomainError):
    code = "outbox_action_refused"
    kind = "conflict"
    default_message = "That cannot be done to this email now."
