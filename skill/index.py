"""The built content and its matching index: made once, saved by the build, loaded at a cold start.

Reading and validating content/*.yaml and indexing it for matching is most of what a new process
does before it can answer. `make lambda` saves the built objects in the zip as skill/index.pickle
(beside the libraries they were built with), stamped with a digest of everything they are built
from: the content, the lexicon and the code that builds them. A process loads that file when the
stamp matches its own inputs, and otherwise builds from the files, so a stale or missing file
costs time, never correctness. The file also carries the runtime's own YAML (phrases, quiz
requests, lexicon) parsed, so a process started from it never imports PyYAML. A working tree
has no such file (the endpoint builds once at start-up); the file is written by our own build
only, and nothing downloaded is unpickled.
"""

from __future__ import annotations

# pickle's C implementation, which pickle.dumps and pickle.loads are in CPython: the pickle module
# around it costs a cold start 1.2 ms more, and no request needs anything else of it.
import _pickle
import functools
import logging
import os
import zlib
from pathlib import Path

from skill.content import CONTENT_DIR, Content, know_yaml, load_content, read_yaml
from skill.matching import LEXICON_PATH, Matcher, matcher_for

_HERE = Path(__file__).resolve().parent
INDEX_PATH = _HERE / "index.pickle"
INDEX_ENV = "SKILL_INDEX"  # a saved index elsewhere, for servers that make one at start-up
# The code whose output is saved: a change to any of it makes a saved index stale.
_BUILDERS = ("content.py", "matching.py", "language.py", "index.py")

log = logging.getLogger(__name__)


def inputs_digest(content_dir: Path = CONTENT_DIR) -> str:
    """A checksum of every input of the built objects, with their names and sizes.

    CRC-32, not a cryptographic hash: it tells our own build's inputs apart from edited ones,
    and importing zlib costs a cold start 0.4 ms where hashlib would cost 3 ms. The content files
    are listed without glob, whose pattern matching costs a cold start 0.2 to 0.5 ms more."""
    content = sorted(p for p in content_dir.iterdir() if p.name.endswith(".yaml"))
    inputs = [*content, LEXICON_PATH, *(_HERE / f for f in _BUILDERS)]
    checksum, sizes = 0, []
    for path in inputs:
        data = path.read_bytes()
        checksum = zlib.crc32(data, zlib.crc32(path.name.encode(), checksum))
        sizes.append(str(len(data)))
    return f"{checksum:08x}-{'.'.join(sizes)}"


def build(content_dir: Path = CONTENT_DIR) -> tuple[Content, Matcher]:
    """Content and matcher built from the files."""
    content = load_content(content_dir)
    return content, matcher_for(content)


def own_yaml() -> dict[str, object]:
    """The runtime's own YAML files (phrases, quiz requests, lexicon), text -> parsed."""
    paths = [p for p in sorted(_HERE.rglob("*.yaml")) if "tools" not in p.relative_to(_HERE).parts]
    texts = [path.read_text(encoding="utf-8") for path in paths]
    return {text: read_yaml(text) for text in texts}


def save(path: Path = INDEX_PATH, content_dir: Path = CONTENT_DIR) -> Path:
    """Build from the files and save, stamped with the inputs' digest, with the runtime's own
    YAML already parsed (so a process started from the file never imports PyYAML)."""
    content, matcher = build(content_dir)
    saved = (inputs_digest(content_dir), content, matcher, own_yaml())
    path.write_bytes(_pickle.dumps(saved, protocol=5))
    return path


def load(path: Path = INDEX_PATH, content_dir: Path = CONTENT_DIR) -> tuple[Content, Matcher]:
    """The saved objects when their stamp matches today's inputs; else built from the files."""
    try:
        stamp, content, matcher, parsed_yaml = _pickle.loads(path.read_bytes())
    except FileNotFoundError:
        return build(content_dir)
    except Exception as error:  # a file from another build or version: build instead
        log.warning("saved index not used: %s", type(error).__name__)
        return build(content_dir)
    if stamp != inputs_digest(content_dir):
        log.warning("saved index not used: its content or code has changed")
        return build(content_dir)
    know_yaml(parsed_yaml)
    log.info("content and matching index loaded from the saved index")
    return content, matcher


def index_path() -> Path:
    """Where this process looks for a saved index: SKILL_INDEX if set (gunicorn.conf.py saves
    one before its workers start), else skill/index.pickle (the Lambda zip's)."""
    return Path(os.environ.get(INDEX_ENV) or INDEX_PATH)


@functools.cache
def built() -> tuple[Content, Matcher]:
    """The skill's content and matcher, once per process."""
    return load(index_path())
