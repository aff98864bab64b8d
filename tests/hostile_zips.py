"""Hostile zip files for the upload tests (test_archive, test_userdata): a byte-level zip writer that can
lie (sizes, names, file types, flags), and a corpus of attacks on any good archive.

zipfile refuses to write most of these, so `raw_zip` writes the format itself: local headers, data,
central directory, end record (APPNOTE 4.3).
"""
from __future__ import annotations

import os
import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Entry:
    name: str | bytes
    data: bytes = b""
    method: int = zipfile.ZIP_DEFLATED
    raw: bytes | None = None          # the stored (compressed) bytes; default: `data` compressed by `method`
    size: int | None = None           # declared inflated size; default len(data)
    crc: int | None = None            # default: crc32 of data
    mode: int = stat.S_IFREG | 0o644  # Unix file type and permissions (external attributes)
    flags: int = 0x800                # 0x800: the name is UTF-8; 0x1: encrypted


def _compress(data: bytes, method: int) -> bytes:
    if method == zipfile.ZIP_STORED:
        return data
    if method == zipfile.ZIP_DEFLATED:
        c = zlib.compressobj(6, zlib.DEFLATED, -15)
        return c.compress(data) + c.flush()
    if method == zipfile.ZIP_BZIP2:
        import bz2
        return bz2.compress(data)
    raise ValueError(method)


def raw_zip(entries: list[Entry]) -> bytes:
    out, central = bytearray(), bytearray()
    for e in entries:
        name = e.name.encode("utf-8") if isinstance(e.name, str) else e.name
        raw = e.raw if e.raw is not None else _compress(e.data, e.method)
        size = len(e.data) if e.size is None else e.size
        crc = zlib.crc32(e.data) if e.crc is None else e.crc
        offset = len(out)
        out += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, e.flags, e.method, 0, 0x21, crc, len(raw), size,
                           len(name), 0) + name + raw
        central += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", (3 << 8) | 20, 20, e.flags, e.method, 0, 0x21, crc,
                               len(raw), size, len(name), 0, 0, 0, 0, (e.mode & 0xFFFF) << 16, offset) + name
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(central), len(out), 0)
    return bytes(out + central + end)


def zeros_deflated(n_mb: int) -> bytes:
    """Raw deflate data that inflates to n_mb MiB of zeros, made in milliseconds: after a full flush
    the compressor starts afresh, so one flushed megabyte repeats byte for byte."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = c.compress(bytes(1 << 20)) + c.flush(zlib.Z_FULL_FLUSH)
    return chunk * n_mb + zlib.compressobj(9, zlib.DEFLATED, -15).flush()


def bomb(name: str, n_mb: int = 1024) -> Entry:
    """A member that honestly says it inflates to n_mb MiB (the CRC is never reached)."""
    return Entry(name, raw=zeros_deflated(n_mb), size=n_mb << 20, crc=0)


def inner_zip() -> bytes:
    return raw_zip([Entry("a.txt", b"hello")])


def corpus(good: dict[str, bytes], victim: str, marker: Path) -> list[tuple[str, bytes, str]]:
    """(id, zip bytes, expected code) of attacks on an archive whose members are `good`; `victim` is a
    member the reader is asked to read (so that its content is inspected), `marker` a file that a
    pickle here would create if anyone unpickled it."""
    import pickle

    class Payload:
        def __reduce__(self):
            return (os.system, (f"touch '{marker}'",))

    base = [Entry(n, d) for n, d in good.items()]
    others = [e for e in base if e.name != victim]
    pickled = pickle.dumps({"state_dict": Payload()})
    cases = [
        ("bomb", others + [bomb(victim)], "zip_bomb"),
        ("bomb_under_the_limit_far_over_the_ratio", others + [bomb(victim, 3)], "zip_bomb"),
        ("dot_dot", base + [Entry("../evil.txt", b"x")], "unsafe_path"),
        ("dot_dot_deep", base + [Entry("a/../../evil.txt", b"x")], "unsafe_path"),
        ("absolute", base + [Entry("/tmp/evil.txt", b"x")], "unsafe_path"),
        ("backslash", base + [Entry("..\\evil.txt", b"x")], "unsafe_path"),
        ("drive_letter", base + [Entry("C:/evil.txt", b"x")], "unsafe_path"),
        ("nul_in_name", base + [Entry(b"evil\x00.txt", b"x")], "unsafe_path"),
        ("control_character", base + [Entry("evil\n.txt", b"x")], "unsafe_path"),
        ("symlink", base + [Entry("link", b"/etc/passwd", mode=stat.S_IFLNK | 0o777)], "link"),
        ("symlink_as_victim", others + [Entry(victim, b"../../../etc/passwd", mode=stat.S_IFLNK | 0o777)], "link"),
        ("fifo", base + [Entry("pipe", b"", mode=stat.S_IFIFO | 0o644)], "link"),
        ("pickle_pt", base + [Entry("model.pt", pickled)], "pickle"),
        ("pickle_pkl", base + [Entry("sub/data.pkl", pickled)], "pickle"),
        ("nested_zip_by_name", base + [Entry("inner.zip", inner_zip())], "nested_archive"),
        ("nested_tar_gz_by_name", base + [Entry("inner.tar.gz", b"x")], "nested_archive"),
        ("nested_zip_by_content", others + [Entry(victim, inner_zip())], "nested_archive"),
        ("encrypted", others + [Entry(victim, good[victim], flags=0x801)], "encrypted"),
        ("bzip2", others + [Entry(victim, good[victim], method=zipfile.ZIP_BZIP2)], "compression"),
        ("duplicate", base + [Entry(victim, good[victim])], "duplicate_member"),
        ("lying_size", others + [Entry(victim, good[victim] * 50 + bytes(1 << 20), size=len(good[victim]))],
         "broken_member"),
        ("bad_crc", others + [Entry(victim, good[victim], crc=zlib.crc32(good[victim]) ^ 1)], "broken_member"),
        ("cut_data", others + [Entry(victim, good[victim], raw=_compress(good[victim], 8)[:-9])], "broken_member"),
    ]
    out = [(i, raw_zip(entries), code) for i, entries, code in cases]
    whole = raw_zip(base)
    out += [("truncated_half", whole[: len(whole) // 2], "not_zip"), ("truncated_end", whole[:-3], "not_zip"),
            ("not_a_zip", b"%PDF-1.4 not a zip at all" * 10, "not_zip"), ("empty", b"", "empty")]
    return out


def tree(folder: Path) -> dict[str, bytes | None]:
    """Every path under `folder` with its bytes (None for folders): to prove nothing was written."""
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): (None if p.is_dir() else p.read_bytes()) for p in sorted(folder.rglob("*"))}
