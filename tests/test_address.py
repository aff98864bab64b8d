"""pages/_address.py: a page's settings as address text and back, and what a hand-made address cannot do."""
from __future__ import annotations

import pytest

from pages._address import decode, encode, from_address, same, to_address, valid

DEFAULTS = {"kind": "gaussian", "level.gaussian": 0.3, "n": 12, "thumbs": False, "method": None, "dims": 2}


@pytest.mark.parametrize("value, default", [
    (True, False), (False, True), (0, 12), (16, 12), (-3, 0), (0.55, 0.3), (1e-5, 0.3), (30.0, 30.0),
    ("mask", "gaussian"), ("tsne_sklearn", None), ("잡음", "x")])
def test_round_trip(value, default):
    text = encode(value)
    assert isinstance(text, str) and len(text) < 20
    back = decode(text, default)
    assert back == value and type(back) is type(value if default is None else default)


def test_floats_are_written_short_and_compared_as_written():
    assert encode(0.1 + 0.2) == "0.3" and encode(0.05 * 7) == "0.35"
    assert same(0.1 + 0.2, 0.3) and not same(0.31, 0.3) and same(12, 12) and not same(True, False)


@pytest.mark.parametrize("text, default", [
    ("maybe", False), ("1.5", 3), ("1e3", 3), ("", 3), ("nan", 0.3), ("inf", 0.3), ("-inf", 0.3), ("x", 0.3),
    ("", "gaussian"), ("a\nb", "gaussian"), ("x" * 500, "gaussian"), ("9" * 500, 3)])
def test_what_does_not_decode(text, default):
    with pytest.raises(ValueError):
        decode(text, default)


def test_a_view_goes_into_the_address_and_comes_back():
    view = {**DEFAULTS, "kind": "mask", "level.gaussian": 0.45, "thumbs": True, "method": "pca"}
    address = to_address(view, DEFAULTS, DEFAULTS)
    assert address == {"kind": "mask", "level.gaussian": "0.45", "thumbs": "1", "method": "pca"}   # defaults left out
    assert {**DEFAULTS, **from_address(address, DEFAULTS, DEFAULTS)} == view
    assert to_address(DEFAULTS, DEFAULTS, DEFAULTS) == {}


def test_a_hand_made_address_gives_only_what_decodes():
    got = from_address({"kind": "mask", "n": "lots", "thumbs": "yes", "level.gaussian": "nan", "other": "1",
                        "dims": "3"}, DEFAULTS, ["kind", "n", "thumbs", "level.gaussian", "dims"])
    assert got == {"kind": "mask", "thumbs": True, "dims": 3}


def test_valid_checks_a_widgets_options_and_range():
    assert valid("mask", options=["gaussian", "mask"]) and not valid("speckle", options=["gaussian", "mask"])
    assert valid(0.5, bounds=(0.0, 1.0)) and not valid(1.5, bounds=(0.0, 1.0)) and not valid(-1, bounds=(0, 9))
    assert not valid("0.5", bounds=(0.0, 1.0)) and not valid(True, bounds=(0, 9)) and valid(3)
