"""Vector PDFs: the model from the drawing's own lines (paths, text, scale), not from pixels."""
