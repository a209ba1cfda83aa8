"""The quiz, turn by turn: start, answer, skip, hint, how many left, stop, and leaving mid-quiz.

The rules live in skill.quiz; these handlers read the state, apply a rule, save, and speak.
"""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_intent_name, is_intent_name, is_request_type
from ask_sdk_model import Response

from skill import intents, progress, quiz, session
from skill.content import ItemKind, QuizItem
from skill.dialog import Dialog
from skill.handlers.common import SkillHandler, load_progress, now_of, reply, save_progress
from skill.handlers.questions import QuestionHandler, resolved_id, spoken_slot
from skill.language import format_number
from skill.quiz import Outcome, Phase, QuizState
from skill.session import SessionState
from skill.speech import Speech


def spoken_score(dialog: Dialog, score: float) -> str:
    """ "3", or "2 and a half" for a half point from a multi-point answer."""
    whole = int(score)
    rest = score - whole
    if abs(rest - 0.5) < 0.01:
        return f"{whole} {dialog.text('half')}"
    return format_number(round(score, 1))


class QuizHandler(SkillHandler):
    """Shared steps: the current question, said aloud, and saving the quiz."""

    def item(self, state: QuizState) -> QuizItem:
        """The question being asked."""
        return self.services.content.item(quiz.current(state))

    def active(self, handler_input: HandlerInput) -> QuizState | None:
        """The quiz waiting for an answer (or for a yes/no about leaving it), if any."""
        state = self.state(handler_input).quiz
        return state if state is not None and state.phase is not Phase.FINISHED else None

    def question(self, dialog: Dialog, state: QuizState) -> str:
        """The current question, with its options for a choice item; it ends with "?"."""
        item = self.item(state)
        if item.kind is not ItemKind.CHOICE:
            return item.question
        letters = dialog.variants("letters")
        options = [
            dialog.text("option", letter=letter, text=text)
            for letter, text in zip(letters, item.options, strict=False)
        ]
        options[-1] = f"{dialog.text('or').capitalize()} {options[-1].rstrip('.')}?"
        return " ".join([item.question, *options])

    def ask(
        self,
        handler_input: HandlerInput,
        speech: Speech,
        state: QuizState,
        base: SessionState | None = None,
    ) -> Response:
        """Save the quiz and end the turn with its current question, numbered."""
        dialog = self.dialog(handler_input)
        base = base or self.state(handler_input)
        session.save(handler_input, base.but(quiz=state, reading=None, confirm_reset=False))
        number, total = quiz.number(state)
        speech.say(dialog.text("quiz_number", number=str(number), total=str(total)))
        return reply(
            handler_input,
            speech,
            question=self.question(dialog, state),
            reprompt=dialog.text("quiz_reprompt"),
        )

    def finish(self, handler_input: HandlerInput, speech: Speech, state: QuizState) -> Response:
        """The final score, what to revise, and an offer to go again."""
        dialog = self.dialog(handler_input)
        total = len(state.item_ids)
        speech.say(
            dialog.text("final_score", score=spoken_score(dialog, state.score), total=str(total))
        )
        section = quiz.weakest_section(state, self.services.content.item)
        if section is None:
            speech.say(dialog.text("perfect"))
        else:
            title = self.services.content.section(section).title
            speech.say(dialog.text("revise_section", section=title))
        session.save(handler_input, self.state(handler_input).but(quiz=state, reading=None))
        return reply(
            handler_input,
            speech,
            question=dialog.text("another_quiz"),
            reprompt=dialog.text("another_reprompt"),
        )

    def start(
        self, handler_input: HandlerInput, count: int | None, section: str | None
    ) -> Response:
        """A new quiz: due and weakest facts first."""
        dialog = self.dialog(handler_input)
        content = self.services.content
        learnt = load_progress(handler_input)
        order = progress.order_for_quiz(learnt, content.quiz_facts, now_of(handler_input))
        count = quiz.question_count(count, len(content.items))
        state = quiz.start(quiz.choose_items(content.items, order, count, section))
        total = str(len(state.item_ids))
        if section is not None:
            title = content.section(section).title
            speech = Speech().say(dialog.text("quiz_start_section", count=total, section=title))
        elif len(state.item_ids) == 1:
            speech = Speech().say(dialog.text("quiz_start_one"))
        else:
            speech = Speech().say(dialog.text("quiz_start", count=total))
        return self.ask(handler_input, speech, state, SessionState(last=None))


class StartQuizHandler(QuizHandler):
    """ "Quiz me", "quiz me on the treaty", "give me ten questions"; "start over" mid-quiz."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        if is_intent_name(intents.START_QUIZ)(handler_input):
            return True
        return is_intent_name(intents.START_OVER)(handler_input) and self.active(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        active = self.active(handler_input)
        if active is not None and is_intent_name(intents.START_QUIZ)(handler_input):
            speech = Speech().say(self.dialog(handler_input).text("quiz_already"))
            return self.ask(handler_input, speech, quiz.stay(active))
        count = spoken_slot(handler_input, intents.SLOT_COUNT)
        entry_id = resolved_id(handler_input, intents.SLOT_TOPIC)
        section = None
        if entry_id and self.services.has_entry(entry_id):
            section = self.services.content.entry(entry_id).section
        return self.start(handler_input, int(count) if count.isdigit() else None, section)


class AnotherQuizHandler(QuizHandler):
    """ "Yes" or "no" to "would you like another quiz?"."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        state = self.state(handler_input).quiz
        return (
            state is not None
            and state.phase is Phase.FINISHED
            and (
                is_intent_name(intents.YES)(handler_input)
                or is_intent_name(intents.NO)(handler_input)
            )
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        if is_intent_name(intents.YES)(handler_input):
            return self.start(handler_input, None, None)
        dialog = self.dialog(handler_input)
        session.save(handler_input, self.state(handler_input).but(quiz=None))
        return self.what_next(handler_input, Speech().say(dialog.text("home")))


class LeaveQuizHandler(QuizHandler, QuestionHandler):
    """ "Yes" or "no" to "do you want to leave the quiz to hear the answer?"."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        state = self.active(handler_input)
        return (
            state is not None
            and state.phase is Phase.CONFIRM_LEAVE
            and (
                is_intent_name(intents.YES)(handler_input)
                or is_intent_name(intents.NO)(handler_input)
            )
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        state = self.active(handler_input)
        assert state is not None  # can_handle checked it
        if is_intent_name(intents.NO)(handler_input) or state.leave_for is None:
            speech = Speech().say(self.dialog(handler_input).text("back_to_quiz"))
            return self.ask(handler_input, speech, quiz.stay(state))
        session.save(handler_input, self.state(handler_input).but(quiz=None))
        return self.read(handler_input, self.services.content.entry(state.leave_for), part=0)


class QuizAnswerHandler(QuizHandler):
    """An answer to the current question: mark it, say why, give the score, ask the next."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        if self.active(handler_input) is None:
            return False
        # A bare topic name is an answer in a quiz ("the secret speech"), not a question.
        return any(is_intent_name(name)(handler_input) for name in (intents.ANSWER, intents.TOPIC))

    def handle(self, handler_input: HandlerInput) -> Response:
        state = quiz.stay(self.active(handler_input))
        spoken = " ".join(
            filter(
                None,
                (
                    spoken_slot(handler_input, intents.SLOT_ANSWER),
                    spoken_slot(handler_input, intents.SLOT_NUMBER),
                    spoken_slot(handler_input, intents.SLOT_TOPIC),
                ),
            )
        )
        if not spoken:
            return self.ask(
                handler_input, Speech().say(self.dialog(handler_input).text("quiz_fallback")), state
            )
        item = self.item(state)
        step = quiz.answer(state, item, spoken, self.services.content.aliases)
        return self.after(handler_input, item, step)

    def after(self, handler_input: HandlerInput, item: QuizItem, step: quiz.Step) -> Response:
        """Feedback, progress saved, then the next question or the final score."""
        dialog = self.dialog(handler_input)
        given = step.given
        learnt = progress.record_answer(
            load_progress(handler_input),
            item.facts,
            given.outcome is Outcome.RIGHT,
            now_of(handler_input),
            hint=given.hinted,
        )
        save_progress(handler_input, learnt)
        speech = Speech()
        if given.outcome is Outcome.RIGHT:
            speech.say(dialog.text("right_after_hint" if given.hinted else "right"))
        elif given.outcome is Outcome.SKIPPED:
            speech.say(
                dialog.text("skipped"), dialog.text("the_answer_is", answer=item.answer.rstrip("."))
            )
        else:
            speech.say(dialog.text("partly" if given.outcome is Outcome.PARTLY else "wrong"))
            if step.mark is not None and step.mark.missed_points:
                speech.say(
                    dialog.text("missed_points", points=dialog.join(list(step.mark.missed_points)))
                )
            else:
                speech.say(dialog.text("the_answer_is", answer=item.answer.rstrip(".")))
        speech.say(item.why)
        if step.finished:
            return self.finish(handler_input, speech.pause(), step.state)
        asked = str(step.state.index)
        speech.say(
            dialog.text("running_score", score=spoken_score(dialog, step.state.score), asked=asked)
        )
        return self.ask(handler_input, speech.pause(), step.state)


class SkipHandler(QuizAnswerHandler):
    """ "I don't know", "skip", "next": reveal the answer and move on."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return self.active(handler_input) is not None and (
            is_intent_name(intents.DONT_KNOW)(handler_input)
            or is_intent_name(intents.NEXT)(handler_input)
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        state = quiz.stay(self.active(handler_input))
        item = self.item(state)
        return self.after(handler_input, item, quiz.skip(state))


class HintHandler(QuizHandler):
    """ "Give me a hint": the item's hint; it costs the point."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return self.active(handler_input) is not None and is_intent_name(intents.HINT)(
            handler_input
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        state = quiz.stay(self.active(handler_input))
        dialog = self.dialog(handler_input)
        item = self.item(state)
        key = "hint_again" if state.hinted else "hint"
        speech = Speech().say(dialog.text(key, hint=item.hint))
        return self.ask(handler_input, speech, quiz.take_hint(state))


class HowManyLeftHandler(QuizHandler):
    """ "How many left?"."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return self.active(handler_input) is not None and is_intent_name(intents.HOW_MANY_LEFT)(
            handler_input
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        state = quiz.stay(self.active(handler_input))
        dialog = self.dialog(handler_input)
        left = quiz.remaining(state)
        text = (
            dialog.text("last_question")
            if left == 1
            else dialog.text("questions_left", count=str(left))
        )
        return self.ask(handler_input, Speech().say(text), state)


class StopQuizHandler(QuizHandler):
    """ "Stop the quiz" or "go home" mid-quiz: the score so far, then back to questions."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return self.active(handler_input) is not None and (
            is_intent_name(intents.STOP_QUIZ)(handler_input)
            or is_intent_name(intents.NAVIGATE_HOME)(handler_input)
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        state = self.active(handler_input)
        dialog = self.dialog(handler_input)
        speech = Speech().say(dialog.text("quiz_stopped"))
        if state.index:
            score = spoken_score(dialog, state.score)
            speech.say(dialog.text("running_score", score=score, asked=str(state.index)))
        session.save(handler_input, self.state(handler_input).but(quiz=None))
        return self.what_next(handler_input, speech)


class QuizHelpHandler(QuizHandler):
    """Help, repeat, fallback and stray words mid-quiz: explain, and ask the question again."""

    KEYS = {
        intents.HELP: "quiz_help",
        intents.REPEAT: None,
        intents.FALLBACK: "quiz_fallback",
        intents.YES: "quiz_fallback",
        intents.NO: "quiz_fallback",
        intents.MORE: "quiz_fallback",
        intents.RESET_PROGRESS: "quiz_later",
        intents.LIST_TOPICS: "quiz_later",
        # Follow-ups to an answer mean nothing mid-quiz: the question is asked again (slower
        # re-reads it through repeat's path only outside a quiz).
        intents.WHY_FOLLOW_UP: "quiz_fallback",
        intents.DEFINE: "quiz_later",
        intents.SLOWER: None,
    }

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return (
            is_request_type("IntentRequest")(handler_input)
            and get_intent_name(handler_input) in self.KEYS
            and self.active(handler_input) is not None
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        key = self.KEYS[get_intent_name(handler_input)]
        speech = Speech()
        if key is not None:
            speech.say(self.dialog(handler_input).text(key))
        return self.ask(handler_input, speech, quiz.stay(self.active(handler_input)))


class QuizInterruptHandler(QuizHandler, QuestionHandler):
    """A revision question mid-quiz: the quiz is not dropped; ask whether to leave it."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return (
            is_request_type("IntentRequest")(handler_input)
            and get_intent_name(handler_input) in intents.QUESTION_CARRIERS
            and self.active(handler_input) is not None
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        state = self.active(handler_input)
        dialog = self.dialog(handler_input)
        entry = self.find_entry(handler_input)
        if entry is None:
            speech = Speech().say(dialog.text("dont_know"), dialog.text("back_to_quiz"))
            return self.ask(handler_input, speech, quiz.stay(state))
        session.save(
            handler_input, self.state(handler_input).but(quiz=quiz.ask_to_leave(state, entry.id))
        )
        return reply(
            handler_input,
            Speech(),
            question=dialog.text("confirm_leave"),
            reprompt=dialog.text("leave_reprompt"),
        )


class NotInQuizHandler(SkillHandler):
    """Quiz commands with no quiz running: say so, and how to start one."""

    NAMES = (intents.DONT_KNOW, intents.HINT, intents.HOW_MANY_LEFT, intents.STOP_QUIZ)

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return any(is_intent_name(name)(handler_input) for name in self.NAMES)

    def handle(self, handler_input: HandlerInput) -> Response:
        dialog = self.dialog(handler_input)
        session.save(handler_input, self.state(handler_input).but(quiz=None))
        return self.what_next(handler_input, Speech().say(dialog.text("not_in_quiz")))


class ProgressHandler(QuizHandler):
    """ "How am I doing?": facts secure, and the weakest section. Mid-quiz, the quiz goes on."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name(intents.PROGRESS)(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        dialog = self.dialog(handler_input)
        speech = Speech()
        learnt = load_progress(handler_input)
        content = self.services.content
        if not learnt.facts:
            speech.say(dialog.text("progress_none"))
        else:
            summary = progress.summarise(learnt, content.facts_by_section, now_of(handler_input))
            speech.say(
                dialog.text("progress", secure=str(summary.secure), total=str(summary.total))
            )
            if summary.weakest_section is None:
                speech.say(dialog.text("progress_no_weak"))
            else:
                title = content.section(summary.weakest_section).title
                speech.say(dialog.text("progress_weakest", section=title))
        active = self.active(handler_input)
        if active is not None:
            return self.ask(handler_input, speech, quiz.stay(active))
        return self.what_next(handler_input, speech)


class ResetProgressHandler(SkillHandler):
    """ "Reset my progress": ask for a yes or no first."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name(intents.RESET_PROGRESS)(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        dialog = self.dialog(handler_input)
        session.save(handler_input, self.state(handler_input).but(confirm_reset=True, reading=None))
        return reply(
            handler_input,
            Speech(),
            question=dialog.text("reset_confirm"),
            reprompt=dialog.text("reset_reprompt"),
        )


class ConfirmResetHandler(SkillHandler):
    """ "Yes" resets the progress; "no" keeps it."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return self.state(handler_input).confirm_reset and (
            is_intent_name(intents.YES)(handler_input) or is_intent_name(intents.NO)(handler_input)
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        dialog = self.dialog(handler_input)
        if is_intent_name(intents.YES)(handler_input):
            handler_input.attributes_manager.delete_persistent_attributes()
            text = dialog.text("reset_done")
        else:
            text = dialog.text("reset_kept")
        session.save(handler_input, self.state(handler_input).but(confirm_reset=False))
        return self.what_next(handler_input, Speech().say(text))
