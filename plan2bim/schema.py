"""The JSON Schema of the vector model, shipped in the package."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def plan_schema() -> dict[str, Any]:
    return json.loads(resources.files("plan2bim").joinpath("schemas/plan.schema.json").read_text())


def validate_plan(obj: dict[str, Any]) -> None:
    """Raise ``jsonschema.ValidationError`` if ``obj`` is not a valid plan2bim model."""
    import jsonschema

    jsonschema.validate(obj, plan_schema(), cls=jsonschema.Draft202012Validator)
