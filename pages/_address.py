"""A page's settings as text in the address bar, and back: pure functions (no Streamlit), so the
round trip is tested on its own and a hand-made address can never break a page.

A setting's type comes from its default: a bool is "1"/"0", a whole number stays whole, a float is
written with up to 6 significant digits, anything else (a name, a choice; None defaults) is text.
Only settings that differ from their defaults go into the address, which keeps links short.
Whether a value is allowed (one of a widget's options, inside its range) is for the page's widget
to say: `valid` checks it when the page gives the options or the range.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

MAX_TEXT = 100          # longer texts in an address are not settings anyone made by clicking
TRUE, FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def encode(value) -> str:
    """A setting's value as address text."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return format(value, ".6g")
    return str(value)


def decode(text: str, default):
    """Address text as a value of the default's type; ValueError when it is not one."""
    if not isinstance(text, str) or len(text) > MAX_TEXT:
        raise ValueError("not a short text")
    if isinstance(default, bool):
        if text.lower() in TRUE:
            return True
        if text.lower() in FALSE:
            return False
        raise ValueError(f"{text!r} is not yes or no")
    if isinstance(default, int):
        return int(text.strip())          # "1.5" and "1e3" are refused: a whole number is expected
    if isinstance(default, float):
        value = float(text)
        if not math.isfinite(value):
            raise ValueError(f"{text!r} is not a finite number")
        return value
    if not text or not text.isprintable():
        raise ValueError("empty or unprintable text")
    return text


def same(value, default) -> bool:
    """Whether a value is its default (floats as the address writes them: 0.30000000000000004 is 0.3)."""
    if isinstance(value, float) and isinstance(default, (int, float)) and not isinstance(default, bool):
        return encode(value) == encode(float(default))
    return value == default


def valid(value, options: Sequence | None = None, bounds: tuple | None = None) -> bool:
    """Whether a widget can show `value`: one of its options, or inside its (low, high) range."""
    if options is not None and value not in list(options):
        return False
    if bounds is not None:
        low, high = bounds
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
            return False
    return True


def to_address(values: Mapping, defaults: Mapping, names: Iterable[str]) -> dict[str, str]:
    """The address entries of the settings `names`: those that differ from their defaults."""
    return {n: encode(values[n]) for n in names if not same(values[n], defaults[n])}


def from_address(params: Mapping[str, str], defaults: Mapping, names: Iterable[str]) -> dict:
    """The settings `names` an address gives, decoded; entries that do not decode are left out."""
    out = {}
    for n in names:
        if n in params:
            try:
                out[n] = decode(params[n], defaults[n])
            except (ValueError, TypeError):
                pass
    return out
