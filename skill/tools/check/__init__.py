"""Certification checks, offline: the faults Amazon rejects skills for, found before submission.

    python -m skill check [--locale L]

Static checks read the generated interaction model, the manifest and the dialog files. Dynamic
checks drive the skill through the simulator from every state a student can reach (just launched,
after an answer, part way through a split answer, each quiz phase, after a quiz, awaiting a yes or
no) and send every intent the model declares, with and without slot values; each response is then
held to the rules (no error, an open session asks a question and has a reprompt, stop ends, help
keeps the quiz, sizes within Alexa's limits, SSML Alexa can read).

Each check is a small function returning a list of `Failure`; it takes what it checks (a model, a
probe of the skill, the dialogs) as parameters, so a test can hand it one broken in one way.
By job: `model_rules` (the model and manifest), `dialog_rules` (the dialog files), `probes` (the
skill driven through the simulator); this module runs them all.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import Any

from skill.tools import RUNTIME_DIR, model
from skill.tools.check.dialog_rules import check_dialogs, dialog_keys_used, project_dialogs
from skill.tools.check.failure import Failure
from skill.tools.check.model_rules import (
    LANGUAGE_CHECKS,
    check_example_phrases,
    check_model_fresh,
    check_same_intents,
    languages_of,
    load_models,
)
from skill.tools.check.probes import probe_failures, sweep
from skill.tools.simulator import Simulator

# --- Running every check --------------------------------------------------------------------------


def static_failures(
    files: Mapping[str, Mapping[str, Any]], locales: Sequence[str] | None = None
) -> list[Failure]:
    """The model, manifest and dialog checks."""
    languages = languages_of(files)
    chosen = [locale for locale in languages if locales is None or locale in locales]
    failures = [
        Failure(f.check, f"{locale}, {f.where}", f.why)
        for locale in chosen
        for check in LANGUAGE_CHECKS
        for f in check(languages[locale])
    ]
    failures += check_same_intents(languages)
    manifest = files.get(model.MANIFEST_FILE)
    if manifest is None:
        failures.append(Failure("example-phrases", model.MANIFEST_FILE, "missing"))
    else:
        failures += [
            f for f in check_example_phrases(manifest, languages) if f.where.split()[0] in chosen
        ]
    base, served, load_errors = project_dialogs()
    sources = sorted(RUNTIME_DIR.rglob("*.py"))
    failures += load_errors + check_dialogs(base, served, dialog_keys_used(sources))
    failures += check_model_fresh(files, model.generate())
    return failures


def default_skill() -> Any:
    """The skill as the endpoint builds it, with a progress store in memory and fixed choices."""
    from skill.builder import create_skill
    from skill.config import Config
    from skill.handlers.routing import RoutedRequestMapper

    rng = random.Random(0)
    skill = create_skill(Config(progress_store="memory://"), choose=rng.choice, rng=rng)
    for mapper in skill.request_dispatcher.request_mappers:
        if isinstance(mapper, RoutedRequestMapper):
            mapper.audit = True  # every probe mapped the SDK's way too: a handler's `takes` checked
    return skill


def run_checks(locales: Sequence[str] | None = None) -> tuple[list[Failure], int]:
    """Every check on the committed model and the skill; returns the failures and probe count."""
    from skill.content import default_content

    files = load_models()
    failures = static_failures(files, locales)
    content = default_content()
    chosen = [loc for loc in languages_of(files) if locales is None or loc in locales]
    probes = 0
    for locale in chosen:
        result = sweep(default_skill(), content, Simulator(locale))
        probes += len(result.probes)
        failures += result.failures + probe_failures(result.probes)
    return failures, probes
