"""Static checks of the dialog files: every locale has every key, every key the code names
exists, and a locale fills only the fields its base fills."""

from __future__ import annotations

import ast
from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path
from string import Formatter

from skill import dialog
from skill.tools.check.failure import Failure

# --- Static: dialog files -------------------------------------------------------------------------

Texts = Mapping[str, Sequence[str]]  # dialog key -> variants


def _fields(text: str) -> set[str]:
    try:
        return {name for _, name, _, _ in Formatter().parse(text) if name is not None}
    except ValueError:
        return {"<unbalanced braces>"}


def check_dialogs(
    base: Texts, locales: Mapping[str, Texts], used: Collection[str]
) -> list[Failure]:
    """Every locale has every key of the base; every key the code uses exists; each variant
    fills only fields the base's variants of that key fill (the handlers pass those)."""
    failures = [
        Failure("dialog", f"key {key!r}", "used by the code but not in the base dialog")
        for key in sorted(set(used) - set(base))
    ]
    allowed = {key: set().union(*(_fields(v) for v in variants)) for key, variants in base.items()}
    for locale, texts in locales.items():
        for key in sorted(set(base) - set(texts)):
            failures.append(Failure("dialog", f"{locale} key {key!r}", "missing"))
        for key in sorted(set(texts) - set(base)):
            failures.append(Failure("dialog", f"{locale} key {key!r}", "not in the base dialog"))
        for key, variants in texts.items():
            if not variants:
                failures.append(Failure("dialog", f"{locale} key {key!r}", "has no variants"))
            for variant in variants:
                extra = _fields(variant) - allowed.get(key, set())
                if extra and key in base:
                    why = (
                        f"variant {variant[:40]!r} uses {sorted(extra)}, which no base variant does"
                    )
                    failures.append(Failure("dialog", f"{locale} key {key!r}", why))
    return failures


_DIALOG_CALLS = {"text", "variants"}


def _on_dialog(call: ast.Call) -> bool:
    """`dialog.text(...)`, `self.dialog(handler_input).variants(...)`, `DIALOG.text(...)`."""
    return (
        isinstance(call.func, ast.Attribute)
        and call.func.attr in _DIALOG_CALLS
        and "dialog" in ast.unparse(call.func.value).lower()
    )


def dialog_keys_used(sources: Iterable[Path]) -> set[str]:
    """Dialog keys the code names literally: the first argument of a dialog's `.text(...)` or
    `.variants(...)` (both branches of a conditional count)."""
    keys: set[str] = set()
    for path in sources:
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _on_dialog(node) and node.args:
                keys |= {
                    n.value
                    for n in ast.walk(node.args[0])
                    if isinstance(n, ast.Constant) and isinstance(n.value, str)
                }
    return keys


def project_dialogs() -> tuple[Texts, dict[str, Texts], list[Failure]]:
    """The base dialog, every locale's dialog as served (overlay on the base), and load errors."""
    failures = []
    base: Texts = {}
    locales: dict[str, Texts] = {}
    try:
        base = dialog.base_texts()
    except dialog.DialogError as error:
        failures.append(Failure("dialog", f"{dialog.BASE}.yaml", str(error)))
    for locale in dialog.LOCALES:
        try:
            locales[locale] = dialog.locale_texts(locale)
        except dialog.DialogError as error:
            failures.append(Failure("dialog", locale, str(error)))
    return base, locales, failures
