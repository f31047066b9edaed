"""One small exception hierarchy: the library raises these, the CLI maps them to messages and exit codes."""

from __future__ import annotations


class Plan2BimError(Exception):
    """Root of every error plan2bim raises on purpose."""

    exit_code = 2


class InputError(Plan2BimError, ValueError):
    """The input file cannot be used: unreadable, truncated, empty, unknown format."""


class UnsupportedFormatError(InputError):
    """The file is not one of the formats plan2bim reads."""


class ImageTooLargeError(InputError):
    """The image is larger than the configured pixel limit (a decompression bomb guard)."""


class NoPlanError(Plan2BimError):
    """The input was read, but no floor plan (no wall) was found in it."""


class ExportError(Plan2BimError, OSError):
    """Writing an output failed."""


class ModelUnavailableError(Plan2BimError, RuntimeError):
    """A detector's weights or runtime are missing."""
