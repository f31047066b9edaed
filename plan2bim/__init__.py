"""plan2bim: a floor plan drawing in, a BIM model (IFC, glTF, JSON) out."""

__version__ = "0.1.0"
