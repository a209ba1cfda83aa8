"""The quiz, turn by turn: start, answer, skip, hint, how many left, stop, and leaving mid-quiz.

The rules live in skill.quiz; these handlers read the state, apply a rule, save, and speak.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar, cast

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_intent_name, is_intent_name, is_request_type
from ask_sdk_model import Response

from skill import intents, progress, prompts, quiz, session
from skill.content import ItemKind, QuizItem
from skill.dialog import Dialog
from skill.handlers.common import (
    Services,
    SkillHandler,
    active_quiz,
    dialog_of,
    in_phase,
    load_paused,
    load_progress,
    now_of,
    quiz_active,
    reply,
    save_progress,
    what_next,
)
from skill.handlers.questions import find_entry, read, resolved_id, spoken_slot
from skill.handlers.routing import ANY_INTENT
from skill.quiz import Outcome, Phase, QuizState
from skill.quiz_turns import Turn, asked_term, understand
from skill.session import SessionState
from skill.speech import Speech

_TURN = "quiz_turn"  # the request attribute holding what a turn mid-quiz is taken as


def answer_words(handler_input: HandlerInput) -> str:
    """The words of an answer, from whichever slot Alexa filled."""
    slots = (intents.SLOT_ANSWER, intents.SLOT_NUMBER, intents.SLOT_TOPIC)
    return " ".join(filter(None, (spoken_slot(handler_input, slot) for slot in slots)))


def current_item(services: Services, state: QuizState) -> QuizItem:
    """The question being asked."""
    return services.content.item(quiz.current(state))


def question(services: Services, dialog: Dialog, state: QuizState) -> str:
    """The current question, as presented, with its options for a choice item."""
    return prompts.quiz_question(dialog, quiz.presented(state, current_item(services, state)))


def shown(services: Services, state: QuizState) -> QuizState:
    """The quiz with its current choice question's options chosen, once per question: a
    repeat reads the same options, the next presentation a new draw."""
    if state.phase is Phase.FINISHED:
        return state
    item = current_item(services, state)
    allowed = {item.answer, *item.wrong_options}
    if item.kind is ItemKind.CHOICE and not (
        item.answer in state.options and set(state.options) <= allowed
    ):
        return quiz.present(state, item, services.rng)
    return state


def ask(
    services: Services,
    handler_input: HandlerInput,
    speech: Speech,
    state: QuizState,
    base: SessionState | None = None,
    *,
    slow: bool = False,
    reprompt_key: str = "quiz_reprompt",
) -> Response:
    """Save the quiz and end the turn with its current question, numbered; `slow` reads it
    all more slowly."""
    dialog = dialog_of(services, handler_input)
    base = base or services.state(handler_input)
    state = shown(services, state)
    session.save(handler_input, base.but(quiz=state, reading=None, confirm_reset=False))
    speech.say(prompts.quiz_number(dialog, *quiz.number(state)))
    return reply(
        handler_input,
        speech,
        question=question(services, dialog, state),
        reprompt=dialog.text(reprompt_key),
        slow=slow,
    )


def finish(
    services: Services, handler_input: HandlerInput, speech: Speech, state: QuizState
) -> Response:
    """The final score, what to revise, and an offer to go again."""
    dialog = dialog_of(services, handler_input)
    section = quiz.weakest_section(state, services.content.item)
    title = services.content.section(section).title if section is not None else None
    speech.say(*prompts.final_score(dialog, state, title))
    session.save(handler_input, services.state(handler_input).but(quiz=state, reading=None))
    return reply(
        handler_input,
        speech,
        question=dialog.text("another_quiz"),
        reprompt=dialog.text("another_reprompt"),
    )


def not_understood(services: Services, handler_input: HandlerInput, state: QuizState) -> Response:
    """Not understood: say how to answer; the second time in a row, move on, so the same
    question is never asked more than twice running."""
    state = quiz.not_understood(state)
    if state.unclear >= quiz.MAX_UNCLEAR:
        item = current_item(services, state)
        return after(services, handler_input, item, quiz.skip(state), unclear=True)
    speech = Speech().say(dialog_of(services, handler_input).text("quiz_fallback"))
    return ask(services, handler_input, speech, state, reprompt_key="quiz_unclear_reprompt")


def after(
    services: Services,
    handler_input: HandlerInput,
    item: QuizItem,
    step: quiz.Step,
    unclear: bool = False,
) -> Response:
    """Feedback, progress saved, then the next question or the final score."""
    dialog = dialog_of(services, handler_input)
    learnt = progress.record_answer(
        load_progress(handler_input),
        item.facts,
        step.given.outcome is Outcome.RIGHT,
        now_of(handler_input),
        hint=step.given.hinted,
    )
    save_progress(handler_input, learnt)
    speech = Speech().say(*prompts.feedback(dialog, item, step.given, step.mark, unclear=unclear))
    if step.finished:
        return finish(services, handler_input, speech.pause(), step.state)
    speech.say(*prompts.score_so_far(dialog, step.state))
    return ask(services, handler_input, speech.pause(), step.state)


def start(
    services: Services, handler_input: HandlerInput, count: int | None, section: str | None
) -> Response:
    """A new quiz: due and weakest facts first."""
    dialog = dialog_of(services, handler_input)
    content = services.content
    rng = services.rng
    facts = quiz.interleaved(content.facts_by_section, rng)
    order = progress.order_for_quiz(load_progress(handler_input), facts, now_of(handler_input))
    count = quiz.question_count(count, len(content.items))
    chosen = quiz.choose_items(content.items, order, count, section, rng)
    title = content.section(section).title if section is not None else None
    if section is not None and title is not None and len(chosen) < count:
        # Too few questions on the topic: say so, and top up from the nearest sections.
        sections = [s.id for s in content.sections]
        topped = quiz.topped_up(content.items, chosen, count, section, sections, order)
        said = prompts.quiz_topped_up(dialog, len(topped), title, len(chosen))
        return ask(
            services, handler_input, Speech().say(said), quiz.start(topped), SessionState(last=None)
        )
    state = quiz.start(chosen)
    said = prompts.quiz_start(dialog, len(state.item_ids), title)
    return ask(services, handler_input, Speech().say(said), state, SessionState(last=None))


class ResumeQuizHandler(SkillHandler):
    """Opening the skill after pausing a quiz: carry on from the same question."""

    takes = frozenset({"LaunchRequest"})

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return super().can_handle(handler_input) and (
            load_paused(handler_input, self.services) is not None
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        paused = load_paused(handler_input, self.services)
        assert paused is not None  # can_handle checked it
        dialog = self.dialog(handler_input)
        save_progress(handler_input, load_progress(handler_input))  # no longer paused
        number, total = quiz.number(paused)
        speech = Speech().say(dialog.text("welcome_back"))
        speech.say(dialog.text("quiz_resumed", number=str(number), total=str(total)))
        return ask(self.services, handler_input, speech, quiz.stay(paused), SessionState())


class StartQuizHandler(SkillHandler):
    """ "Quiz me", "quiz me on the treaty", "give me ten questions"; "start over" mid-quiz."""

    takes = frozenset({intents.START_QUIZ, intents.START_OVER})

    def can_handle(self, handler_input: HandlerInput) -> bool:
        if not super().can_handle(handler_input):
            return False
        # "Start over" starts a quiz again only mid-quiz; elsewhere it goes home.
        return is_intent_name(intents.START_QUIZ)(handler_input) or quiz_active(self.services)(
            handler_input
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        active = active_quiz(self.services, handler_input)
        if active is not None and is_intent_name(intents.START_QUIZ)(handler_input):
            speech = Speech().say(self.dialog(handler_input).text("quiz_already"))
            return ask(self.services, handler_input, speech, quiz.stay(active))
        count = spoken_slot(handler_input, intents.SLOT_COUNT)
        return start(
            self.services,
            handler_input,
            int(count) if count.isdigit() else None,
            self.topic(handler_input),
        )

    def topic(self, handler_input: HandlerInput) -> str | None:
        """The section a quiz is asked on: the topic named, or the entry the matcher finds for
        its words ("quiz me on the loan" is the treaty)."""
        entry_id = resolved_id(handler_input, intents.SLOT_TOPIC)
        if entry_id and self.services.has_entry(entry_id):
            return self.services.content.entry(entry_id).section
        words = spoken_slot(handler_input, intents.SLOT_TOPIC)
        found = self.services.matcher.match(words) if words else None
        return found.entry.section if found else None


class AnotherQuizHandler(SkillHandler):
    """ "Yes" or "no" to "would you like another quiz?"."""

    takes = frozenset({intents.YES, intents.NO})

    def can_handle(self, handler_input: HandlerInput) -> bool:
        finished = in_phase(self.services, Phase.FINISHED)
        return super().can_handle(handler_input) and finished(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        if is_intent_name(intents.YES)(handler_input):
            return start(self.services, handler_input, None, None)
        dialog = self.dialog(handler_input)
        session.save(handler_input, self.state(handler_input).but(quiz=None))
        return what_next(self.services, handler_input, Speech().say(dialog.text("home")))


class LeaveQuizHandler(SkillHandler):
    """ "Yes" or "no" to "do you want to leave the quiz to hear the answer?"."""

    takes = frozenset({intents.YES, intents.NO})

    def can_handle(self, handler_input: HandlerInput) -> bool:
        confirming = in_phase(self.services, Phase.CONFIRM_LEAVE)
        return super().can_handle(handler_input) and confirming(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        state = active_quiz(self.services, handler_input)
        assert state is not None  # can_handle checked it
        if is_intent_name(intents.NO)(handler_input) or state.leave_for is None:
            speech = Speech().say(self.dialog(handler_input).text("back_to_quiz"))
            return ask(self.services, handler_input, speech, quiz.stay(state))
        session.save(handler_input, self.state(handler_input).but(quiz=None))
        return read(
            self.services, handler_input, self.services.content.entry(state.leave_for), part=0
        )


class QuizTurnHandler(SkillHandler):
    """Every turn mid-quiz that the quiz understands: taken once as an answer or a request
    (skill.quiz_turns, which `python -m skill.tools.eval_quiz_turns` measures), then answered by the
    step for that kind. Requests are recognised before anything is marked, whether Alexa routed
    them to their own intent or put their words in the answer slot."""

    takes = frozenset({ANY_INTENT})

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return quiz_active(self.services)(handler_input) and self.turn(handler_input) is not None

    def turn(self, handler_input: HandlerInput) -> Turn | None:
        # Worked out once per request (can_handle, then handle), kept with the request.
        attributes = handler_input.attributes_manager.request_attributes
        if _TURN not in attributes:
            attributes[_TURN] = (
                understand(str(get_intent_name(handler_input)), answer_words(handler_input))
                if is_request_type("IntentRequest")(handler_input)
                else None
            )
        return cast(Turn | None, attributes[_TURN])

    def handle(self, handler_input: HandlerInput) -> Response:
        turn, active = self.turn(handler_input), active_quiz(self.services, handler_input)
        assert turn is not None and active is not None  # can_handle checked them
        return self.STEPS[turn](self, handler_input, quiz.stay(active))

    def on_answer(self, handler_input: HandlerInput, state: QuizState) -> Response:
        spoken = answer_words(handler_input)
        if not spoken:
            return not_understood(self.services, handler_input, state)
        item = current_item(self.services, state)
        answered = get_intent_name(handler_input) == intents.ANSWER
        carried = intents.ANSWER_SUBJECTS if answered else ()
        step = quiz.answer(state, item, spoken, self.services.content.aliases, carried)
        return after(self.services, handler_input, item, step)

    def on_skip(self, handler_input: HandlerInput, state: QuizState) -> Response:
        return after(
            self.services, handler_input, current_item(self.services, state), quiz.skip(state)
        )

    def on_hint(self, handler_input: HandlerInput, state: QuizState) -> Response:
        dialog = self.dialog(handler_input)
        key = "hint_again" if state.hinted else "hint"
        speech = Speech().say(dialog.text(key, hint=current_item(self.services, state).hint))
        return ask(self.services, handler_input, speech, quiz.take_hint(state))

    def on_repeat(self, handler_input: HandlerInput, state: QuizState) -> Response:
        return ask(self.services, handler_input, Speech(), state)

    def on_slower(self, handler_input: HandlerInput, state: QuizState) -> Response:
        return ask(self.services, handler_input, Speech(), state, slow=True)

    def on_help(self, handler_input: HandlerInput, state: QuizState) -> Response:
        speech = Speech().say(self.dialog(handler_input).text("quiz_help"))
        return ask(self.services, handler_input, speech, state)

    def on_filler(self, handler_input: HandlerInput, state: QuizState) -> Response:
        """Thinking aloud: wait, without marking or reading the question out again."""
        dialog = self.dialog(handler_input)
        session.save(handler_input, self.state(handler_input).but(quiz=state))
        return reply(
            handler_input,
            Speech().say(dialog.text("quiz_wait")),
            question=dialog.text("quiz_wait_question"),
            reprompt=question(self.services, dialog, state),
        )

    def on_meaning(self, handler_input: HandlerInput, state: QuizState) -> Response:
        """What a word means, from the glossary: the word asked about, or the glossary's words
        in the question; then the question again."""
        dialog = self.dialog(handler_input)
        content = self.services.content
        said = spoken_slot(handler_input, intents.SLOT_TERM) or asked_term(
            answer_words(handler_input)
        )
        term = content.define(said) if said else None
        terms = [term] if term else content.terms_in(question(self.services, dialog, state))[:1]
        speech = Speech().say(*prompts.definitions(dialog, terms, examples=False))
        if not terms:
            speech.say(dialog.text("no_term"))
        return ask(self.services, handler_input, speech.say(dialog.text("back_to_quiz")), state)

    def on_progress(self, handler_input: HandlerInput, state: QuizState) -> Response:
        """The score so far and what is left: the quiz goes on."""
        dialog = self.dialog(handler_input)
        speech = Speech().say(*prompts.score_so_far(dialog, state))
        speech.say(prompts.questions_left(dialog, quiz.remaining(state)))
        return ask(self.services, handler_input, speech, state)

    def on_stop_quiz(self, handler_input: HandlerInput, state: QuizState) -> Response:
        """The score so far, then back to revision questions."""
        dialog = self.dialog(handler_input)
        speech = Speech().say(dialog.text("quiz_stopped"), *prompts.score_so_far(dialog, state))
        session.save(handler_input, self.state(handler_input).but(quiz=None))
        return what_next(self.services, handler_input, speech)

    def on_end_session(self, handler_input: HandlerInput, state: QuizState) -> Response:
        """ "Goodbye" mid-quiz: the score so far, and the session ends."""
        dialog = self.dialog(handler_input)
        speech = Speech().say(*prompts.score_so_far(dialog, state), dialog.text("goodbye"))
        return reply(handler_input, speech, question=None)

    def on_pause(self, handler_input: HandlerInput, state: QuizState) -> Response:
        """A break: the quiz is kept with the student's progress, and the session ends; the
        next visit offers to carry on from the same question."""
        dialog = self.dialog(handler_input)
        save_progress(handler_input, load_progress(handler_input), paused=state)
        number, total = quiz.number(state)
        speech = Speech().say(dialog.text("quiz_paused", number=str(number), total=str(total)))
        return reply(handler_input, speech, question=None)

    def on_question(self, handler_input: HandlerInput, state: QuizState) -> Response:
        """A revision question mid-quiz: the quiz is not dropped; ask whether to leave it."""
        dialog = self.dialog(handler_input)
        entry = find_entry(self.services, handler_input)
        if entry is None:
            speech = Speech().say(dialog.text("dont_know"), dialog.text("back_to_quiz"))
            return ask(self.services, handler_input, speech, state)
        session.save(
            handler_input, self.state(handler_input).but(quiz=quiz.ask_to_leave(state, entry.id))
        )
        return reply(
            handler_input,
            Speech(),
            question=dialog.text("confirm_leave"),
            reprompt=dialog.text("leave_reprompt"),
        )

    STEPS: ClassVar[dict[Turn, Callable[..., Response]]] = {
        Turn.ANSWER: on_answer,
        Turn.SKIP: on_skip,
        Turn.HINT: on_hint,
        Turn.REPEAT: on_repeat,
        Turn.SLOWER: on_slower,
        Turn.HELP: on_help,
        Turn.FILLER: on_filler,
        Turn.MEANING: on_meaning,
        Turn.PROGRESS: on_progress,
        Turn.STOP_QUIZ: on_stop_quiz,
        Turn.END_SESSION: on_end_session,
        Turn.PAUSE: on_pause,
        Turn.QUESTION: on_question,
    }


class QuizStrayHandler(SkillHandler):
    """What the quiz does not take mid-quiz: words Alexa could not place (FallbackIntent), a
    "yes", "no" or "more" out of turn, and commands for later."""

    LATER = (intents.RESET_PROGRESS, intents.LIST_TOPICS, intents.WHY_FOLLOW_UP)

    takes = frozenset({ANY_INTENT})

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return super().can_handle(handler_input) and quiz_active(self.services)(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        active = active_quiz(self.services, handler_input)
        assert active is not None  # can_handle checked it
        state = quiz.stay(active)
        if get_intent_name(handler_input) in self.LATER:
            speech = Speech().say(self.dialog(handler_input).text("quiz_later"))
            return ask(self.services, handler_input, speech, state)
        return not_understood(self.services, handler_input, state)


class NotInQuizHandler(SkillHandler):
    """Quiz commands with no quiz running: say so, and how to start one."""

    takes = frozenset(
        {intents.DONT_KNOW, intents.HINT, intents.HOW_MANY_LEFT, intents.STOP_QUIZ, intents.PAUSE}
    )

    def handle(self, handler_input: HandlerInput) -> Response:
        dialog = self.dialog(handler_input)
        session.save(handler_input, self.state(handler_input).but(quiz=None))
        return what_next(self.services, handler_input, Speech().say(dialog.text("not_in_quiz")))


class ProgressHandler(SkillHandler):
    """ "How am I doing?" outside a quiz: first the quiz just done, then where the student
    stands (secure, still learning, not tried yet, and what secure means), and a weakest
    section only when one stands out. (Mid-quiz, QuizTurnHandler gives the score so far.)"""

    takes = frozenset({intents.PROGRESS})

    def handle(self, handler_input: HandlerInput) -> Response:
        dialog = self.dialog(handler_input)
        just_done = self.state(handler_input).quiz
        if just_done is not None and just_done.phase is not Phase.FINISHED:
            just_done = None
        learnt = load_progress(handler_input)
        content = self.services.content
        summary = weakest = None
        if learnt.facts:
            summary = progress.summarise(learnt, content.facts_by_section, now_of(handler_input))
            if summary.weakest_section is not None:
                weakest = content.section(summary.weakest_section).title
        speech = Speech().say(*prompts.progress_report(dialog, summary, weakest, just_done))
        return what_next(self.services, handler_input, speech)


class ResetProgressHandler(SkillHandler):
    """ "Reset my progress": ask for a yes or no first."""

    takes = frozenset({intents.RESET_PROGRESS})

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

    takes = frozenset({intents.YES, intents.NO})

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return super().can_handle(handler_input) and self.state(handler_input).confirm_reset

    def handle(self, handler_input: HandlerInput) -> Response:
        dialog = self.dialog(handler_input)
        if is_intent_name(intents.YES)(handler_input):
            handler_input.attributes_manager.delete_persistent_attributes()
            text = dialog.text("reset_done")
        else:
            text = dialog.text("reset_kept")
        session.save(handler_input, self.state(handler_input).but(confirm_reset=False))
        return what_next(self.services, handler_input, Speech().say(text))
