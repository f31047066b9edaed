"""plan2bim: a floor plan drawing in, a BIM model (IFC, glTF, JSON) out."""

__version__ = "0.3.0"
