"""The routes whose answers are counted (monitoring.counters), by URL name: what they do and
from which channel. A page or API route that adds to a cart, checks out or records a payment
belongs here; monitoring/tests check that every name still resolves."""

from typing import NamedTuple


class Action(NamedTuple):
    action: str  # add, checkout, payment
    channel: str  # api, office, webhook


COUNTED: dict[str, Action] = {
    "api-1:add_item": Action("add", "api"),
    "api-1:add_rental": Action("add", "api"),
    "api-1:office_add": Action("add", "office"),
    "api-1:submit_checkout": Action("checkout", "api"),
    "api-1:office_checkout": Action("checkout", "office"),
    "api-1:receive_webhook": Action("payment", "webhook"),
    "api-1:staff_record_payment": Action("payment", "office"),
}
