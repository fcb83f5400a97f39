"""Webhook signatures in Stripe's scheme, which the sandbox provider uses too:
`t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`. The timestamp is signed, so a
captured delivery cannot be made fresh again; freshness is checked against a tolerance."""

import hashlib
import hmac
import re
from collections.abc import Mapping
from datetime import datetime

from payments.errors import InvalidWebhook


def sign(*, secret: str, body: bytes, timestamp: int) -> str:
    """The signature header value for `body` sent at `timestamp`."""
    return f"t={timestamp},v1={_hmac(secret, timestamp, body)}"


def verify(*, header: str, body: bytes, secret: str, now: datetime, tolerance_seconds: int) -> int:
    """Check a signature header made by sign(); returns its timestamp. Raises InvalidWebhook
    for a missing secret, a malformed header, no matching signature (compared in constant
    time), or a timestamp more than `tolerance_seconds` away from `now`."""
    if not secret:
        raise InvalidWebhook("Webhooks for this provider are not configured (no signing secret).")
    timestamp = signed_at(header)
    expected = _hmac(secret, timestamp, body)
    candidates = [value for key, value in _pairs(header) if key == "v1"]
    # Every candidate is compared, so the time taken does not tell which one came close.
    if not sum(hmac.compare_digest(expected, candidate) for candidate in candidates):
        raise InvalidWebhook("The webhook signature does not match.")
    if abs(now.timestamp() - timestamp) > tolerance_seconds:
        raise InvalidWebhook("The webhook's timestamp is outside the tolerance.")
    return timestamp


def signed_at(header: str) -> int:
    """The t= of a "t=...,v1=..." signature header: ASCII digits only (Python's int() and
    isdigit() take other scripts' digits and superscripts too), at most 12 of them."""
    for key, value in _pairs(header):
        if key == "t" and re.fullmatch(r"[0-9]{1,12}", value):
            return int(value)
    raise InvalidWebhook("The signature header has no timestamp.")


def replay_key(*, header: str, body: bytes, secret: str) -> str:
    """What identifies one signed delivery, for the replay check: its timestamp and the one
    signature that is valid for it, written canonically. The raw header would not do: the
    same delivery with another (invalid) v1= appended, or its parts reordered, is the same
    delivery. Call it after the signature was verified."""
    timestamp = signed_at(header)
    return f"t={timestamp},v1={_hmac(secret, timestamp, body)}"


def header_value(headers: Mapping[str, str], name: str) -> str:
    """A header by name, whatever its case (Django's request.headers or a plain dict)."""
    value = headers.get(name)
    if value is None:
        lowered = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == lowered), "")
    if not value:
        raise InvalidWebhook(f"The {name} header is missing.")
    return value


def _hmac(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def _pairs(header: str) -> list[tuple[str, str]]:
    pairs = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        pairs.append((key, value))
    return pairs
