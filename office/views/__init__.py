"""The office's pages, one module per area (households, holds, pending, money, rosters...);
each view wears office.access.staff_page and only parses, calls a domain service or selector,
and renders (STYLE 2.5)."""
