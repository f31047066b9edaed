"""Recognition settings: all in Config, printed as TOML, overridden from a file, in the cache key."""

from __future__ import annotations

import ast
import tomllib
from dataclasses import fields, replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from plan2bim.batch.manifest import config_key
from plan2bim.cli import app
from plan2bim.config import STAGE_SETTINGS, Config, load_settings, settings_toml, with_settings
from plan2bim.errors import Plan2BimError

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
RECOGNITION = ["raster/preprocess.py", "raster/segments.py", "raster/vectorize.py", "scale.py",
               "raster/detect/classical.py", "raster/detect/hybrid.py", "raster/detect/learned.py"]


def test_show_prints_every_setting_as_toml_that_reads_back_to_the_defaults(tmp_path) -> None:
    res = CliRunner().invoke(app, ["settings", "--show"])
    assert res.exit_code == 0, res.output
    data = tomllib.loads(res.stdout)
    assert list(data) == list(STAGE_SETTINGS)
    for table in STAGE_SETTINGS:
        assert set(data[table]) == {f.name for f in fields(getattr(Config(), table))}
    path = tmp_path / "all.toml"
    path.write_text(res.stdout)
    assert load_settings(path) == Config()
    # every value is documented: its docstring is printed above it as a comment
    lines = res.stdout.splitlines()
    for i, line in enumerate(lines):
        if " = " in line and not line.startswith("#"):
            assert lines[i - 1].startswith("# "), line


def test_check_reads_a_file_and_prints_no_settings(tmp_path) -> None:
    good, bad = tmp_path / "good.toml", tmp_path / "bad.toml"
    good.write_text("[scale]\ndoor_width_m = 0.8\n")
    bad.write_text("[scale]\ndoor_width = 0.8\n")
    res = CliRunner().invoke(app, ["settings", "--check", "--settings", str(good)])
    assert res.exit_code == 0 and "settings OK" in res.output and "[scale]" not in res.output
    res = CliRunner().invoke(app, ["settings", "--settings", str(good)])
    assert res.exit_code == 0 and "door_width_m = 0.8\n" in res.output
    res = CliRunner().invoke(app, ["settings", "--check", "--settings", str(bad)])
    assert res.exit_code == 2 and "unknown setting scale.door_width" in res.output


def test_a_file_overrides_only_what_it_names(tmp_path) -> None:
    path = tmp_path / "s.toml"
    path.write_text("[hybrid]\nagree_px = 7\nsure_alone_confidence = 1\n[vectorize]\nmax_bridge_m = 1.2\n")
    c = load_settings(path)
    assert c.hybrid.agree_px == 7 and c.hybrid.sure_alone_confidence == 1.0
    assert isinstance(c.hybrid.sure_alone_confidence, float)
    assert c.vectorize.max_bridge_m == 1.2
    assert c.hybrid.oblique_min_deg == Config().hybrid.oblique_min_deg
    assert c.classical == Config().classical and c.wall_height == Config().wall_height


@pytest.mark.parametrize("text, message", [
    ("[hybrid]\nagree_pixels = 7\n", "unknown setting hybrid.agree_pixels"),
    ("[hybrd]\nagree_px = 7\n", "unknown settings table [hybrd]"),
    ("wall_height = 3.0\n", "command-line option"),
    ("[hybrid]\nagree_px = 7.5\n", "hybrid.agree_px: expected int"),
    ("[hybrid]\nadd_gap_kinds = 'window'\n", "expected tuple"),
    ("[hybrid\n", "not a valid TOML file"),
])
def test_bad_settings_files_are_clear_errors(tmp_path, text: str, message: str) -> None:
    path = tmp_path / "s.toml"
    path.write_text(text)
    with pytest.raises(Plan2BimError, match=message.replace("[", r"\[")):
        load_settings(path)


def test_every_command_takes_settings_and_refuses_unknown_keys(tmp_path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[vectorize]\nmax_bridge = 2\n")
    for cmd in (["convert", str(FIXTURES / "flat.png"), "-o", str(tmp_path / "o")],
                ["batch", str(FIXTURES / "flat.png"), "-o", str(tmp_path / "b")],
                ["eval", str(tmp_path)], ["bench", str(tmp_path)]):
        res = CliRunner().invoke(app, [*cmd, "--settings", str(bad)])
        assert res.exit_code == 2, (cmd, res.output)
        assert "unknown setting vectorize.max_bridge" in res.output, cmd
    assert not (tmp_path / "o").exists()


def test_convert_uses_the_settings_file(tmp_path) -> None:
    # Doors taken as 1.5 m wide: the estimated scale halves (flat.png is drawn at 50 px/m).
    s = tmp_path / "s.toml"
    s.write_text("[scale]\ndoor_width_m = 1.5\n")
    res = CliRunner().invoke(app, ["convert", str(FIXTURES / "flat.png"), "-o", str(tmp_path / "o"),
                                   "--formats", "json", "--settings", str(s)])
    assert res.exit_code == 0, res.output
    assert "scale 2" in res.output and "taken as 1.5 m" in res.output


def test_the_batch_cache_key_covers_every_setting() -> None:
    base = config_key(Config())
    for table in STAGE_SETTINGS:
        stage = getattr(Config(), table)
        for f in fields(stage):
            v = getattr(stage, f.name)
            changed = (not v) if isinstance(v, bool) else ((*v, "door") if isinstance(v, tuple) else v + 1)
            key = config_key(replace(Config(), **{table: replace(stage, **{f.name: changed})}))
            assert key != base, f"{table}.{f.name}"


def test_with_settings_is_pure() -> None:
    c = Config()
    d = with_settings(c, {"learned": {"max_side_px": 800}})
    assert c.learned.max_side_px == 1200 and d.learned.max_side_px == 800
    assert "max_side_px = 800" in settings_toml(d)


@pytest.mark.parametrize("module", RECOGNITION)
def test_no_module_level_tuning_constants_in_recognition(module: str) -> None:
    """Tuned numbers live in plan2bim/settings.py, not as module constants of a stage."""
    tree = ast.parse((ROOT / "plan2bim" / module).read_text())
    allowed = {"STRIDE"}  # the network's architecture (its downsampling), not a tuned value
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else (
            [node.target] if isinstance(node, ast.AnnAssign) else [])
        value = getattr(node, "value", None)
        numbers = [n for n in ast.walk(value) if isinstance(n, ast.Constant)
                   and isinstance(n.value, int | float) and not isinstance(n.value, bool)] if value else []
        names = [t.id for t in targets if isinstance(t, ast.Name)]
        assert not numbers or set(names) <= allowed, f"{module}: {names} = {ast.unparse(value)}"
