import pytest

from plan2bim.sheet.scale_text import parse_scale


@pytest.mark.parametrize("text, n", [
    ("SKALA 1 : 100", 100), ("SCALE 1:50", 50), ("1/200", 200), ("Scale: 1:1250 @ A1", 1250),
    ("11:30", None), ("Date 21/100", None), ("GROUND FLOOR PLAN", None),
])
def test_printed_scale_is_read(text, n):
    assert parse_scale(text) == n


def test_a_ratio_without_a_scale_word_needs_one_when_asked():
    assert parse_scale("see 1:100", need_word=True) is None
    assert parse_scale("SKALA 1 : 100", need_word=True) == 100
