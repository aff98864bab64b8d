"""AppTest: every page renders through the router, in both languages, without an exception."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from conftest import open_page

ROOT = Path(__file__).resolve().parents[1]
PAGES = [p for p in ["pages/home.py", "pages/train.py", "pages/latent.py", "pages/denoise.py", "pages/generate.py",
                     "pages/anomaly.py", "pages/compress.py", "pages/library.py"]
         if (ROOT / p).exists()]


def app(user_checkpoints=None, monkeypatch=None) -> AppTest:
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("lang", ["ko", "en"])
def test_page_renders(page, lang):
    at = open_page(page, lang)
    assert at.title, "every page has a title"


def test_language_switch_changes_text():
    at = app().run()
    assert not at.exception, at.exception
    korean = at.title[0].value
    at.sidebar.radio(key="lang").set_value("en").run()
    english = at.title[0].value
    assert korean != english
    assert any("\uac00" <= ch <= "\ud7a3" for ch in korean)      # Hangul syllables
    assert not any("\uac00" <= ch <= "\ud7a3" for ch in english)


def test_language_rides_in_the_address_for_a_reload():
    at = app().run()
    assert "lang" not in at.query_params                         # Korean, the default, needs nothing
    at.sidebar.radio(key="lang").set_value("en").run()
    assert at.query_params["lang"] == "en"
    reloaded = app()                                             # a reload: a new session, only the address
    reloaded.query_params["lang"] = "en"
    reloaded.run()
    assert not reloaded.exception, reloaded.exception
    assert reloaded.session_state["lang"] == "en" and at.title[0].value == reloaded.title[0].value
    made_up = app()
    made_up.query_params["lang"] = "xx"                          # not a language: the default, no error
    made_up.run()
    assert not made_up.exception and made_up.session_state["lang"] == "ko"
    at.sidebar.radio(key="lang").set_value("ko").run()
    assert "lang" not in at.query_params


def test_home_shows_reconstructions_of_active_model():
    at = app()
    at.session_state["lang"] = "en"
    at.run()
    assert not at.exception, at.exception
    assert at.sidebar.selectbox(key="model").value.endswith("fmnist_dense_z3")
    mse = [m for m in at.metric if m.label == "MSE"]
    assert mse and 0 < float(mse[0].value) < 0.05
    diagram = [m.value for m in at.markdown if "ae-architecture" in m.value]   # drawn as SVG: no Plotly here
    assert len(diagram) == 1 and diagram[0].count('class="layer"') == 9 and not at.get("plotly_chart")


def one_checkpoint_per_kind() -> list[str]:
    """A shipped checkpoint of each model kind (dense, conv, unet, vae), by folder path."""
    import ae
    found: dict[str, str] = {}
    for info in ae.checkpoint.list_checkpoints(ROOT / "checkpoints"):
        if info.ok and info.name != "user":
            found.setdefault(info.meta["model"]["kind"], str(info.path))
    return [found[k] for k in sorted(found)]


@pytest.mark.parametrize("path", one_checkpoint_per_kind(), ids=lambda p: Path(p).name)
@pytest.mark.parametrize("page", [p for p in PAGES if p not in ("pages/train.py", "pages/library.py")])
def test_every_shipped_model_kind_works_on_every_page(page, path, tmp_path, monkeypatch):
    """A unet cannot decode z alone, a vae's code is a mean: each page must still draw with it active."""
    monkeypatch.setenv("AE_CACHE_DIR", str(tmp_path / "cache"))
    at = open_page(page, "en", model=path, **{"latent.n": 200})
    assert at.session_state["model"] == path
    assert not at.error, [e.value for e in at.error]
    assert at.get("image") or at.get("plotly_chart"), "the page drew its pictures or its map"


# ---------------------------------------------------------------- pages built from the registries (issue 16)

@pytest.mark.parametrize("kind", list(__import__("ae").NOISES))
def test_the_denoising_page_offers_every_noise_kind_from_its_record(kind, tmp_path, monkeypatch):
    import ae

    monkeypatch.setenv("AE_CACHE_DIR", str(tmp_path / "cache"))
    at = open_page("pages/denoise.py", "en", **{"denoise.kind": kind})
    record = ae.NOISES[kind]
    keys = {s.key for s in at.slider}
    for name in record.controls:
        setting = f"level.{kind}" if name == "level" else f"{kind}.{name}"
        assert f"denoise.{setting}.en" in keys, keys
    assert at.get("plotly_chart") and not at.error


def test_a_noise_kind_registered_at_run_time_is_drawn_by_the_denoising_page(tmp_path, monkeypatch):
    """Adding a noise kind is one record plus its strings: the Denoising page draws its slider, damages
    the images with it and plots its curve (before, a fifth noise crashed the page with a KeyError)."""
    import torch

    import ae
    from ae.noise import Noise, Setting
    from pages._text import STRINGS

    def speckle(x, level, generator=None):
        """Multiplicative noise: each pixel times (1 + level * N(0, 1))."""
        return (x * (1 + level * torch.randn(x.shape, generator=generator))).clamp(0, 1)

    monkeypatch.setitem(ae.NOISES, "speckle", Noise(speckle, Setting(0.0, 1.0, 0.4)))
    for lang, name, level in (("en", "Speckle", "Speckle strength"), ("ko", "스페클", "스페클 세기")):
        monkeypatch.setitem(STRINGS[lang], "noise.speckle", name)
        monkeypatch.setitem(STRINGS[lang], "noise.speckle.level", level)
    monkeypatch.setenv("AE_CACHE_DIR", str(tmp_path / "cache"))
    at = open_page("pages/denoise.py", "en")
    assert "Speckle" in at.segmented_control(key="denoise.kind.en").options   # its label, from its strings
    at.segmented_control(key="denoise.kind.en").set_value("speckle").run()
    assert not at.exception and not at.error, at.exception
    slider = at.slider(key="denoise.level.speckle.en")
    assert slider.label == "Speckle strength" and slider.value == pytest.approx(0.4)
    damaged = next(r for r in at.dataframe[0].value.to_dict("records") if "Damaged" in r["Restored by"])
    slider.set_value(0.9).run()
    heavier = next(r for r in at.dataframe[0].value.to_dict("records") if "Damaged" in r["Restored by"])
    assert heavier["PSNR (dB)"] < damaged["PSNR (dB)"] - 1
    assert at.get("plotly_chart")


@pytest.mark.parametrize("method", list(__import__("ae").embed.EMBEDDERS))
def test_the_latent_page_draws_every_map_method_it_offers(method, tmp_path, monkeypatch):
    monkeypatch.setenv("AE_CACHE_DIR", str(tmp_path / "cache"))
    at = open_page("pages/latent.py", "en", **{"latent.method": method, "latent.n": 300, "latent.iterations": 250})
    assert at.selectbox(key="latent.method.en").value == method
    assert at.get("plotly_chart") and not at.error


@pytest.mark.parametrize("page", PAGES)
def test_each_run_lists_the_checkpoints_once(page, monkeypatch):
    """The active model is resolved once per run (app.py lists the checkpoints; pages read that list):
    before, a run of the Denoising page scanned the checkpoint folders 4 times (36 JSON parses)."""
    import ae

    calls = []
    real = ae.checkpoint.list_checkpoints
    monkeypatch.setattr(ae.checkpoint, "list_checkpoints", lambda *roots: calls.append(roots) or real(*roots))
    at = open_page(page, "en")
    calls.clear()
    at.run()
    assert not at.exception and len(calls) == 1, calls


# ---------------------------------------------------------------- hardening (issue 17)

def broken_checkpoints(root: Path) -> None:
    """Folders that once broke every page for every user, beside a good one."""
    import json

    import ae

    good = ae.checkpoint.save(root / "good", ae.build_model(ae.ModelConfig("dense", 2, (16,))),
                              dataset={"name": "mnist", "source": "tests"}, metrics={"test": {"mse": 0.1, "psnr": 10.0}})
    meta = json.loads((good / "config.json").read_text())
    weights = (good / meta["weights"]).read_bytes()

    def variant(name: str, **changes) -> None:
        (root / name).mkdir()
        (root / name / meta["weights"]).write_bytes(weights)
        (root / name / "config.json").write_text(json.dumps({**meta, **changes}))

    variant("inf_hidden", model={"kind": "dense", "latent_dim": 2, "hidden": [1e400]})
    variant("huge", model={"kind": "dense", "latent_dim": 2, "hidden": [4096] * 12})
    variant("text_figures", metrics={"test": {"mse": "low", "psnr": "high"}})
    variant("text_dataset", dataset={"name": ["mnist"], "source": 7})
    variant("other_dataset", dataset={"name": "cifar10", "source": "tests"})
    (root / "nested").mkdir()
    (root / "nested" / "config.json").write_text("[" * 50_000 + "]" * 50_000)


@pytest.mark.parametrize("page", PAGES)
def test_bad_checkpoints_are_listed_as_unusable_and_every_page_works(page, tmp_path, monkeypatch):
    import pages._common

    broken_checkpoints(tmp_path)
    monkeypatch.setattr(pages._common, "CHECKPOINTS", tmp_path)
    monkeypatch.setattr(pages._common, "USER_CHECKPOINTS", tmp_path / "user")
    monkeypatch.setenv("AE_CACHE_DIR", str(tmp_path / "cache"))
    at = open_page(page, "en", **{"latent.n": 300})
    assert at.sidebar.selectbox(key="model").options == ["good"]
    listed = " ".join(c.value for c in at.sidebar.caption)
    for name in ("inf_hidden", "huge", "text_figures", "text_dataset", "other_dataset", "nested"):
        assert f"**{name}**" in listed, listed
    assert "parameters; the limit" in listed and "not a number" in listed and "does not have (cifar10)" in listed
    assert not at.error


def test_a_reload_keeps_the_sidebars_model():
    at = app()
    at.session_state["lang"] = "en"
    at.run()
    conv = str(ROOT / "checkpoints" / "mnist_conv_z16")
    at.sidebar.selectbox(key="model").set_value(conv).run()
    assert at.query_params["model"] == "mnist_conv_z16"
    reloaded = app()                            # a new session that has only the address
    reloaded.query_params["model"] = "mnist_conv_z16"
    reloaded.run()
    assert reloaded.sidebar.selectbox(key="model").value == conv
    made_up = app()
    made_up.query_params["model"] = "../../etc"
    made_up.run()
    assert not made_up.exception and made_up.sidebar.selectbox(key="model").value.endswith("fmnist_dense_z3")


def test_the_korean_sidebar_and_pages_name_sources_noises_and_classes_in_korean():
    """English used to show through in the Korean UI: the data source, a denoiser's noise kinds, the
    Denoising page's class name."""
    at = open_page("pages/denoise.py", "ko", model=str(ROOT / "checkpoints" / "fmnist_refine_denoise"),
                   **{"denoise.source": "index", "denoise.index": 4})
    facts = " ".join(c.value for c in at.sidebar.caption)
    assert "데비안 패키지" in facts and "가우시안, 소금-후추" in facts and "Debian package" not in facts
    assert "gaussian" not in facts
    assert any(c.value.startswith("클래스: 셔츠") for c in at.caption), [c.value for c in at.caption]


def test_visitors_see_only_the_error_type_and_the_server_listens_on_localhost():
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "type"
    assert config["server"]["address"] == "localhost"
    assert "--server.address $(ADDRESS)" in (ROOT / "Makefile").read_text()
