"""Any office list as CSV (issue 14): the same `ui.tables.Table` the page shows, so the export
and the page can never list different things."""

import csv

from django.http import HttpResponse

from ui.tables import Link, Table, Tag


def cell_text(cell: object) -> str:
    if isinstance(cell, Link):
        return cell.text
    if isinstance(cell, Tag):
        return cell.label
    if isinstance(cell, list | tuple):
        return "; ".join(cell_text(c) for c in cell)
    return "" if cell is None else str(cell)


def csv_response(table: Table, filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow([column.label for column in table.columns])
    for row in table.rows:
        writer.writerow([_safe(cell_text(cell)) for cell in row])
    return response


def _safe(text: str) -> str:
    """A cell a spreadsheet would run as a formula is written as text (CSV injection)."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") and not _is_number(text) else text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
