"""The API's request parser: ninja's, plus the refusal of text no field of ours means to hold.

A NUL or another control character (tab, line feed and carriage return aside) in any string
of a JSON body or of the query string is refused with 400 `invalid_text` naming the field,
before validation and before any database sees it (PostgreSQL cannot store a NUL)."""

import json
from typing import Any

from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from ninja.errors import HttpError
from ninja.parser import Parser

from core.errors import InvalidText, control_character_in


def refuse_control_characters(value: Any, where: str = "") -> None:
    """Raise InvalidText naming the first field (dotted path) whose text holds a control character."""
    if isinstance(value, str):
        if control_character_in(value):
            field = where or "body"
            raise InvalidText(f"{field}: text may not contain control characters.", field=field)
    elif isinstance(value, dict):
        for key, item in value.items():
            refuse_control_characters(str(key), where or "body")
            refuse_control_characters(item, f"{where}.{key}" if where else str(key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            refuse_control_characters(item, f"{where}[{i}]")


def parse_json(body: bytes) -> Any:
    try:
        data = json.loads(body or b"null")
    except (ValueError, UnicodeDecodeError):
        raise HttpError(400, "The request body is not valid JSON.") from None
    refuse_control_characters(data)
    return data


class CheckedParser(Parser):
    def parse_body(self, request: HttpRequest) -> Any:
        return parse_json(request.body)

    def parse_querydict(self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest) -> Any:
        result = super().parse_querydict(data, list_fields, request)
        refuse_control_characters(result)
        return result
