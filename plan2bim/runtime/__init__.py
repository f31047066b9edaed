"""How conversions run: finding input files, temporary files plan2bim owns, cancellation, and
the pool of worker processes that batch and bench share."""
