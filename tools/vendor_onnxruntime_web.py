"""Refresh the vendored onnxruntime-web files that the browser decoder loads (`make vendor`).

The app serves them itself from static/vendor/onnxruntime-web/ (Streamlit's static file serving), so
it works offline and loads nothing from a CDN; they are committed, and nothing here runs at test or
run time. This script fetches the package with npm (`npm pack`, which checks the registry's
integrity hash), copies the two built files the decoder needs, and writes VENDORED.json: the
version, licence, source tarball and its integrity, and the sha256 and size of every vendored file.

    python tools/vendor_onnxruntime_web.py               # the version in VENDORED.json again
    python tools/vendor_onnxruntime_web.py --version latest
    python tools/vendor_onnxruntime_web.py --check       # only compare the files with VENDORED.json

The files: `ort.wasm.bundle.min.mjs` (the WebAssembly-only build of the JavaScript API, with the
Emscripten loader bundled in) and `ort-wasm-simd-threaded.wasm`. Since 1.19 the package ships only
this threaded build; with `env.wasm.numThreads = 1` it runs on the page's own thread and needs no
cross-origin isolation (no SharedArrayBuffer, no COOP/COEP headers, which Streamlit does not send).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEST = ROOT / "static" / "vendor" / "onnxruntime-web"
MANIFEST = DEST / "VENDORED.json"
PACKAGE = "onnxruntime-web"
FILES = ["ort.wasm.bundle.min.mjs", "ort-wasm-simd-threaded.wasm"]
# The npm package carries no LICENSE file; this is the MIT licence of github.com/microsoft/onnxruntime,
# which the bundle's header names ("Copyright (c) Microsoft Corporation ... Licensed under the MIT License").
LICENSE = """MIT License

Copyright (c) Microsoft Corporation

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
"""


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_manifest() -> dict:
    return json.loads(MANIFEST.read_text())


def check(dest: Path = DEST) -> list[str]:
    """Problems with the vendored files (missing, or not what VENDORED.json records); [] when all match."""
    try:
        manifest = json.loads((dest / "VENDORED.json").read_text())
    except (OSError, ValueError) as e:
        return [f"cannot read {dest / 'VENDORED.json'}: {e}"]
    problems = []
    for name, facts in manifest["files"].items():
        path = dest / name
        if not path.is_file():
            problems.append(f"{name} is missing")
        elif sha256(path) != facts["sha256"]:
            problems.append(f"{name} does not match its sha256 in VENDORED.json")
    return problems


def npm(*args: str, cwd: Path) -> str:
    npm_bin = shutil.which("npm")
    if npm_bin is None:
        sys.exit("npm is needed to refresh the vendored files (not to run or test the app): install Node.js")
    return subprocess.run([npm_bin, *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def vendor(version: str) -> dict:
    """Fetch onnxruntime-web@version with npm and replace the vendored files; the new manifest."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        info = json.loads(npm("view", f"{PACKAGE}@{version}", "version", "license", "dist", "--json", cwd=work))
        if isinstance(info, list):   # a range that matches several versions: the newest
            info = info[-1]
        packed = json.loads(npm("pack", f"{PACKAGE}@{info['version']}", "--json", cwd=work))[0]
        with tarfile.open(work / packed["filename"]) as tar:
            for name in FILES:
                member = tar.getmember(f"package/dist/{name}")
                if not member.isfile():
                    sys.exit(f"{name} in the package is not a plain file")
                with tar.extractfile(member) as src, open(work / name, "wb") as out:
                    shutil.copyfileobj(src, out)
        if info.get("license") != "MIT":
            sys.exit(f"{PACKAGE} {info['version']} is licensed {info.get('license')!r}, not MIT: check before vendoring")
        DEST.mkdir(parents=True, exist_ok=True)
        for name in FILES:
            shutil.copyfile(work / name, DEST / name)
    (DEST / "LICENSE").write_text(LICENSE)
    manifest = {
        "package": PACKAGE, "version": info["version"], "license": info["license"],
        "license_file": "LICENSE", "source": info["dist"]["tarball"], "integrity": info["dist"]["integrity"],
        "refresh": "make vendor  (python tools/vendor_onnxruntime_web.py [--version latest])",
        "files": {name: {"sha256": sha256(DEST / name), "bytes": (DEST / name).stat().st_size,
                         "from": f"package/dist/{name}"} for name in FILES},
    }
    MANIFEST.write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python tools/vendor_onnxruntime_web.py", description=__doc__.split("\n\n")[0])
    p.add_argument("--version", help="an npm version or tag (default: the version in VENDORED.json)")
    p.add_argument("--check", action="store_true", help="only check the vendored files against VENDORED.json")
    a = p.parse_args(argv)
    if a.check:
        problems = check()
        for problem in problems:
            print("problem:", problem)
        print("vendored files match VENDORED.json" if not problems else f"{len(problems)} problem(s)")
        return 1 if problems else 0
    version = a.version or (read_manifest()["version"] if MANIFEST.exists() else "latest")
    before = {n: f["sha256"] for n, f in read_manifest()["files"].items()} if MANIFEST.exists() else {}
    manifest = vendor(version)
    changed = [n for n, f in manifest["files"].items() if before.get(n) != f["sha256"]]
    for name, facts in manifest["files"].items():
        print(f"{name}: {facts['bytes'] / 1e6:.2f} MB sha256 {facts['sha256'][:16]}…")
    print(f"{PACKAGE} {manifest['version']} ({manifest['license']}) in {DEST.relative_to(ROOT)}: "
          + (f"changed {', '.join(changed)}" if changed else "unchanged"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
