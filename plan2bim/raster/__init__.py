"""The raster route: a page known only by its pixels (a scan, a photo, a rasterised PDF page).

``preprocess`` (grey, inversion, deskew, ink) -> ``detect`` (walls, doors, windows: classical,
learned, hybrid) -> ``vectorize`` (wall bars, joins, openings hosted, rooms), giving the same
``PlanGraph`` that the vector route (``plan2bim.vector``) reads from a CAD PDF's own lines.
"""
