"""Every input an API operation accepts, read from the OpenAPI schema: the tests of issue 15
item 4 walk them to show that each integer is bounded and each date, instant and time goes
through its validator."""

from collections.abc import Callable, Iterator

from api.root import api


def schema_inputs(wanted: Callable[[dict], bool]) -> Iterator[tuple[str, dict]]:
    """Yield ("METHOD path where", schema) for every part of every operation's parameters and
    request body that `wanted` picks, following $refs, anyOf/oneOf/allOf, properties and items."""
    schema = api.get_openapi_schema()
    components = schema["components"]["schemas"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            inputs = [(f"{p['in']} {p['name']}", p["schema"]) for p in operation.get("parameters", [])]
            for content in operation.get("requestBody", {}).get("content", {}).values():
                inputs.append(("body", content["schema"]))
            for where, sub in inputs:
                for found, value in _walk(sub, components, where, wanted):
                    yield f"{method.upper()} {path} {found}", value


def _walk(schema: dict, components: dict, where: str, wanted: Callable[[dict], bool], seen: tuple = ()) -> Iterator:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name not in seen:
            yield from _walk(components[name], components, f"{where}<{name}>", wanted, (*seen, name))
        return
    if wanted(schema):
        yield where, schema
    for key in ("anyOf", "oneOf", "allOf"):
        for i, sub in enumerate(schema.get(key, [])):
            yield from _walk(sub, components, f"{where}|{i}", wanted, seen)
    for name, sub in schema.get("properties", {}).items():
        yield from _walk(sub, components, f"{where}.{name}", wanted, seen)
    if isinstance(schema.get("items"), dict):
        yield from _walk(schema["items"], components, f"{where}[]", wanted, seen)
