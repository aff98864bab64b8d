"""The one strings table of the app: Korean and English text for every page.

Each page keeps its section in its own module here (EN and KO dicts with the same keys, prefixed
by the page's name); this package merges them into STRINGS and refuses duplicates.
"""
from __future__ import annotations

from importlib import import_module

SECTIONS = ["common", "home", "train", "latent", "denoise", "generate", "anomaly", "compress", "byo", "decoder", "library"]
LANGUAGES = {"ko": "한국어", "en": "English"}

STRINGS: dict[str, dict[str, str]] = {"en": {}, "ko": {}}
for _name in SECTIONS:
    try:
        _mod = import_module(f"{__name__}.{_name}")
    except ModuleNotFoundError:   # a page's section lands with that page
        continue
    for _lang, _table in (("en", _mod.EN), ("ko", _mod.KO)):
        _dup = set(_table) & set(STRINGS[_lang])
        if _dup:
            raise KeyError(f"string keys defined twice: {sorted(_dup)}")
        STRINGS[_lang].update(_table)
