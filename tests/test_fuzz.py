"""Property-based fuzzing of the loaders and of the CLI options (hypothesis, bounded examples).

Random bytes, truncated and mutated real files, random option values: the loaders either give
valid pages or raise :class:`InputError`; the CLI answers with exit 0 and valid outputs, or one
``error:`` line and exit 2, never a traceback.
"""

from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from typer.testing import CliRunner

from plan2bim.cli import app
from plan2bim.cli.options import parse_drawing_scale, parse_formats, parse_pages, scale_fields
from plan2bim.config import Config
from plan2bim.errors import InputError, Plan2BimError
from plan2bim.load import MIN_SIDE_PX, iter_pages

F = Path(__file__).resolve().parents[1] / "fixtures"
FUZZ = settings(max_examples=60, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def _tiff() -> bytes:
    buf = io.BytesIO()
    im = Image.open(F / "flat.png").convert("L").resize((290, 215))
    im.save(buf, format="TIFF", save_all=True, append_images=[im.rotate(90, expand=True)])
    return buf.getvalue()


SEEDS = {
    "png": (F / "flat.png").read_bytes(),
    "jpeg": (F / "flat_skewed.jpg").read_bytes(),
    "pdf": (F / "two_storeys.pdf").read_bytes(),
    "tiff": _tiff(),
}
MAGIC = [b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*", b"BM", b"%PDF-1.4\n", b""]


def _check_loads(data: bytes, config: Config = Config(max_pages=3, detect_max_pixels=300_000)) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "f.bin"
        path.write_bytes(data)
        try:
            for page in iter_pages(path, config):
                im = page.image
                assert im.dtype == np.uint8 and im.ndim == 3 and im.shape[2] == 3
                assert min(im.shape[:2]) >= 1 and im.shape[0] * im.shape[1] <= config.max_pixels
                assert page.input_size is not None or min(im.shape[:2]) >= MIN_SIDE_PX
        except InputError as e:
            assert str(e).startswith(str(path)) and "\n" not in str(e)


@FUZZ
@given(st.sampled_from(MAGIC), st.binary(max_size=2048))
def test_random_bytes_load_or_say_why(magic, body):
    _check_loads(magic + body)


@FUZZ
@given(st.sampled_from(sorted(SEEDS)), st.data())
def test_truncated_and_mutated_files_load_or_say_why(kind, data):
    blob = bytearray(SEEDS[kind])
    cut = data.draw(st.integers(16, len(blob)), label="cut")
    blob = blob[:cut]
    for _ in range(data.draw(st.integers(0, 6), label="mutations")):
        i = data.draw(st.integers(0, len(blob) - 1), label="at")
        blob[i] = data.draw(st.integers(0, 255), label="byte")
    _check_loads(bytes(blob))


_TEXT = st.text(alphabet=st.sampled_from("0123456789:,-. abcxyz/einfINFNaN"), max_size=10)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True)),
       st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True)),
       st.one_of(st.none(), _TEXT), st.one_of(st.none(), _TEXT), _TEXT)
def test_option_parsers_accept_or_say_why(scale, dpi, drawing_scale, pages, formats):
    for call in (lambda: scale_fields(scale, dpi, drawing_scale), lambda: parse_pages(pages),
                 lambda: parse_drawing_scale(drawing_scale), lambda: parse_formats(formats)):
        try:
            value = call()
        except Plan2BimError as e:
            assert "\n" not in str(e) and str(e).startswith("--")
            continue
        if isinstance(value, dict):  # the scale fields make a valid Config
            Config(**value)
            assert value["px_per_m"] is None or 0 < value["px_per_m"] < float("inf")


_OPTIONS = st.lists(st.sampled_from([
    ("--scale", st.sampled_from(["inf", "-1", "0", "nan", "1e9", "0.001", "50", "x"])),
    ("--dpi", st.sampled_from(["300", "0", "1e30", "nan", "-5", "x"])),
    ("--drawing-scale", st.sampled_from(["1:100", "1:0", "100", "x", ""])),
    ("--pages", st.sampled_from(["1", "2", "0", "1-", "3-1", "x", ""])),
    ("--formats", st.sampled_from(["json", "", "dwg", "json,json", ",,"])),
    ("--wall-height", st.sampled_from(["2.7", "0", "100", "nan", "x"])),
    ("--max-pages", st.sampled_from(["1", "0", "-1", "x"])),
]), max_size=3, unique_by=lambda o: o[0])


@FUZZ
@given(_OPTIONS, st.data(), st.sampled_from(["convert", "batch"]))
def test_cli_options_never_give_a_traceback(tmp_path, options, data, command):
    """On an input that is not a plan (convert) or does not exist (batch), so that no example
    pays for a conversion: every option combination ends in one ``error:`` line and exit 2."""
    (tmp_path / "notes.txt").write_text("not a plan\n")
    src = tmp_path / ("notes.txt" if command == "convert" else "missing.png")
    args = [command, str(src), "-o", str(tmp_path / "out")]
    for name, values in options:
        args += [name, data.draw(values, label=name)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, (args, result.output)
    assert isinstance(result.exception, SystemExit), (args, result.exception)
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert lines and lines[-1].startswith("error:"), (args, result.output)
    assert len(lines) == 1 or (command == "batch" and "WARNING" in lines[0]), (args, result.output)


@pytest.mark.parametrize("args", [["--scale", "80"], ["--pages", "2", "--dpi", "100"], []])
def test_valid_options_give_valid_outputs(tmp_path, args):
    """Exit 0 only with outputs that are whole: the JSON parses and has walls."""
    src = F / ("two_storeys.pdf" if "--pages" in args else "flat.png")
    result = CliRunner().invoke(app, ["convert", str(src), "-o", str(tmp_path), "--formats",
                                      "json", *args])
    assert result.exit_code == 0, result.output
    doc = json.loads(next(tmp_path.glob("*.json")).read_text())
    assert doc["storeys"] and all(s["walls"] for s in doc["storeys"])
