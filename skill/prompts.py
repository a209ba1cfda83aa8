"""The sentences the skill builds from dialog phrases and content: pure functions, no request.

Handlers decide what happens; these say it. Each takes the request's Dialog and plain values and
returns the sentences in the order they are spoken, so tests can read them without a request.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from skill.content import GlossaryTerm, ItemKind, QuizItem
from skill.dialog import Dialog
from skill.language import format_number, mid_sentence
from skill.progress import Summary
from skill.quiz import Given, Outcome, QuizState

if TYPE_CHECKING:
    from skill.marking import Mark

HALF_POINT = 0.5  # a multi-point answer with half its points earns half a mark
_SCORE_ROUNDING = 0.01  # scores are sums of halves and tenths: closer than this is equal


def spoken_score(dialog: Dialog, score: float) -> str:
    """ "3", or "2 and a half" for a half point from a multi-point answer."""
    whole = int(score)
    if abs(score - whole - HALF_POINT) < _SCORE_ROUNDING:
        return f"{whole} {dialog.text('half')}"
    return format_number(round(score, 1))


def quiz_question(dialog: Dialog, item: QuizItem) -> str:
    """A quiz question as asked, with a choice item's options read as a list; ends with "?"."""
    if item.kind is not ItemKind.CHOICE:
        return item.question
    letters = dialog.variants("letters")
    options = [
        dialog.text("option", letter=letter, text=text)
        for letter, text in zip(letters, item.options, strict=False)
    ]
    options[-1] = f"{dialog.text('or').capitalize()} {options[-1].rstrip('.')}?"
    return " ".join([item.question, *options])


def quiz_number(dialog: Dialog, number: int, total: int) -> str:
    """ "Question 2 of 5." """
    return dialog.text("quiz_number", number=str(number), total=str(total))


def quiz_start(dialog: Dialog, count: int, section: str | None) -> str:
    """How a new quiz is announced: on a section, one question, or several."""
    if section is not None:
        return dialog.text("quiz_start_section", count=str(count), section=section)
    if count == 1:
        return dialog.text("quiz_start_one")
    return dialog.text("quiz_start", count=str(count))


def quiz_topped_up(dialog: Dialog, count: int, section: str, available: int) -> str:
    """A quiz on a section with too few questions of its own, topped up from its neighbours."""
    return dialog.text(
        "quiz_start_topped_up", count=str(count), section=section, available=str(available)
    )


def feedback(
    dialog: Dialog, item: QuizItem, given: Given, mark: Mark | None, *, unclear: bool = False
) -> list[str]:
    """What the student hears after an answer, a skip, or a question given up as unclear:
    the verdict, the points that counted and those missed (or the answer), then the reason."""
    # Content is put inside the skill's sentences: "The right answer is the Soviet loan".
    answer = mid_sentence(item.answer.rstrip("."))
    if given.outcome is Outcome.RIGHT:
        said = [dialog.text("right_after_hint" if given.hinted else "right")]
    elif given.outcome is Outcome.SKIPPED:
        said = [
            dialog.text("moving_on" if unclear else "skipped"),
            dialog.text("the_answer_is", answer=answer),
        ]
    else:
        said = [dialog.text("partly" if given.outcome is Outcome.PARTLY else "wrong")]
        if mark is not None and mark.matched_points:
            # Which points counted, so a student knows what to keep.
            got = dialog.join([mid_sentence(p) for p in mark.matched_points])
            said.append(dialog.text("got_points", points=got))
        if mark is not None and mark.missed_points:
            missed = dialog.join([mid_sentence(p) for p in mark.missed_points])
            said.append(dialog.text("missed_points", points=missed))
        else:
            said.append(dialog.text("the_answer_is", answer=answer))
    return [*said, item.why]


def score_so_far(dialog: Dialog, state: QuizState) -> list[str]:
    """ "You have 2 out of 3 so far", once a question has been answered; else nothing."""
    if not state.index:
        return []
    score = spoken_score(dialog, state.score)
    return [dialog.text("running_score", score=score, asked=str(state.index))]


def questions_left(dialog: Dialog, left: int) -> str:
    return (
        dialog.text("last_question")
        if left == 1
        else dialog.text("questions_left", count=str(left))
    )


def final_score(dialog: Dialog, state: QuizState, weakest_section: str | None) -> list[str]:
    """The final score, then what to revise (or that nothing needs it)."""
    score = spoken_score(dialog, state.score)
    said = [dialog.text("final_score", score=score, total=str(len(state.item_ids)))]
    if weakest_section is None:
        return [*said, dialog.text("perfect")]
    return [*said, dialog.text("revise_section", section=weakest_section)]


def definitions(dialog: Dialog, terms: Sequence[GlossaryTerm], *, examples: bool) -> list[str]:
    """What glossary terms mean, each with its example from the topic when `examples`."""
    said = []
    for term in terms:
        said.append(dialog.text("define", term=term.term, meaning=term.meaning))
        if examples and term.example:
            said.append(term.example)
    return said


def progress_report(
    dialog: Dialog,
    summary: Summary | None,
    weakest_section: str | None,
    just_done: QuizState | None,
) -> list[str]:
    """ "How am I doing?": the quiz just done, then secure, still learning and not tried yet
    (with what secure means), and the weakest section only when one stands out. No summary
    means nothing has been asked yet."""
    said = []
    if just_done is not None:
        score = spoken_score(dialog, just_done.score)
        total = str(len(just_done.item_ids))
        said.append(dialog.text("progress_session", score=score, total=total))
    if summary is None:
        return [*said, dialog.text("progress_none")]
    counts = {
        "secure": str(summary.secure),
        "learning": str(summary.learning),
        "untried": str(summary.untried),
    }
    said += [dialog.text("progress", **counts), dialog.text("progress_secure_means")]
    if weakest_section is None:
        return [*said, dialog.text("progress_no_weak")]
    return [*said, dialog.text("progress_weakest", section=weakest_section)]
