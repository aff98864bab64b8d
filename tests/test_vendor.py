"""The vendored onnxruntime-web files (static/vendor/, refreshed by `make vendor`) are the ones
VENDORED.json records, under a licence we may ship, and every file the browser decoder loads is there."""
from __future__ import annotations

import json
import re

from tests.conftest import ROOT
from tools import vendor_onnxruntime_web as vendor


def test_vendored_files_match_their_manifest():
    assert vendor.check() == []
    manifest = json.loads(vendor.MANIFEST.read_text())
    assert manifest["package"] == "onnxruntime-web" and manifest["license"] == "MIT"
    assert re.fullmatch(r"\d+\.\d+\.\d+", manifest["version"])
    assert "MIT License" in (vendor.DEST / manifest["license_file"]).read_text()
    assert sorted(manifest["files"]) == sorted(vendor.FILES)


def test_check_notices_a_changed_file(tmp_path):
    for name in ["VENDORED.json", *vendor.FILES]:
        (tmp_path / name).write_bytes((vendor.DEST / name).read_bytes())
    assert vendor.check(tmp_path) == []
    (tmp_path / vendor.FILES[0]).write_bytes(b"// something else\n")
    (tmp_path / vendor.FILES[1]).unlink()
    assert vendor.check(tmp_path) == [f"{vendor.FILES[0]} does not match its sha256 in VENDORED.json",
                                      f"{vendor.FILES[1]} is missing"]


def test_the_decoder_loads_only_vendored_files():
    """What _decoder.js imports and fetches is in the vendored folder, served by the app itself."""
    js = (ROOT / "pages" / "_decoder.js").read_text()
    named = set(re.findall(r'"([\w.-]+\.(?:mjs|wasm))"', js))
    assert named == set(vendor.FILES)
    assert not re.search(r"https?://", js)   # no address elsewhere: nothing from a CDN
    toml = (ROOT / ".streamlit" / "config.toml").read_text()
    assert re.search(r"^enableStaticServing\s*=\s*true", toml, re.MULTILINE)
    assert (ROOT / "tests" / "apps" / "static").resolve() == (ROOT / "static").resolve()
