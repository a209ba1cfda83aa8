"""Cold start: `import skill.lambda_function` in a fresh process, as Lambda's first request
pays it, against a hello-world Lambda's imports.

The skill is run from a copy laid out as the Lambda zip lays it out (skill/lambda_zip.py's
runtime files: the package without its developer tools, and content/), in a temporary
directory, so the working tree is left as it is:

- with a saved index: skill/index.pickle written by `index.save()` in the copy, as `make lambda`
  ships it; the configuration Lambda runs, and the figure with the goal;
- without one: the content built and indexed from the files at start-up, for information.

Both skill and baseline start with the modules Lambda's runtime has already imported
(RUNTIME_IMPORTS: logging, json, traceback and a few more), which a Lambda cold start does not
pay for again. Bytecode is compiled for both, as Lambda's runtime finds it after its first
start: PYTHONDONTWRITEBYTECODE is removed from the children's environment, PYTHONPYCACHEPREFIX
points at a temporary directory, the copies are compiled with compileall, and one discarded run
of each writes the bytecode of everything else they import. Each timed run is a new `python -c`
process timing its own imports with perf_counter, so interpreter start-up (the same for both) is
left out. Progress is in a SQLite file, created before the runs.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.report import Row, median, ratio_goal, run_for_json
from benchmarks.skills import STORE_NAME
from skill.tools.simulator import SIMULATED_SKILL_ID

RATIO_GOAL = 1.5

# What Lambda's Python runtime has imported before it imports the handler: awslambdaric's
# bootstrap.py starts with these (aws/aws-lambda-python-runtime-interface-client), so neither
# the skill nor the baseline pays for them at a cold start.
RUNTIME_IMPORTS = "import importlib, json, logging, os, sys, time, traceback"
_TIMED = """\
{runtime}
started = time.perf_counter()
{imports}
print(time.perf_counter() - started)
"""
SKILL_IMPORTS = "import skill.lambda_function"
BASELINE_IMPORTS = "import ask_sdk_core.skill_builder, ask_sdk_core.serialize"
# A cold start as the student waits for it: the imports and then the first request, a launch
# (sys.argv[1], the event), answered. The baseline is the hello-world sample's launch handler
# behind SkillBuilder.lambda_handler(), as the sample's lambda_function.py is written.
SKILL_FIRST = """\
import json, sys
import skill.lambda_function as function
function.lambda_handler(json.loads(sys.argv[1]), None)"""
BASELINE_FIRST = """\
import json, sys
from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.skill_builder import SkillBuilder
from ask_sdk_core.utils import is_request_type
class Launch(AbstractRequestHandler):
    def can_handle(self, handler_input):
        return is_request_type("LaunchRequest")(handler_input)
    def handle(self, handler_input):
        speech = "Welcome, you can say Hello or Help. Which would you like to try?"
        return handler_input.response_builder.speak(speech).ask(speech).response
builder = SkillBuilder()
builder.skill_id = json.loads(sys.argv[1])["context"]["System"]["application"]["applicationId"]
builder.add_request_handler(Launch())
builder.lambda_handler()(json.loads(sys.argv[1]), None)"""
_CHECK_INDEX = """\
import logging
logging.basicConfig(level=logging.WARNING)
import skill.lambda_function, skill.index
print(skill.index.INDEX_PATH.exists())
"""


def lay_out(directory: Path, scratch: Path, *, saved_index: bool) -> Path:
    """The Lambda zip's runtime files in `directory` (and its saved index, if asked)."""
    from skill.tools.lambda_zip import runtime_files

    for source, name in runtime_files():
        target = directory / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    if saved_index:
        subprocess.run(
            [sys.executable, "-c", "from skill import index; index.save()"],
            cwd=directory,
            env=_environment(directory, scratch),
            check=True,
            capture_output=True,
        )
        if not (directory / "skill" / "index.pickle").exists():
            raise RuntimeError("index.save() wrote no skill/index.pickle")
    return directory


def _environment(code: Path, scratch: Path) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {
        **environment,
        "PYTHONPATH": str(code),
        "PYTHONPYCACHEPREFIX": str(scratch / "pycache"),
        "PROGRESS_STORE": f"sqlite:///{scratch / STORE_NAME}",
        "SKILL_ID": SIMULATED_SKILL_ID,
        "LOG_LEVEL": "WARNING",
    }


def time_imports(imports: str, code: Path, scratch: Path, *args: str) -> float:
    """Seconds a fresh interpreter takes to run `imports`, with the code in `code`."""
    seconds = run_for_json(
        [sys.executable, "-c", _TIMED.format(runtime=RUNTIME_IMPORTS, imports=imports), *args],
        cwd=code,
        env=_environment(code, scratch),
        timeout=120,
        what="cold start run",
    )
    return float(seconds)


def _check_uses_saved_index(code: Path, scratch: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _CHECK_INDEX],
        cwd=code,
        env=_environment(code, scratch),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    if done.stdout.strip() != "True" or "saved index not used" in done.stderr:
        raise RuntimeError(f"the saved index is not used:\n{done.stderr}")


def measure(runs: int) -> list[Row]:
    """Medians over `runs` fresh processes each, alternating the three."""
    from skill.progress_store import open_store

    with tempfile.TemporaryDirectory(prefix="bench-cold-") as tmp:
        scratch = Path(tmp)
        with_index = lay_out(scratch / "with-index", scratch, saved_index=True)
        without_index = lay_out(scratch / "without-index", scratch, saved_index=False)
        store = open_store(f"sqlite:///{scratch / STORE_NAME}")  # created before any run
        getattr(store, "close", lambda: None)()
        environment = _environment(with_index, scratch)
        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", str(with_index), str(without_index)],
            env=environment,
            check=True,
            capture_output=True,
        )
        _check_uses_saved_index(with_index, scratch)
        contenders = {
            "saved": (SKILL_IMPORTS, with_index),
            "built": (SKILL_IMPORTS, without_index),
            "base": (BASELINE_IMPORTS, with_index),
            "first": (SKILL_FIRST, with_index),
            "first base": (BASELINE_FIRST, with_index),
        }
        event = json.dumps(_launch())
        for imports, code in contenders.values():  # writes the rest of the bytecode
            time_imports(imports, code, scratch, event)
        times: dict[str, list[float]] = {name: [] for name in contenders}
        for _ in range(runs):
            for name, (imports, code) in contenders.items():
                times[name].append(time_imports(imports, code, scratch, event))
    ms = {name: median(values) * 1000 for name, values in times.items()}
    note = (
        f"median of {runs} fresh processes each, alternating; `{SKILL_IMPORTS}` from a copy "
        "laid out as the Lambda zip, bytecode compiled (PYTHONPYCACHEPREFIX), SQLite progress; "
        f"baseline: a hello-world Lambda's `{BASELINE_IMPORTS}`"
    )
    saved = ratio_goal(
        "cold start: import handler, saved index",
        ms["saved"],
        ms["base"],
        "ms",
        at_most=RATIO_GOAL,
        note=note,
    )
    built = ratio_goal(
        "cold start: import handler, no saved index", ms["built"], ms["base"], "ms"
    ).with_note("the content built and indexed from the files at start-up (for information)")
    first = ratio_goal(
        "cold start: import and answer a launch", ms["first"], ms["first base"], "ms"
    ).with_note(
        "the imports and the first request, a launch, answered through lambda_handler, as the"
        " student waits for it (for information); baseline: the hello-world sample's launch"
        " handler behind SkillBuilder.lambda_handler()"
    )
    return [saved, built, first]


def _launch() -> dict[str, object]:
    from skill.tools.simulator import Simulator

    simulator = Simulator("en-GB", skill_id=SIMULATED_SKILL_ID)
    return simulator.envelope(simulator.resolve("open history revision"))
