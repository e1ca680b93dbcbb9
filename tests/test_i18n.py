"""Languages: the run's language per thread, messages rendered when shown, complete catalogues,
the CLI's --lang, and every refusal of the image loader and the model checks in Chinese."""

from __future__ import annotations

import json
import pickle
import re
import string
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import pytest
from babel.messages import pofile
from i18n_support import english_words

from gradcam_core import i18n
from gradcam_core.errors import ImageLoadError, ModelRefusedError
from gradcam_core.i18n import Text, language_from_environment, normalize, use_language

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import i18n as catalogues  # noqa: E402  (scripts/i18n.py)

CJK = re.compile(r"[\u4e00-\u9fff]")
CATALOGUES = [domain.po(lang) for domain in catalogues.DOMAINS for lang in catalogues.LANGUAGES]


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "en"),
        ({"LANG": "zh_CN.UTF-8"}, "zh"),
        ({"LANG": "zh_TW.UTF-8"}, "zh"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({"LC_ALL": "en_US.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"),  # LC_ALL before LANG
        ({"LC_MESSAGES": "zh_CN", "LANG": "en_GB"}, "zh"),
        ({"LANGUAGE": "fr:zh_CN:en", "LANG": "en_US"}, "zh"),  # the first one we have
        ({"LANGUAGE": "fr", "LANG": "zh_CN.UTF-8"}, "zh"),  # none of LANGUAGE's: on to LANG
    ],
)
def test_the_environment_language_follows_gettexts_order(environ, expected):
    assert language_from_environment(environ) == expected


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("zh-CN", "zh"),
        ("zh-Hans-CN", "zh"),
        ("zh", "zh"),
        ("en-US", "en"),
        ("fr", None),
        ("", None),
    ],
)
def test_browser_and_locale_tags_name_a_language(tag, expected):
    assert normalize(tag) == expected


def test_a_message_renders_in_the_language_of_whoever_shows_it():
    message = Text("{shown} is empty.", shown="model.keras")
    assert str(message) == "model.keras is empty."
    with use_language("zh"):
        chinese = str(message)
    assert CJK.search(chinese) and "model.keras" in chinese and "empty" not in chinese
    copy = pickle.loads(pickle.dumps(message))  # what st.cache_data does with a return value
    assert str(copy) == "model.keras is empty."
    with use_language("zh"):
        assert str(copy) == chinese


def test_two_threads_in_two_languages_never_mix():
    """Streamlit runs each session's script in its own thread: each keeps its language."""
    message = Text("{shown} is not a file.", shown="x")
    seen: dict[str, set[str]] = {"en": set(), "zh": set()}
    barrier = threading.Barrier(2)

    def run(lang: str) -> None:
        i18n.set_language(lang)
        barrier.wait()
        for _round in range(200):
            seen[lang].add(str(message))

    threads = [threading.Thread(target=run, args=(lang,)) for lang in ("en", "zh")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen["en"] == {"x is not a file."}
    assert len(seen["zh"]) == 1 and CJK.search(next(iter(seen["zh"])))
    assert i18n.language() == "en"  # this thread's language was never touched


def test_every_marked_sentence_has_a_translation_and_every_catalogue_is_compiled():
    assert catalogues.problems() == []


def _fields(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name is not None}


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.name)
def test_every_translation_keeps_the_fields_of_its_sentence(path):
    """A translation that loses or renames a {field} would break .format at run time."""
    with path.open("rb") as handle:
        catalog = pofile.read_po(handle)
    for message in catalog:
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if "{" not in ids[0]:
            continue
        try:
            wanted = _fields(ids[-1])
        except ValueError:
            continue  # not a format string (a literal "{index: name}" in a help text)
        for translated in strings:
            assert _fields(translated) == wanted, (message.id, translated)


def test_the_engines_catalogue_ships_as_package_data():
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert '"locale/*/LC_MESSAGES/*.mo"' in pyproject
    for lang in catalogues.LANGUAGES:
        assert (
            ROOT / "gradcam_core" / "locale" / lang / "LC_MESSAGES" / "gradcam_core.mo"
        ).is_file()


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    environ = {"PATH": "/usr/bin:/bin", "LANGUAGE": "", "LC_ALL": "", "LC_MESSAGES": "", "LANG": ""}
    environ.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "gradcam_core", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=environ,
        timeout=300,
    )


def test_the_cli_speaks_the_language_asked_or_the_environments():
    asked = _cli("--lang", "zh", "explain", "nope.jpg", "--out", "out")
    from_locale = _cli("explain", "nope.jpg", "--out", "out", env={"LANG": "zh_CN.UTF-8"})
    english = _cli("explain", "nope.jpg", "--out", "out")
    assert asked.returncode == from_locale.returncode == english.returncode == 2
    assert english.stderr == "error: File not found: nope.jpg. Check the path.\n"
    for result in (asked, from_locale):
        assert result.stderr.count("\n") == 1 and CJK.search(result.stderr)
        assert "nope.jpg" in result.stderr and not english_words(result.stderr)


# ------------------------------------------------ every refusal, triggered, in Chinese


def _png(width: int, height: int) -> bytes:
    from image_files import PNG_SIGNATURE, png_chunk

    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 2, 0, 0, 0])
    return PNG_SIGNATURE + png_chunk(b"IHDR", header) + png_chunk(b"IEND", b"")


def _image_refusals(tmp_path: Path) -> list[tuple[str, object]]:
    """(what, input) for the loader's refusals that a file can trigger."""
    from PIL import Image

    def saved(size, fmt="PNG", **kwargs) -> bytes:
        import io

        buffer = io.BytesIO()
        Image.new("RGB", size).save(buffer, format=fmt, **kwargs)
        return buffer.getvalue()

    from image_files import rle8_bmp

    folder = tmp_path / "a folder"
    folder.mkdir()
    heif_without_sizes = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"
    return [
        ("empty", b""),
        ("missing", tmp_path / "nope.jpg"),
        ("folder", folder),
        ("too many bytes", b"\xff\xd8\xff" + b"\0" * (50 * 1024 * 1024 + 1)),
        ("damaged", saved((64, 64), "JPEG")[:300]),
        ("HEIF with no size", heif_without_sizes),
        ("strip", saved((2100, 100))),
        ("RLE BMP over its cap", rle8_bmp(1100, 1000, b"\x00\x01")),
        ("empty header", _png(0, 10)),
        ("over the pixel cap", _png(8000, 6000)),
        ("damaged header", b"\x89PNG\r\n\x1a\n" + b"\0" * 40),
        ("a PDF", b"%PDF-1.7\n" + b"\0" * 100),
        ("unknown", bytes(range(256)) * 4),
    ]


def _safety_refusals(tmp_path: Path) -> list[tuple[str, object]]:
    """(what, thunk) for the model checks, each raising one of safety.py's refusals."""
    from gradcam_core.models import safety
    from gradcam_core.models.architecture import Architecture, LayerFacts

    def file(name: str, data: bytes) -> Path:
        path = tmp_path / name
        path.write_bytes(data)
        return path

    def archive(name: str, members: dict[str, bytes], **options) -> Path:
        path = tmp_path / name
        with zipfile.ZipFile(path, "w", **options) as out:
            for member, data in members.items():
                out.writestr(member, data)
        return path

    def info(name: str, size: int, compressed: int, flags: int = 0) -> zipfile.ZipInfo:
        entry = zipfile.ZipInfo(name)
        entry.file_size, entry.compress_size, entry.flag_bits = size, compressed, flags
        return entry

    def config_with(**layer) -> dict:
        return {"class_name": "Sequential", "config": {"layers": [layer]}}

    shown = "m.keras"
    big = tmp_path / "big.keras"
    with big.open("wb") as handle:
        handle.truncate(safety.MAX_MODEL_BYTES + 1)
    weights_only = tmp_path / "weights.h5"
    no_weights = tmp_path / "config_only.h5"
    not_text = tmp_path / "not_text.h5"
    import h5py
    import numpy as np

    with h5py.File(weights_only, "w") as f:
        f["w"] = np.zeros(3)
    with h5py.File(no_weights, "w") as f:
        f.attrs["model_config"] = json.dumps({"class_name": "Sequential"})
    with h5py.File(not_text, "w") as f:
        f.attrs["model_config"] = np.arange(3)
        f.create_group("model_weights")
    strings = tmp_path / "strings.h5"
    with h5py.File(strings, "w") as f:
        f["names"] = np.array([b"a", b"b"])
    nested = tmp_path / "nested.h5"
    with h5py.File(nested, "w") as f:
        f.create_group("/".join(["g"] * (safety.MAX_H5_DEPTH + 2)))
    soft = tmp_path / "soft.h5"
    with h5py.File(soft, "w") as f:
        f["data"] = np.zeros(2)
        f["alias"] = h5py.SoftLink("/data")
    heavy = Architecture((), (), (LayerFacts("dense", "Dense", 10**9, (10,)),))
    wide = Architecture((), (), (LayerFacts("up", "UpSampling2D", 0, (4096, 4096, 64)),))
    few = safety.StoredWeights(arrays=1, values=10, bytes=40)
    many = safety.StoredWeights(arrays=1, values=10**9, bytes=4 * 10**9)
    deep = {"class_name": "Sequential", "config": {}}
    node = deep["config"]
    for _level in range(safety.MAX_CONFIG_DEPTH + 2):
        node["x"] = {}
        node = node["x"]
    return [
        ("missing", lambda: safety.check_file(tmp_path / "none.keras", "none.keras")),
        ("not a file", lambda: safety.check_file(tmp_path, "folder")),
        ("empty", lambda: safety.check_file(file("e.keras", b""), shown)),
        ("over the limit", lambda: safety.check_file(big, "big.keras")),
        (
            "a PNG",
            lambda: safety.check_file(file("p.keras", b"\x89PNG\r\n\x1a\n" + b"\0" * 9), shown),
        ),
        ("text", lambda: safety.check_file(file("t.keras", b"hello, model"), shown)),
        ("neither", lambda: safety.check_file(file("n.keras", bytes(range(200, 256)) * 4), shown)),
        ("not a zip", lambda: safety.open_archive(file("z.keras", b"PK\x03\x04broken"), shown)),
        (
            "many members",
            lambda: safety.check_members([info(f"f{i}", 1, 1) for i in range(20)], shown),
        ),
        ("encrypted", lambda: safety.check_members([info("config.json", 1, 1, flags=1)], shown)),
        ("path", lambda: safety.check_members([info("../evil", 1, 1)], shown)),
        ("inflates", lambda: safety.check_members([info("a", 10**10, 10**9)], shown)),
        ("zip bomb", lambda: safety.check_members([info("a", 10**8, 10**4)], shown)),
        (
            "member over limit",
            lambda: safety.read_member(
                zipfile.ZipFile(archive("r.zip", {"a": b"x" * 100})),
                zipfile.ZipFile(archive("r2.zip", {"a": b"x" * 100})).getinfo("a"),
                10,
                shown,
            ),
        ),
        (
            "config too big",
            lambda: safety.parse_config(b" " * (safety.MAX_CONFIG_BYTES + 1), shown),
        ),
        ("config nested", lambda: safety.parse_config("[" * 100_000 + "]" * 100_000, shown)),
        ("not JSON", lambda: safety.parse_config(b"{not json", shown)),
        ("not an object", lambda: safety.parse_config(b"[1, 2]", shown)),
        ("weights only", lambda: safety.h5_model_config(weights_only, "w.h5")),
        ("no weights", lambda: safety.h5_model_config(no_weights, "c.h5")),
        ("not HDF5", lambda: safety.open_h5(file("x.h5", b"\x89HDF\r\n\x1a\nbroken"), "x.h5")),
        ("attribute not text", lambda: safety.h5_model_config(not_text, "n.h5")),
        ("nested too deeply", lambda: safety.check_config(deep, shown)),
        ("file setting", lambda: safety.check_config(config_with(path="/etc/passwd"), shown)),
        ("activation", lambda: safety.check_config(config_with(activation="evil"), shown)),
        ("malformed", lambda: safety.check_config({"class_name": 3}, shown)),
        ("Lambda", lambda: safety.check_config({"class_name": "Lambda"}, shown)),
        ("vocabulary layer", lambda: safety.check_config({"class_name": "StringLookup"}, shown)),
        ("outside Keras", lambda: safety.check_config({"class_name": "X", "module": "os"}, shown)),
        (
            "operation",
            lambda: safety.check_config(
                {"class_name": "Evil", "module": "keras.src.ops.numpy"}, shown
            ),
        ),
        ("not a built-in", lambda: safety.check_config({"class_name": "MyLayer"}, shown)),
        (
            "registered",
            lambda: safety.check_config({"class_name": "Dense", "registered_name": "x>Y"}, shown),
        ),
        (
            "module",
            lambda: safety.check_config(
                {"class_name": "Dense", "module": "keras.src.layers.core.dense"}, shown, strict=True
            ),
        ),
        (
            "function",
            lambda: safety.check_config(
                {"class_name": "function", "module": "keras.activations", "config": "evil"}, shown
            ),
        ),
        ("not numeric", lambda: safety.check_weights_file(strings, "s.h5")),
        ("groups nested", lambda: safety.check_weights_file(nested, "d.h5")),
        ("link", lambda: safety.check_weights_file(soft, "l.h5")),
        ("weights for nothing", lambda: safety.check_memory(heavy, few, shown)),
        ("activations", lambda: safety.check_memory(wide, many, shown)),
    ]


def _render_all(cases, attempt) -> dict[str, str]:
    """Each case's refusal, rendered in Chinese, by case; and the sentences (msgids) it used."""
    shown, used = {}, set()
    for what, given in cases:
        with pytest.raises((ImageLoadError, ModelRefusedError)) as caught:
            attempt(given)
        message = caught.value.args[0]
        assert isinstance(message, Text), what
        stack = [message]
        while stack:  # the sentence and the sentences of its fields
            text = stack.pop()
            used.add(text.message)
            stack += [v for _n, v in text.fields if isinstance(v, Text)]
            stack += [v.args[0] for _n, v in text.fields if isinstance(v, Exception) and v.args]
        with use_language("zh"):
            shown[what] = str(caught.value)
    return shown, used


def _sentences_of(module_path: str, domain_name: str = "gradcam_core") -> set[str]:
    domain = next(d for d in catalogues.DOMAINS if d.name == domain_name)
    return {
        message.id
        for message in catalogues.template(domain)
        if message.id and any(location == module_path for location, _line in message.locations)
    }


# Words a refusal may keep: the file's own names and Keras' and HDF5's (of the file, not of the
# app), and what a library said about the damage (in parentheses, after our sentence).
REFUSAL_NAMES = {
    "keras", "hdf", "zip", "json", "png", "jpeg", "heic", "heif", "webp", "bmp", "tiff", "gif",
    "pdf", "softlink", "stringlookup", "mylayer", "evil", "registered", "dense", "upsampling",
    "model_config", "lambda", "etc", "passwd", "os", "activations", "src", "ops", "layers",
    "core", "function", "none", "folder", "nope", "jpg", "weights", "names", "alias", "config",
    "python", "tensorflow", "savedmodel", "tfsmlayer", "pytorch", "lookup",
}  # fmt: skip


def _check_chinese(shown: dict[str, str]) -> None:
    for what, text in shown.items():
        # What a library said, in parentheses without a Chinese word, is not ours to translate.
        sentence = re.sub(r"“[^”]*”", "", text)  # a name from the file, quoted
        sentence = re.sub(r"：[^（）\u4e00-\u9fff]*(?=）)", "", sentence)  # (damaged: <reason>)
        sentence = re.sub(r"（[^（）\u4e00-\u9fff]*）|\([^()\u4e00-\u9fff]*\)", "", sentence)
        assert CJK.search(text), (what, text)
        assert not english_words(sentence, REFUSAL_NAMES), (what, text)
        assert "\n" not in text


def test_every_refusal_of_the_image_loader_is_chinese(tmp_path):
    from gradcam_core.images import load_image

    shown, used = _render_all(_image_refusals(tmp_path), load_image)
    _check_chinese(shown)
    sentences = _sentences_of("gradcam_core/images.py")
    never = {"Permission denied reading {name}.", "Could not read {name}: {reason}.",
             "Could not read the uploaded file: {reason}.",
             "Not enough memory to decode this image. Try a smaller image.",
             "The image could not be decoded ({kind}: {reason}). Try another file or re-export "
             "this one as PNG or JPEG.",
             "The image header declares {megapixels:.1f} megapixels; the limit is {limit:g} "
             "megapixels. Downscale it and upload it again.",
             "The image is far too large to decode safely; the limit is {limit:g} megapixels. "
             "Downscale it and upload it again."}  # fmt: skip
    # Those need an operating-system or memory failure, or Pillow's own bomb check behind ours:
    # rendered here directly instead.
    for sentence in never:
        with use_language("zh"):
            fields = dict.fromkeys(_fields(sentence), 1)
            rendered = str(Text(sentence, **fields))
        assert CJK.search(rendered) and rendered != sentence
    kinds = {s for s in sentences if not re.search(r"[.:;]", s)}  # 'a PDF document' ...: fields
    missing = sentences - used - never - kinds
    assert not missing, missing


def test_every_refusal_of_the_model_checks_is_chinese(tmp_path):
    shown, used = _render_all(_safety_refusals(tmp_path), lambda thunk: thunk())
    _check_chinese(shown)
    sentences = _sentences_of("gradcam_core/models/safety.py")
    kinds = {s for s in sentences if not s.startswith("{shown}") and "{" not in s}
    # Reading a member fails only on a damaged stream, copying one only when its size lies:
    damaged = {"{shown}: {name} is damaged ({reason}).",
               "{shown}: {name} holds more than its header declares.",
               "{shown}: its {name} is {size}, over the {limit} limit.",
               "{shown}: its {name} cannot be read ({reason}).",
               "{shown}: it holds too many HDF5 objects.",
               "{shown}: it holds an HDF5 object that is not data.",
               "{shown}: the stored array '{name}' points at other files.",
               "{shown}: its stored arrays declare {declared} in a file of {size} (an HDF5 shape "
               "bomb).",
               "{shown}: its weights cannot be read ({reason}).",
               "{shown}: the model config is too large.",
               "{shown}: {reason}",
               "{shown}: its layers would need {needed} of weights but the file stores {stored}; "
               "refused before allocating any.",
               "{shown} is {kind}, not a Keras model (.keras, .h5 or .zip)."}  # fmt: skip
    # ... those are triggered by the hostile files of test_hostile_models (below, in Chinese).
    missing = sentences - used - kinds - damaged
    assert not missing, missing


@pytest.mark.slow
def test_every_hostile_model_file_is_refused_in_chinese(tmp_path):
    """The hostile files of test_hostile_models, each refused in one Chinese line."""
    import hostile_model_files as hostile

    from gradcam_core.models import load_classifier

    built = hostile.all_cases(tmp_path, tmp_path / "marker")
    shown = {}
    for name, (path, _word) in built.items():
        with pytest.raises(ModelRefusedError) as caught:
            load_classifier(path)
        with use_language("zh"):
            shown[name] = str(caught.value)
    _check_chinese(shown)
    assert not (tmp_path / "marker").exists()
