"""The built content and its matching index: made once, saved by the build, loaded at a cold start.

Reading and validating content/*.yaml and indexing it for matching is most of what a new process
does before it can answer. `make lambda` saves the built objects in the zip as skill/index.pickle
(beside the libraries they were built with), stamped with a digest of everything they are built
from: the content, the lexicon and the code that builds them. A process loads that file when the
stamp matches its own inputs, and otherwise builds from the files, so a stale or missing file
costs time, never correctness. A working tree has no such file (the endpoint builds once at
start-up); the file is written by our own build only, and nothing downloaded is unpickled.
"""

from __future__ import annotations

import functools
import logging
import pickle
import zlib
from pathlib import Path

from skill.content import CONTENT_DIR, Content, load_content
from skill.matching import LEXICON_PATH, Matcher, matcher_for

INDEX_PATH = Path(__file__).resolve().parent / "index.pickle"
# The code whose output is saved: a change to any of it makes a saved index stale.
_BUILDERS = ("content.py", "matching.py", "language.py", "index.py")

log = logging.getLogger(__name__)


def inputs_digest(content_dir: Path = CONTENT_DIR) -> str:
    """A checksum of every input of the built objects, with their names and sizes.

    CRC-32, not a cryptographic hash: it tells our own build's inputs apart from edited ones,
    and zlib is loaded already where hashlib would cost a cold start 3 ms."""
    here = Path(__file__).resolve().parent
    inputs = [*sorted(content_dir.glob("*.yaml")), LEXICON_PATH, *(here / f for f in _BUILDERS)]
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


def save(path: Path = INDEX_PATH, content_dir: Path = CONTENT_DIR) -> Path:
    """Build from the files and save, stamped with the inputs' digest."""
    content, matcher = build(content_dir)
    path.write_bytes(pickle.dumps((inputs_digest(content_dir), content, matcher), protocol=5))
    return path


def load(path: Path = INDEX_PATH, content_dir: Path = CONTENT_DIR) -> tuple[Content, Matcher]:
    """The saved objects when their stamp matches today's inputs; else built from the files."""
    try:
        stamp, content, matcher = pickle.loads(path.read_bytes())
    except FileNotFoundError:
        return build(content_dir)
    except Exception as error:  # a file from another build or version: build instead
        log.warning("saved index not used: %s", type(error).__name__)
        return build(content_dir)
    if stamp != inputs_digest(content_dir):
        log.warning("saved index not used: its content or code has changed")
        return build(content_dir)
    return content, matcher


@functools.cache
def built() -> tuple[Content, Matcher]:
    """The skill's content and matcher, once per process."""
    return load()
