"""The rules for what the API accepts (shared.inputs): pure functions, no sandbox."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import BaseModel, Field, ValidationError

from shared import inputs


def test_a_json_body_within_the_limits_parses():
    assert inputs.parse_json_body('{"a": [1, {"b": "[[[[ not brackets"}]}') == {"a": [1, {"b": "[[[[ not brackets"}]}


@pytest.mark.parametrize(
    "text",
    [
        "[" * (inputs.MAX_JSON_DEPTH + 1) + "]" * (inputs.MAX_JSON_DEPTH + 1),
        "[" * 100_000,
        '{"n": ' + "9" * 4301 + "}",
        '{"n": NaN}',
        '{"n": -Infinity}',
        '"' + "x" * inputs.MAX_BODY_BYTES + '"',
        "{not json",
        "",
    ],
    ids=["too-deep", "unclosed-deep", "huge-int", "nan", "infinity", "too-large", "malformed", "empty"],
)
def test_a_body_beyond_the_limits_is_refused(text):
    with pytest.raises(inputs.BodyRefused):
        inputs.parse_json_body(text)


def test_the_depth_counts_brackets_outside_strings_only():
    assert inputs.json_depth_of_text('{"a": "[[[{{{\\"[[", "b": [[1]]}') == 3
    assert inputs.json_depth_of_text("[" * inputs.MAX_JSON_DEPTH + "]" * inputs.MAX_JSON_DEPTH) == inputs.MAX_JSON_DEPTH


@pytest.mark.parametrize("good", ["ord_01jd8x", "tech_w3_1", "lk_co_x.0123abcd", "ord_x-1-2", "A" * 100])
def test_ids_the_platform_makes_fit_the_pattern(good):
    assert inputs.is_valid_id(good)


@pytest.mark.parametrize("bad", ["", "A" * 101, "-x", ".x", "a b", "a/b", "a\x00", "王", "a;b", "a\n"])
def test_anything_else_is_not_an_id(bad):
    assert not inputs.is_valid_id(bad)


def test_the_id_pattern_matches_the_platforms_new_ids():
    from shared import ids

    for prefix in ("ord", "pho", "doc", "tech", "prq"):
        assert inputs.is_valid_id(ids.new_id(prefix))


@pytest.mark.parametrize(
    "raw,kept", [("  灯不亮了 \n", "灯不亮了"), ("第一行\r\n第二行", "第一行\n第二行"), ("a\tb", "a\tb"), ("x", "x")]
)
def test_text_is_stripped_and_kept(raw, kept):
    assert inputs.clean_text(raw) == kept


@pytest.mark.parametrize("raw", ["", "   ", "\n\t ", "a\x00b", "a\x1bb", "abc\u202efdp.exe", "\u2066x", "\x7f"])
def test_blank_text_and_control_or_bidi_characters_are_refused(raw):
    with pytest.raises(ValueError):
        inputs.clean_text(raw)


def test_an_optional_text_may_stay_empty_but_is_cleaned_otherwise():
    assert inputs.clean_optional_text("") == "" and inputs.clean_optional_text("  ") == ""
    assert inputs.clean_optional_text(" son ") == "son"
    with pytest.raises(ValueError):
        inputs.clean_optional_text("a\u202eb")


def test_the_text_type_in_a_model_gives_a_validation_error():
    class Model(BaseModel):
        text: inputs.Text = Field(max_length=5)

    assert Model(text=" ab ").text == "ab"
    for bad in ("   ", "a\x00", "a\u202e"):
        with pytest.raises(ValidationError):
            Model(text=bad)


def test_dates_are_real_and_bounded():
    class Model(BaseModel):
        day: inputs.BoundedDate

    assert Model(day="2030-02-28").day == date(2030, 2, 28)
    for bad in ("2030-02-30", "0001-01-01", "9999-12-31", "1999-12-31", "2100-01-01", "2030-13-01"):
        with pytest.raises(ValidationError):
            Model(day=bad)


@pytest.mark.parametrize(
    "cell,safe",
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+86", "'+86"),
        ("-1+2", "'-1+2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("通苑物业", "通苑物业"),
        ("", ""),
        (-3.5, -3.5),
        (7, 7),
        (None, None),
    ],
)
def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(cell, safe):
    assert inputs.csv_safe(cell) == safe
