"""What a student means mid-quiz: an answer, or a request that must not be marked.

Pure code, no SDK imports. Alexa routes most requests to their own intents ("give me a hint" is
HintIntent); some land in the answer slot instead ("could you give me a little clue"), so the
slot's words are checked against the requests' phrases (skill/quiz_requests.yaml) before they
are marked.
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Mapping
from pathlib import Path
from typing import cast

from skill import intents
from skill.content import read_yaml
from skill.language import compiled, heard

REQUESTS_PATH = Path(__file__).resolve().parent / "quiz_requests.yaml"
# Requests are short; an utterance longer than this is an answer, whatever words it has.
MAX_REQUEST_WORDS = 8
# Sounds that are only thinking aloud, however many of them: "um", "ummm", "erm", "hmm".
_THINKING_SOUND = r"^(?:u+m+|e+r+m*|h+m+|u+h+|a+h+|o+h+|w+a+i+t+|so+|well|ooh)$"


class Turn(enum.StrEnum):
    """What a turn mid-quiz is taken as; the values are the labels of dev_quiz_turns.json."""

    ANSWER = "answer"
    HINT = "hint"
    REPEAT = "repeat"
    SKIP = "skip"
    STOP_QUIZ = "stop_quiz"
    END_SESSION = "end_session"
    HELP = "help"
    MEANING = "meaning"
    SLOWER = "slower"
    PAUSE = "pause"
    FILLER = "filler"
    PROGRESS = "progress"
    QUESTION = "question"


_BY_INTENT: Mapping[str, Turn] = {
    intents.ANSWER: Turn.ANSWER,
    intents.TOPIC: Turn.ANSWER,  # a bare topic name is an answer in a quiz ("the secret speech")
    intents.HINT: Turn.HINT,
    intents.REPEAT: Turn.REPEAT,
    intents.DONT_KNOW: Turn.SKIP,
    intents.NEXT: Turn.SKIP,
    intents.STOP_QUIZ: Turn.STOP_QUIZ,
    intents.NAVIGATE_HOME: Turn.STOP_QUIZ,
    intents.STOP: Turn.END_SESSION,
    intents.CANCEL: Turn.END_SESSION,
    intents.HELP: Turn.HELP,
    intents.DEFINE: Turn.MEANING,
    intents.SLOWER: Turn.SLOWER,
    intents.PAUSE: Turn.PAUSE,
    intents.THINKING: Turn.FILLER,
    intents.PROGRESS: Turn.PROGRESS,
    intents.HOW_MANY_LEFT: Turn.PROGRESS,
}


def understand(intent: str, said: str = "") -> Turn | None:
    """What a student means mid-quiz, from the intent Alexa chose and, for an answer, its words.
    None for what the quiz does not take (a "yes" out of turn, FallbackIntent's no words)."""
    if intent in intents.QUESTION_CARRIERS:
        return Turn.QUESTION
    turn = _BY_INTENT.get(intent)
    if turn is Turn.ANSWER:
        return request_in(said) or Turn.ANSWER
    return turn


def request_in(said: str) -> Turn | None:
    """The request a short utterance makes, if it makes one rather than answering."""
    words = heard(said).split()
    if not words or len(words) > MAX_REQUEST_WORDS:
        return None
    thinking = compiled(_THINKING_SOUND)
    if all(thinking.match(w) for w in words):
        return Turn.FILLER
    text = " ".join(words)
    for turn, pattern in _patterns().items():
        if pattern.search(text):
            return turn
    return None


@functools.cache
def _patterns(path: Path = REQUESTS_PATH) -> dict[Turn, re.Pattern[str]]:
    """Each request's phrases as one pattern of whole words; "*" is any one word."""
    raw = cast(dict[str, list[str]], read_yaml(path.read_text(encoding="utf-8")))
    patterns = {}
    for label, phrases in raw.items():
        said = "|".join(
            r"\s".join(r"[a-z0-9']+" if w == "*" else re.escape(heard(w)) for w in p.split())
            for p in phrases
        )
        patterns[Turn(label)] = re.compile(rf"(?:^|\s)(?:{said})(?=\s|$)")
    return patterns


# Where the word is in a request for its meaning: "what does ideology mean", "meaning of sino".
_ASKED_TERM = (
    r"(?:what (?:does|do) (?:the word )?(?P<a>.+?) (?:mean|stand for)"
    r"|meaning of (?:the word )?(?P<b>.+)"
    r"|what (?P<c>.+?) means)$"
)


def asked_term(said: str) -> str:
    """The word a request for a meaning asks about ("what does prc stand for" -> "prc"), or ""."""
    found = compiled(_ASKED_TERM).search(heard(said))
    return next((g for g in found.groups() if g), "") if found else ""
