"""The API routes whose answers are counted (monitoring.counters), by URL name: what they do
and from which channel. An API route that adds to a cart, checks out or records a payment
belongs here (the pages count their own answers: monitoring.counters); monitoring/tests check
that every name still resolves."""

from typing import NamedTuple


class Action(NamedTuple):
    action: str  # add, checkout, payment
    channel: str  # api, office, webhook
    # Whether a 2xx answer is one success. Not for a webhook: it is answered 200 whether it
    # paid, declined or repeated an event, so the route counts its payments itself.
    success_counted: bool = True


COUNTED: dict[str, Action] = {
    "api-1:add_item": Action("add", "api"),
    "api-1:add_rental": Action("add", "api"),
    "api-1:office_add": Action("add", "office"),
    "api-1:office_add_rental": Action("add", "office"),
    # Its 200 may hold many seats and turn members away ("fit"): the route counts both; its
    # 4xx refusals are counted here.
    "api-1:enroll_group": Action("add", "office", success_counted=False),
    "api-1:submit_checkout": Action("checkout", "api"),
    "api-1:office_checkout": Action("checkout", "office"),
    "api-1:receive_webhook": Action("payment", "webhook", success_counted=False),
    "api-1:staff_record_payment": Action("payment", "office"),
    "api-1:desk_payment": Action("payment", "office"),
}
