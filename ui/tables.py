"""What the stacked table include (ui/includes/table.html) renders: a caption, columns and rows of
cells. A cell is a plain value, a Link, a Tag, or a list of Links. For a table that needs more
(buttons, forms in cells), write the markup by hand as docs/ui.md shows."""

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    label: str
    numeric: bool = False  # right-aligned, tabular figures


@dataclass(frozen=True)
class Link:
    text: str
    href: str


@dataclass(frozen=True)
class Tag:
    """A status in words (ui/includes/status_tag.html); tone: neutral, info, success, warning, error."""

    label: str
    tone: str = "neutral"


@dataclass(frozen=True)
class Table:
    caption: str
    columns: Sequence[Column]
    rows: Sequence[Sequence[object]] = field(default_factory=list)
    empty: str = ""  # shown instead of the table when there are no rows

    def __post_init__(self) -> None:
        for row in self.rows:
            if len(row) != len(self.columns):
                raise ValueError(f"{self.caption}: a row has {len(row)} cells for {len(self.columns)} columns")
