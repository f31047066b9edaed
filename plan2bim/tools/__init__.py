"""Tooling around the converter, not on a user's conversion path: the synthetic plan generator
(``synth``), training of the shipped model (``train``), scoring against ground truth
(``evaluate``) and the speed and memory benchmark (``bench``)."""
