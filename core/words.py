"""Counting in words for the messages services write: "1 place", "3 places", never "3 place(s)"."""


def counted(n: int, one: str, many: str) -> str:
    """`n` and the noun that agrees with it: counted(1, "place", "places") -> "1 place"."""
    return f"{n} {one if n == 1 else many}"
