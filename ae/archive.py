"""A checkpoint as one .zip to take away and bring back, and the one reader of zip files from strangers.

    fmnist_dense_z3.zip
        config.json                        the checkpoint's description, byte for byte
        model-<sha256[:12]>.safetensors    its weights, byte for byte
        model_card.en.md, model_card.ko.md what the model is, for people (from the pages' strings)
        encoder.onnx, decoder.onnx         optional: the same networks for use outside the app (EXTRA_MEMBERS)

`zip_members` reads any uploaded zip (a checkpoint here, a dataset in ae.userdata) within byte budgets;
it refuses unsafe names, links, pickles and nested archives before a byte is inflated. `import_zip`
runs ae.checkpoint's own checks on the members in memory, and only then writes: into a hidden
temporary folder, renamed into place. Every refusal is an UploadError whose `code` pages translate.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import stat
import tempfile
import time
import zipfile
import zlib
from pathlib import Path
from typing import Callable, Iterable, Iterator, Mapping

from . import checkpoint
from .checkpoint import CheckpointError, NAME_RE, PICKLE_SUFFIXES, WEIGHTS_RE
from .models import ModelConfig, TooLarge, count_parameters, resolve

MAX_ARCHIVE_BYTES = 100 * 1024 * 1024    # an upload; the largest model within the parameter budget is 40 MB
MAX_INFLATED_BYTES = 256 * 1024 * 1024   # all members together, once inflated
MAX_MEMBERS = 16
MAX_RATIO = 100          # inflated / compressed: images, weights and JSON stay far below, zip bombs far above
RATIO_FLOOR = 1 << 20    # ... counted from 1 MB on: a small blank BMP may well shrink 200 times
CHUNK = 1 << 20
CARD_RE = re.compile(r"^model_card\.[a-z]{2}\.md$")
MAX_CARD_BYTES = 256 * 1024
# Members an export may add beside the checkpoint (the ONNX export writes them); import accepts them and
# does not keep them: the app rebuilds its model from config.json and the safetensors weights alone.
EXTRA_MEMBERS = {"encoder.onnx": 100 * 1024 * 1024, "decoder.onnx": 100 * 1024 * 1024}
ARCHIVE_SUFFIXES = (".zip", ".npz", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".rar", ".zst", ".jar", ".whl")
# Magic numbers of archives and compressed streams. None of them can open a safetensors file (its first
# eight bytes are its header's length: these would claim a header of 500 kB or more), an image or JSON.
ARCHIVE_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08", b"\x1f\x8b\x08", b"BZh", b"\xfd7zXZ\x00",
                 b"7z\xbc\xaf\x27\x1c", b"Rar!\x1a\x07", b"\x28\xb5\x2f\xfd")
FIXED_TIME = (1980, 1, 1, 0, 0, 0)       # exports of the same checkpoint are the same bytes

# Every reason an upload is refused: code -> what it means. Pages show `byo.error.<code>` in the chosen
# language, filled in with the exception's `params`; ae.userdata adds its own codes.
CODES = {
    "empty": "the file is empty",
    "too_large": "the file is larger than the upload limit",
    "not_zip": "the file is not a zip archive, or it is cut short",
    "too_many_members": "the archive holds too many files",
    "unsafe_path": "a name in the archive points outside its folder",
    "duplicate_member": "the archive holds two files with one name",
    "link": "the archive holds a link or a special file",
    "encrypted": "the archive is encrypted",
    "pickle": "the archive holds a pickle, which could run code when opened",
    "nested_archive": "the archive holds another archive",
    "zip_bomb": "a file inflates far beyond its compressed size (a zip bomb?)",
    "member_too_large": "a file in the archive is larger than allowed",
    "broken_member": "a file in the archive is damaged or cut short",
    "compression": "a file is compressed in a way this app does not read (only stored or deflate)",
    "missing_member": "the archive lacks a file a checkpoint needs",
    "unexpected_member": "the archive holds a file a checkpoint does not have",
    "bad_config": "config.json does not describe a model this app can build",
    "model_too_large": "the model is larger than the parameter budget",
    "checksum": "the weights do not match the checksum in config.json",
    "bad_weights": "the weights are not a readable safetensors file of finite numbers",
    "shape": "the weights do not fit the model config.json describes",
    "bad_name": "the name is not a plain folder name",
    "name_taken": "a model with this name exists already",
}


class UploadError(ValueError):
    """An upload that is refused: `code` (a key of CODES) names the reason for translated messages,
    `params` fill them in (e.g. member, limit); the message says it in one English sentence."""

    def __init__(self, code: str, message: str, **params):
        super().__init__(message)
        self.code = code
        self.params = params


# ---------------------------------------------------------------- reading zips from strangers

def _name(info: zipfile.ZipInfo) -> str:
    """The member's name as its maker meant it. Zip tools that do not flag UTF-8 names still often
    write them (macOS), or write the Windows code page (cp949 on Korean Windows); zipfile reads both
    as cp437, which garbles Korean folder names."""
    name = info.filename
    if not info.flag_bits & 0x800 and not name.isascii():
        raw = name.encode("cp437")
        for encoding in ("utf-8", "cp949"):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError:
                pass
    return name


def _unsafe(name: str, orig: str) -> bool:
    """A name that could land outside the folder it is unpacked into, or that hides something."""
    if not name or "\x00" in orig or "\\" in name or name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return True
    if any(ord(c) < 32 for c in name):
        return True
    parts = name[:-1].split("/") if name.endswith("/") else name.split("/")
    return any(p in ("", ".", "..") for p in parts)


def _is_archive(head: bytes) -> bool:
    return head.startswith(ARCHIVE_MAGIC)


def zip_members(data: bytes, select: Callable[[list[str]], Mapping[str, int]], *, max_bytes: int,
                max_inflated: int, max_members: int, max_ratio: float = MAX_RATIO) -> Iterator[tuple[str, bytes]]:
    """(name, bytes) of the members of an uploaded zip that `select` asks for, read within budgets.

    Checked at once, before anything is inflated: the upload's size, the zip's directory, the number of
    members, and every name (no absolute paths, '..', backslashes, drive letters or control characters;
    no links or special files; no encryption; no pickle or archive suffixes). `select` then gets every
    member's name (folders end in '/') and returns the ones to read, each with its byte limit; it raises
    UploadError for a list it refuses. Members are inflated one by one, counting bytes as they come:
    past a member's limit, past `max_inflated` in all, or past `max_ratio` times the compressed size,
    reading stops (headers can lie). A member that is itself an archive is refused by its first bytes.
    """
    if not data:
        raise UploadError("empty", "the file is empty")
    if len(data) > max_bytes:
        limit = f"{max_bytes / (1 << 20):.3g}"
        raise UploadError("too_large", f"the file is larger than {limit} MB", limit=limit)
    # zipfile parses the whole central directory before anyone can count it: count its entries' signatures
    # first (an upper bound: zipfile needs one per entry), so a directory of millions is never parsed.
    count = data.count(b"PK\x01\x02")
    if count > max_members:
        raise UploadError("too_many_members", f"the archive holds about {count} files; the limit is {max_members}",
                          count=count, limit=max_members)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, NotImplementedError) as e:
        raise UploadError("not_zip", f"the file is not a zip archive, or it is cut short ({e})") from None
    if len(infos) > max_members:
        raise UploadError("too_many_members", f"the archive holds {len(infos)} files; the limit is {max_members}",
                          count=len(infos), limit=max_members)
    by_name: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        name = _name(info)
        shown = name.encode("unicode_escape").decode("ascii")[:200]
        if _unsafe(name, info.orig_filename):
            raise UploadError("unsafe_path", f"the archive holds {shown!r}, a name that points outside its folder",
                              member=shown)
        if name in by_name:
            raise UploadError("duplicate_member", f"the archive holds two files named {shown!r}", member=shown)
        kind = stat.S_IFMT(info.external_attr >> 16)
        if kind == stat.S_IFLNK or kind not in (0, stat.S_IFREG, stat.S_IFDIR):
            raise UploadError("link", f"{shown} is a link or a special file, not a plain file", member=shown)
        if info.flag_bits & 0x1:
            raise UploadError("encrypted", f"{shown} is encrypted", member=shown)
        lower = name.lower().rstrip("/")
        if lower.endswith(PICKLE_SUFFIXES) or lower.endswith((".pkl", ".joblib")):
            raise UploadError("pickle", f"{shown} is a pickle file: pickles can run code when opened, "
                              "so they are refused", member=shown)
        if lower.endswith(ARCHIVE_SUFFIXES):
            raise UploadError("nested_archive", f"{shown} is an archive inside the archive", member=shown)
        by_name[name] = info
    wanted = dict(select(list(by_name)))
    declared = 0
    for name in sorted(wanted):   # refuse on the headers' word first; reading counts again
        info = by_name[name]
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            # bzip2 and lzma inflate a whole block per step, unbounded: only deflate can be read in budgets
            raise UploadError("compression", f"{name} is compressed with method {info.compress_type}; only "
                              "stored and deflate files are read", member=name)
        declared += info.file_size
        if info.file_size > wanted[name]:
            raise _too_big(name, info.file_size, info.compress_size, wanted[name], max_ratio)
        if info.file_size > RATIO_FLOOR and info.file_size > max_ratio * max(info.compress_size, 1):
            raise UploadError("zip_bomb", f"{name} inflates more than {max_ratio:g} times (a zip bomb?)", member=name)
        if declared > max_inflated:
            raise _too_big(name, declared, len(data), max_inflated, max_ratio)
    return _inflate(zf, by_name, wanted, max_inflated, max_ratio)


def _too_big(name: str, size: int, compressed: int, limit: int, max_ratio: float) -> UploadError:
    if size > RATIO_FLOOR and size > max_ratio * max(compressed, 1):
        return UploadError("zip_bomb", f"{name} inflates to more than {limit:,} bytes from {compressed:,} "
                           "(a zip bomb?)", member=name)
    return UploadError("member_too_large", f"{name} is larger than {limit:,} bytes", member=name, limit=limit)


def _inflate(zf: zipfile.ZipFile, by_name: dict[str, zipfile.ZipInfo], wanted: dict[str, int],
             max_inflated: int, max_ratio: float) -> Iterator[tuple[str, bytes]]:
    total = 0
    for name in sorted(wanted):
        info, limit = by_name[name], wanted[name]
        out = bytearray()
        try:
            with zf.open(info) as f:
                while True:
                    chunk = f.read(CHUNK)
                    if not chunk:
                        break
                    out += chunk
                    total += len(chunk)
                    if len(out) > limit or total > max_inflated:
                        raise _too_big(name, len(out), info.compress_size, min(limit, max_inflated), max_ratio)
                    if len(out) > RATIO_FLOOR and len(out) > max_ratio * max(info.compress_size, 1):
                        raise UploadError("zip_bomb", f"{name} inflates more than {max_ratio:g} times "
                                          "(a zip bomb?)", member=name)
        except UploadError:
            raise
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError,
                RuntimeError, LookupError) as e:   # CRC, cut-off data, unknown compression, lzma/bz2 errors
            raise UploadError("broken_member", f"{name} is damaged or cut short ({type(e).__name__})",
                              member=name) from None
        if _is_archive(bytes(out[:8])):
            raise UploadError("nested_archive", f"{name} is an archive inside the archive", member=name)
        yield name, bytes(out)


# ---------------------------------------------------------------- the model card

def _number(v, spec: str) -> str:
    return format(v, spec) if isinstance(v, (int, float)) and not isinstance(v, bool) else "?"


def _text(v) -> str:
    return "?" if v is None or v == "" else str(v)


def model_card(meta: Mapping, text: Mapping[str, str], extra: Iterable[str] = ()) -> str:
    """A checkpoint's card in Markdown, from its description and one language's strings table (the
    pages' STRINGS[lang]: keys byo.card.*, kind.*, noise.*); `extra`: the names of further
    files in the zip (the ONNX files). Values from the description are only ever filled into the
    table's templates, never used as templates themselves."""
    model = meta.get("model") if isinstance(meta.get("model"), dict) else {}
    ds = meta.get("dataset") if isinstance(meta.get("dataset"), dict) else {}
    train = meta.get("train") if isinstance(meta.get("train"), dict) else {}
    metrics = meta.get("metrics") if isinstance(meta.get("metrics"), dict) else {}
    test = metrics.get("test") if isinstance(metrics.get("test"), dict) else {}
    kind = _text(model.get("kind"))
    try:
        config = resolve(ModelConfig.from_dict(model))
        hidden, parameters = ", ".join(map(str, config.hidden)), f"{count_parameters(config):,}"
    except (TypeError, ValueError):
        hidden, parameters = _text(model.get("hidden")), "?"
    lines = [text["byo.card.title"].format(name=_text(meta.get("name"))), "", text["byo.card.intro"], "",
             text["byo.card.kind"].format(kind=text.get(f"kind.{kind}", kind)),
             text["byo.card.sizes"].format(latent_dim=_text(model.get("latent_dim")), hidden=hidden,
                                           parameters=parameters),
             text["byo.card.dataset"].format(dataset=_text(ds.get("name")), train_size=_text(ds.get("train_size")),
                                             test_size=_text(ds.get("test_size"))),
             text["byo.card.source"].format(source=_text(ds.get("source")))]
    if ds.get("sha256"):
        lines.append(text["byo.card.data_sha256"].format(sha256=_text(ds["sha256"])))
    if train:
        lines.append(text["byo.card.training"].format(epochs=_text(train.get("epochs")),
                                                      batch_size=_text(train.get("batch_size")),
                                                      lr=_text(train.get("lr"))))
    try:
        noises = checkpoint.noises_of(train)
    except TypeError:   # a description no listing would accept; the card still says what it can
        noises = ()
    if noises:
        lines.append(text["byo.card.denoiser"].format(
            noises=", ".join(text.get(f"noise.{n}", str(n)) for n in noises)))
    if test:
        lines.append(text["byo.card.figures"].format(mse=_number(test.get("mse"), ".4f"),
                                                     psnr=_number(test.get("psnr"), ".2f"),
                                                     ssim=_number(test.get("ssim"), ".3f")))
    else:
        lines.append(text["byo.card.no_figures"])
    lines.append(text["byo.card.saved"].format(saved_at=_text(meta.get("saved_at"))))
    imported = meta.get("imported")
    if isinstance(imported, dict):
        lines.append(text["byo.card.imported"].format(name=_text(imported.get("name")),
                                                      imported_at=_text(imported.get("imported_at"))))
    lines += ["", text["byo.card.lineage"], ""]
    chain, step = [], meta.get("started_from")
    while isinstance(step, dict) and len(chain) < 20:   # a hostile description could nest without end
        chain.append(step)
        step = step.get("started_from")
    lines += [text["byo.card.lineage_intro"], ""] if chain else [text["byo.card.lineage_none"]]
    for i, step in enumerate(chain, 1):
        m = step.get("model") if isinstance(step.get("model"), dict) else {}
        d = step.get("dataset") if isinstance(step.get("dataset"), dict) else {}
        lines.append(text["byo.card.lineage_step"].format(
            step=i, name=_text(step.get("name")), kind=text.get(f"kind.{m.get('kind')}", _text(m.get("kind"))),
            latent_dim=_text(m.get("latent_dim")), dataset=_text(d.get("name")),
            saved_at=_text(step.get("saved_at")), sha256=_text(step.get("weights_sha256"))[:12]))
    lines += ["", text["byo.card.files"], "",
              text["byo.card.file_config"],
              text["byo.card.file_weights"].format(weights=_text(meta.get("weights")),
                                                   sha256=_text(meta.get("weights_sha256")))]
    if extra:
        lines.append(text["byo.card.file_onnx"].format(files=", ".join(f"`{n}`" for n in sorted(extra))))
    lines += ["", text["byo.card.use"], ""]
    return "\n".join(lines)


# ---------------------------------------------------------------- export

def _entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = (stat.S_IFREG | 0o644) << 16
    info.create_system = 3
    return info


def export_zip(folder: str | os.PathLike, texts: Mapping[str, Mapping[str, str]] | None = None,
               extra: Mapping[str, bytes] | None = None) -> bytes:
    """A checkpoint folder as one zip (bytes, ready for a download button).

    texts: language -> that language's strings table (pages pass {lang: STRINGS[lang] for each}); one
    model card per language, model_card.<lang>.md. extra: further members by name, only those of
    EXTRA_MEMBERS (the ONNX export's encoder.onnx and decoder.onnx). The checkpoint is checked as
    loading checks it (checksum, format, shapes): a broken one is not exported (CheckpointError)."""
    folder = Path(folder)
    checkpoint.describe(folder)   # everything listing checks (a model the sidebar shows as broken stays here)
    raw_config = (folder / "config.json").read_bytes()
    meta = checkpoint.parse_meta(raw_config, folder.name)   # the description of exactly these bytes
    if not (folder / meta["weights"]).is_file():
        raise CheckpointError(f"{folder.name}: weights file {meta['weights']} is missing")
    blob = (folder / meta["weights"]).read_bytes()
    checkpoint.model_from_state(meta, checkpoint.weights_from_bytes(blob, meta, folder.name), folder.name)
    for name in extra or {}:
        if name not in EXTRA_MEMBERS:
            raise ValueError(f"{name!r} is not a member an export may add; known: {sorted(EXTRA_MEMBERS)}")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(_entry("config.json"), raw_config)
        zf.writestr(_entry(meta["weights"]), blob)
        for lang, table in sorted((texts or {}).items()):
            card = f"model_card.{lang}.md"
            if not CARD_RE.fullmatch(card):
                raise ValueError(f"{lang!r} is not a two-letter language code")
            zf.writestr(_entry(card), model_card(meta, table, extra or ()).encode("utf-8"))
        for name, payload in sorted((extra or {}).items()):
            zf.writestr(_entry(name), bytes(payload))
    return buf.getvalue()


def export_bundle(folder: str | os.PathLike, texts: Mapping[str, Mapping[str, str]] | None = None,
                  onnx: bool = True) -> bytes:
    """The zip a download offers: export_zip with the encoder and the decoder as ONNX files (ae.export,
    each checked against the library first), where the model's kind has them. A model the exporter
    cannot take is still exported, without ONNX files (its card then names none)."""
    extra: dict[str, bytes] = {}
    if onnx:
        from . import export

        model, _ = checkpoint.load(folder)
        try:
            extra = export.files(model)
        except (export.ExportError, RuntimeError, ValueError, TypeError, ImportError):
            extra = {}   # the checkpoint itself is what a user needs to bring the model back
    return export_zip(folder, texts, extra)


def archive_name(folder: str | os.PathLike) -> str:
    """The file name a download offers: the checkpoint's name with .zip."""
    return f"{Path(folder).name}.zip"


# ---------------------------------------------------------------- import

def _checkpoint_members(names: list[str]) -> dict[str, int]:
    """The members a checkpoint archive must and may hold, with their byte limits; refuses others."""
    weights = [n for n in names if WEIGHTS_RE.fullmatch(n)]
    if "config.json" not in names or len(weights) != 1:
        what = "config.json" if "config.json" not in names else "one model-<hash>.safetensors file"
        raise UploadError("missing_member", f"the archive lacks {what}", member=what)
    wanted = {"config.json": checkpoint.MAX_CONFIG_BYTES, weights[0]: checkpoint.MAX_WEIGHTS_BYTES}
    for n in names:
        if n in wanted:
            continue
        if CARD_RE.fullmatch(n):
            wanted[n] = MAX_CARD_BYTES   # read, so that its size and kind are checked, and not kept
        elif n in EXTRA_MEMBERS:
            wanted[n] = EXTRA_MEMBERS[n]
        else:
            shown = n.encode("unicode_escape").decode("ascii")[:200]
            raise UploadError("unexpected_member", f"the archive holds {shown!r}, which a checkpoint does not have "
                              "(expected config.json, the weights and model cards)", member=shown)
    return wanted


def _looks_like_pickle(blob: bytes) -> bool:
    """Pickle protocol 2-5 opens with PROTO (0x80) and its number; torch.save's zip is caught as an archive."""
    return len(blob) >= 2 and blob[0] == 0x80 and 2 <= blob[1] <= 5


LABEL = "the archive"


def check_zip(data: bytes) -> tuple[dict, dict[str, bytes]]:
    """Every check of an uploaded checkpoint archive, in memory: the zip (see zip_members), its entry
    list, config.json (ae.checkpoint's rules: keys, the model config's ranges and parameter budget, the
    description's types as listing checks them), the weights (checksum, safetensors format, float
    types, finite values, every tensor's name and shape), and the model built from them.
    Returns (meta, members); raises UploadError. Nothing is written."""
    members = dict(zip_members(bytes(data), _checkpoint_members, max_bytes=MAX_ARCHIVE_BYTES,
                               max_inflated=MAX_INFLATED_BYTES, max_members=MAX_MEMBERS))
    try:
        meta = checkpoint.parse_meta(members["config.json"], LABEL)
    except CheckpointError as e:
        # over the budget: the numbers for the message come from the models' own error
        budget = e.__context__ if isinstance(e.__context__, TooLarge) else None
        if budget is not None:
            raise UploadError("model_too_large", str(e), parameters=budget.parameters, limit=budget.limit) from None
        raise UploadError("bad_config", str(e)) from None
    weights = next(n for n in members if WEIGHTS_RE.fullmatch(n))
    if meta["weights"] != weights:
        raise UploadError("missing_member", f"config.json names {meta['weights']}, but the archive holds {weights}",
                          member=meta["weights"])
    try:   # what import writes back must be plain JSON (json.loads lets NaN and Infinity through)
        json.dumps({k: v for k, v in meta.items() if k != "model_config"}, allow_nan=False)
    except (TypeError, ValueError):
        raise UploadError("bad_config", "config.json holds NaN or infinite numbers") from None
    sha = meta.get("weights_sha256")
    if not isinstance(sha, str) or weights != f"model-{sha[:12]}.safetensors":
        raise UploadError("checksum", "config.json lacks the weights' sha256 checksum, or it does not match "
                          "the weights file's name")
    blob = members[weights]
    try:
        state = checkpoint.weights_from_bytes(blob, meta, LABEL)
    except CheckpointError as e:
        # A pickle named like safetensors, its checksum forged to match: say what it really is.
        code = "pickle" if e.code == "bad_weights" and _looks_like_pickle(blob) else e.code
        raise UploadError(code if code in CODES else "bad_weights", str(e), member=weights) from None
    try:
        checkpoint.record(meta, {k: tuple(v.shape) for k, v in state.items()}, Path(LABEL))
        checkpoint.model_from_state(meta, state, LABEL)
    except CheckpointError as e:
        raise UploadError("shape" if e.code == "shape" else "bad_config", str(e)) from None
    return meta, members


def _fresh_names(base: str) -> Iterator[str]:
    yield base
    for i in range(2, 1000):
        yield f"{base[:58]}-{i}"


def import_zip(data: bytes, root: str | os.PathLike, *, name: str | None = None,
               taken: Iterable[str] = ()) -> Path:
    """Check an uploaded checkpoint archive (check_zip) and only then add it to the user models in `root`.

    The new checkpoint never replaces one: a `name` the caller gives (the user chose it) is refused
    when it is taken (name_taken); without one, the archive's own name is used, with "-2", "-3", ...
    appended until it is free. `taken`: further names to avoid, the shipped checkpoints' (so that the
    sidebar never shows one name twice). config.json gets the new name and an "imported" record
    (the archive's sha256, the original name, the time). Written into a hidden temporary folder in
    `root`, then renamed into place: a crash leaves no half checkpoint. Returns the new folder."""
    meta, members = check_zip(data)
    root = Path(root)
    taken = set(taken)
    if name is not None:
        if not isinstance(name, str) or not NAME_RE.fullmatch(name) or ".." in name:
            raise UploadError("bad_name", f"{name!r} is not a plain name: use 1-64 letters, digits, '_', '-' "
                              "or '.', starting with a letter or digit", name=str(name))
        if name in taken or (root / name).exists():
            raise UploadError("name_taken", f"a model named {name!r} exists already; choose another name", name=name)
        candidates: Iterable[str] = [name]
    else:
        own = meta.get("name")
        base = own if isinstance(own, str) and NAME_RE.fullmatch(own) and ".." not in own else "imported"
        candidates = _fresh_names(base)
    weights = meta["weights"]
    meta.pop("model_config")
    meta["imported"] = {"name": meta.get("name"), "archive_sha256": hashlib.sha256(data).hexdigest(),
                        "imported_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=root, prefix=".import-"))   # hidden: listing skips it
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o777 & ~umask)
        checkpoint._write_atomic(tmp / weights, members[weights])
        for candidate in candidates:
            if candidate in taken or (root / candidate).exists():
                continue
            meta["name"] = candidate
            checkpoint._write_atomic(tmp / "config.json", json.dumps(meta, indent=1, allow_nan=False).encode())
            try:
                os.rename(tmp, root / candidate)   # fails if another upload took the name meanwhile
            except OSError:
                continue
            return root / candidate
        raise UploadError("name_taken", "no free name was found for the model; rename or delete some models",
                          name=str(name or meta.get("imported", {}).get("name")))
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


__all__ = ["CODES", "EXTRA_MEMBERS", "MAX_ARCHIVE_BYTES", "UploadError", "archive_name", "check_zip",
           "export_bundle", "export_zip", "import_zip", "model_card", "zip_members"]
