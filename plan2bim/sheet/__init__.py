"""Sheet understanding: frame, title block, text, viewports and their kinds, printed scale."""

from plan2bim.sheet.model import BBox, PageKind, Sheet, TextItem, Viewport

__all__ = ["BBox", "PageKind", "Sheet", "TextItem", "Viewport"]
