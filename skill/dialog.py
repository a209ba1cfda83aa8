"""The skill's own phrases, by key and locale (skill/locale/*.yaml), kept out of the handlers."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from pathlib import Path

from skill.content import read_yaml, yaml_error

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
BASE = "en"
DEFAULT_LOCALE = "en-GB"
LOCALES = ("en-GB", "en-US", "en-AU", "en-CA", "en-IN")

Chooser = Callable[[Sequence[str]], str]


class DialogError(ValueError):
    """A locale file is invalid: names the file, the key and the reason."""


def _read(path: Path) -> dict[str, tuple[str, ...]]:
    try:
        data = read_yaml(path.read_text(encoding="utf-8"))
    except (OSError, yaml_error()) as exc:
        raise DialogError(f"{path}: cannot be read: {exc}") from exc
    if not isinstance(data, dict):
        raise DialogError(f"{path}: must be a mapping of key to variants")
    texts: dict[str, tuple[str, ...]] = {}
    for key, variants in data.items():
        if isinstance(variants, str):
            variants = [variants]
        if not (
            isinstance(variants, list)
            and variants
            and all(isinstance(v, str) and v.strip() for v in variants)
        ):
            raise DialogError(f"{path}, key {key!r}: needs a list of non-empty strings")
        texts[str(key)] = tuple(variants)
    return texts


class Dialog:
    """Phrases for one locale: `text(key, **fields)` picks a variant and fills its fields."""

    def __init__(
        self, locale: str, texts: Mapping[str, tuple[str, ...]], choose: Chooser = random.choice
    ):
        self.locale = locale
        self._texts = dict(texts)
        self._choose = choose

    def keys(self) -> set[str]:
        return set(self._texts)

    def variants(self, key: str) -> tuple[str, ...]:
        """Every variant of a key, unfilled (tests use this to recognise a phrase)."""
        return self._texts[key]

    def said(self, speech: str, key: str) -> bool:
        """Whether speech says one of the variants of a key (the text before any field)."""
        return any(variant.split("{")[0].strip() in speech for variant in self._texts[key])

    def text(self, key: str, **fields: str) -> str:
        """One variant of `key`, with its {fields} filled."""
        return self._choose(self._texts[key]).format(**fields)

    def join(self, items: Sequence[str], conjunction: str = "and") -> str:
        """Join items as speech: "a, b and c"."""
        word = self._texts[conjunction][0]
        if len(items) <= 1:
            return "".join(items)
        return f"{', '.join(items[:-1])} {word} {items[-1]}"

    def ordinals(self) -> tuple[str, ...]:
        return self._texts["ordinals"]


@cache
def base_texts() -> dict[str, tuple[str, ...]]:
    """The base locale's phrases (en.yaml), which every locale starts from; DialogError when
    the file is invalid."""
    return _read(LOCALE_DIR / f"{BASE}.yaml")


@cache
def locale_texts(locale: str) -> dict[str, tuple[str, ...]]:
    """A locale's phrases as served: its own file laid over the base; DialogError names a
    file, key and reason when either is invalid."""
    path = LOCALE_DIR / f"{locale}.yaml"
    base = base_texts()
    overlay = _read(path) if path.exists() else {}
    unknown = sorted(set(overlay) - set(base))
    if unknown:
        raise DialogError(f"{path}, key {unknown[0]!r}: not in {BASE}.yaml")
    return {**base, **overlay}


def dialog_for(locale: str | None, choose: Chooser = random.choice) -> Dialog:
    """The phrases for a request's locale; an unsupported locale falls back to en-GB."""
    name = locale if locale in LOCALES else DEFAULT_LOCALE
    return Dialog(name, locale_texts(name), choose)
