"""Answering revision questions: one path for the topic slot and the free-form question intents."""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_intent_name, get_slot, is_intent_name, is_request_type
from ask_sdk_model import Response
from ask_sdk_model.slu.entityresolution import StatusCode

from skill import intents, session
from skill.content import Entry
from skill.handlers.common import SkillHandler, reply
from skill.speech import Speech, split_points


def resolved_id(handler_input: HandlerInput, slot_name: str) -> str | None:
    """The id of a custom slot value that entity resolution matched, if any."""
    slot = get_slot(handler_input, slot_name)
    resolutions = slot and slot.resolutions and slot.resolutions.resolutions_per_authority
    for authority in resolutions or []:
        if authority.status and authority.status.code == StatusCode.ER_SUCCESS_MATCH:
            return authority.values[0].value.id
    return None


def spoken_slot(handler_input: HandlerInput, slot_name: str) -> str:
    """The raw words of a slot, or "" when it is absent."""
    slot = get_slot(handler_input, slot_name)
    return (slot.value or "").strip().lower() if slot else ""


class QuestionHandler(SkillHandler):
    """A question about the topic, by topic name or in free form."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        # Outside a quiz, a bare answer ("the secret speech") is a question about it.
        return is_request_type("IntentRequest")(handler_input) and (
            get_intent_name(handler_input) in (intents.TOPIC, intents.ANSWER)
            or get_intent_name(handler_input) in intents.QUESTION_CARRIERS
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        entry = self.find_entry(handler_input)
        if entry is None:
            return self.not_known(handler_input)
        return self.read(handler_input, entry, part=0)

    def find_entry(self, handler_input: HandlerInput) -> Entry | None:
        name = get_intent_name(handler_input)
        if name == intents.TOPIC:
            entry_id = resolved_id(handler_input, intents.SLOT_TOPIC)
            if entry_id and self.services.has_entry(entry_id):
                return self.services.content.entry(entry_id)
            text = spoken_slot(handler_input, intents.SLOT_TOPIC)
        elif name == intents.ANSWER:
            text = spoken_slot(handler_input, intents.SLOT_ANSWER) or spoken_slot(
                handler_input, intents.SLOT_NUMBER
            )
        else:
            text = intents.restore_carrier(name, spoken_slot(handler_input, intents.SLOT_QUERY))
        match = self.services.matcher.match(text)
        return match.entry if match else None

    def not_known(self, handler_input: HandlerInput) -> Response:
        """Say honestly that the skill can't answer, and name things it can."""
        dialog = self.dialog(handler_input)
        speech = Speech().say(
            dialog.text("dont_know"),
            dialog.text("can_answer", topics=dialog.join(self.some_titles())),
        )
        return self.after_answer(handler_input, speech)

    def read(self, handler_input: HandlerInput, entry: Entry, part: int) -> Response:
        """Read one part of an entry's answer; a long answer ends by offering more."""
        dialog = self.dialog(handler_input)
        answer = entry.answer
        parts = split_points(answer.lead, answer.points)
        current = parts[part]
        speech = Speech()
        if part == 0:
            speech.say(answer.lead)
        else:
            speech.say(dialog.text("continuing"))
        points = answer.points[current.first : current.first + current.count]
        speech.items(points, dialog.ordinals(), start=current.first)
        more = part + 1 < len(parts)
        reading = session.Reading(entry.id, part + 1) if more else None
        # A question after a quiz ends it: a later "yes" must not start another.
        session.save(handler_input, self.state(handler_input).but(reading=reading, quiz=None))
        return reply(
            handler_input,
            speech,
            question=dialog.text("more_question" if more else "after_answer_question"),
            reprompt=dialog.text("more_reprompt" if more else "answer_reprompt"),
            card=entry,
        )


class MoreHandler(QuestionHandler):
    """ "More", "next", or "yes" to "would you like to hear more?": the next part of an answer."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        if is_intent_name(intents.MORE)(handler_input) or is_intent_name(intents.NEXT)(
            handler_input
        ):
            return True
        return (
            is_intent_name(intents.YES)(handler_input)
            and self.state(handler_input).reading is not None
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        reading = self.state(handler_input).reading
        if reading is not None:
            entry = self.services.content.entry(reading.entry_id)
            parts = split_points(entry.answer.lead, entry.answer.points)
            if reading.next_part < len(parts):
                return self.read(handler_input, entry, reading.next_part)
        return self.after_answer(
            handler_input, Speech().say(self.dialog(handler_input).text("nothing_more"))
        )


class ListTopicsHandler(SkillHandler):
    """ "What can I ask about?": the sections of the topic."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name(intents.LIST_TOPICS)(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        dialog = self.dialog(handler_input)
        titles = [section.title for section in self.services.content.sections]
        speech = Speech().say(dialog.text("list_topics", topics=dialog.join(titles)))
        speech.say(self.examples(handler_input), dialog.text("list_topics_quiz"))
        return self.what_next(handler_input, speech)
