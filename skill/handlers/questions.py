"""Answering revision questions: one path for the topic slot and the free-form question intents."""

from __future__ import annotations

from collections.abc import Sequence

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_intent_name, get_slot, is_intent_name
from ask_sdk_model import Response
from ask_sdk_model.canfulfill import (
    CanFulfillIntent,
    CanFulfillIntentValues,
    CanFulfillSlot,
    CanFulfillSlotValues,
    CanUnderstandSlotValues,
)

from skill import intents, prompts, session
from skill.content import Content, Entry, GlossaryTerm
from skill.handlers.common import (
    Services,
    SkillHandler,
    after_answer,
    dialog_of,
    examples,
    reply,
    some_sections,
    what_next,
)
from skill.language import compiled
from skill.matching import HEDGE_THRESHOLD
from skill.speech import Part, Speech, split_points


def resolved_id(handler_input: HandlerInput, slot_name: str) -> str | None:
    """The id of a custom slot value that entity resolution matched, if any."""
    slot = get_slot(handler_input, slot_name)
    resolutions = slot and slot.resolutions and slot.resolutions.resolutions_per_authority
    if not resolutions:
        return None
    # Imported here, not at a cold start, which has no use for it: reading the resolutions
    # from the request has imported it already.
    from ask_sdk_model.slu.entityresolution import StatusCode

    for authority in resolutions:
        values = authority.values or []
        if authority.status and authority.status.code == StatusCode.ER_SUCCESS_MATCH and values:
            value = values[0].value
            return value.id if value else None
    return None


def spoken_slot(handler_input: HandlerInput, slot_name: str) -> str:
    """The raw words of a slot, or "" when it is absent."""
    slot = get_slot(handler_input, slot_name)
    return (slot.value or "").strip().lower() if slot else ""


# Words that point back to the last answer: "what about its size", "why did they do it".
_POINTING_BACK = frozenset({"it", "its", "that", "this", "they", "them", "their", "those", "he",
                            "him", "his"})  # fmt: skip
# What a question asking for a definition says before the thing to define: "what is a".
_DEFINITION_ASKED = r"^(?:what|who)(?: (?:is|was|are|were|s))?(?: (?:a|an|the))? "


def question_text(handler_input: HandlerInput) -> str:
    """The question as the student said it, carrier put back ("what were the terms")."""
    name = get_intent_name(handler_input)
    if name == intents.TOPIC:
        return spoken_slot(handler_input, intents.SLOT_TOPIC)
    if name == intents.ANSWER:
        return spoken_slot(handler_input, intents.SLOT_ANSWER) or spoken_slot(
            handler_input, intents.SLOT_NUMBER
        )
    return intents.restore_carrier(str(name), spoken_slot(handler_input, intents.SLOT_QUERY))


def definition_asked(content: Content, text: str) -> GlossaryTerm | None:
    """The glossary term a "what is X" question asks about, when X is a glossary term and no
    entry is named after it ("what is communism"; "what was the secret speech" is an entry's)."""
    asked = compiled(_DEFINITION_ASKED)
    if not asked.match(text):
        return None
    term = content.define(asked.sub("", text))
    return None if term is None or term.term in content.titled_terms else term


def find_entry(
    services: Services, handler_input: HandlerInput, text: str | None = None
) -> Entry | None:
    """The entry a question asks for; a follow-up ("what about the loan", "why did they do
    that") is read with the last answer's topic when it does not match alone. `text`: the
    question_text, when the caller has it already."""
    if get_intent_name(handler_input) == intents.TOPIC:
        entry_id = resolved_id(handler_input, intents.SLOT_TOPIC)
        if entry_id and services.has_entry(entry_id):
            return services.content.entry(entry_id)
    if text is None:
        text = question_text(handler_input)
    match = services.matcher.match(text)
    if match is not None:
        return match.entry
    topic = services.state(handler_input).topic
    follow_up = get_intent_name(handler_input) == intents.WHAT_ABOUT_QUESTION or bool(
        _POINTING_BACK & set(text.split())
    )
    if topic is not None and follow_up:
        in_context = f"{text} {services.content.entry(topic).title}"
        match = services.matcher.match(in_context)
    return match.entry if match else None


def not_known(services: Services, handler_input: HandlerInput, text: str) -> Response:
    """Say honestly that the skill can't answer. When an entry is close, offer it ("the
    nearest I have is..."); otherwise name the topics nearest to the words heard."""
    dialog = dialog_of(services, handler_input)
    nearest = services.matcher.nearest(text)
    if nearest and nearest[0].confidence >= HEDGE_THRESHOLD:
        speech = Speech().say(dialog.text("hedge"))
        return offer(services, handler_input, speech, nearest[0].entry, "offer_question")
    names = [m.entry.spoken_name for m in nearest] or some_sections(services)
    speech = Speech().say(
        dialog.text("dont_know"), dialog.text("can_answer", topics=dialog.join(names))
    )
    return after_answer(services, handler_input, speech)


def offer(
    services: Services,
    handler_input: HandlerInput,
    speech: Speech,
    entry: Entry,
    question_key: str,
) -> Response:
    """End the turn by offering an entry with a yes/no question; "yes" reads it."""
    dialog = dialog_of(services, handler_input)
    state = services.state(handler_input)
    session.save(handler_input, state.but(reading=None, offer=entry.id))
    return reply(
        handler_input,
        speech,
        question=dialog.text(question_key, name=entry.spoken_name),
        reprompt=dialog.text("offer_reprompt"),
    )


def define(
    services: Services, handler_input: HandlerInput, terms: Sequence[GlossaryTerm]
) -> Response:
    """Say what glossary terms mean, with an example from the topic."""
    dialog = dialog_of(services, handler_input)
    speech = Speech().say(*prompts.definitions(dialog, terms, examples=True))
    return after_answer(services, handler_input, speech)


def read(
    services: Services,
    handler_input: HandlerInput,
    entry: Entry,
    part: int,
    *,
    whole: bool = False,
    reason: bool = False,
) -> Response:
    """Read one part of an entry's answer; a long answer ends by offering more. `whole` reads
    every point at once; `reason` adds the entry's reason when the answer does not already
    give it."""
    dialog = dialog_of(services, handler_input)
    answer = entry.answer
    parts = [Part(0, len(answer.points))] if whole else split_points(answer.lead, answer.points)
    current = parts[part]
    speech = Speech()
    if part == 0:
        speech.say(answer.lead)
    else:
        speech.say(dialog.text("continuing"))
    points = answer.points[current.first : current.first + current.count]
    if answer.is_list:
        speech.items(points, dialog.ordinals(), start=current.first)
    else:
        speech.sentences(points)
    more = part + 1 < len(parts)
    if reason and not more and entry.why:
        said = " ".join((answer.lead, *answer.points))
        if not services.matcher.repeats(said, entry.why):
            speech.pause().say(entry.why)
    reading = session.Reading(entry.id, part + 1) if more else None
    # A question after a quiz ends it: a later "yes" must not start another.
    state = services.state(handler_input)
    session.save(handler_input, state.but(reading=reading, quiz=None, topic=entry.id, offer=None))
    return reply(
        handler_input,
        speech,
        question=dialog.text("more_question" if more else "after_answer_question"),
        reprompt=dialog.text("more_reprompt" if more else "answer_reprompt"),
        card=entry,
    )


class QuestionHandler(SkillHandler):
    """A question about the topic, by topic name or in free form."""

    # By a topic's name, in free form, or (outside a quiz) a bare answer ("the secret speech")
    # asking about it.
    takes = frozenset({intents.TOPIC, intents.ANSWER, *intents.QUESTION_CARRIERS})

    def handle(self, handler_input: HandlerInput) -> Response:
        text = question_text(handler_input)
        term = definition_asked(self.services.content, text)
        if term is not None:
            return define(self.services, handler_input, [term])
        entry = find_entry(self.services, handler_input, text)
        if entry is None:
            return not_known(self.services, handler_input, text)
        # "Name the terms", "list the reasons": the points in one go, as a list.
        # "Explain the treaty", "why was it important": the reason too.
        carrier = get_intent_name(handler_input)
        return read(
            self.services,
            handler_input,
            entry,
            part=0,
            whole=carrier in intents.LIST_CARRIERS,
            reason=carrier in intents.REASON_CARRIERS,
        )


class MoreHandler(SkillHandler):
    """ "More", "next", or "yes" to "would you like to hear more?": the next part of an answer,
    or after a whole answer the next layer: the entry after it in teaching order."""

    takes = frozenset({intents.MORE, intents.NEXT, intents.YES})

    def can_handle(self, handler_input: HandlerInput) -> bool:
        if not super().can_handle(handler_input):
            return False
        # "Yes" only answers "would you like to hear more?".
        return not is_intent_name(intents.YES)(handler_input) or (
            self.state(handler_input).reading is not None
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        state = self.state(handler_input)
        reading = state.reading
        if reading is not None:
            entry = self.services.content.entry(reading.entry_id)
            parts = split_points(entry.answer.lead, entry.answer.points)
            if reading.next_part < len(parts):
                return read(self.services, handler_input, entry, reading.next_part)
        dialog = self.dialog(handler_input)
        if state.topic is not None:
            following = self.services.content.next_entry(state.topic)
            speech = Speech().say(dialog.text("nothing_more"))
            return offer(self.services, handler_input, speech, following, "next_layer_question")
        return after_answer(self.services, handler_input, Speech().say(dialog.text("nothing_more")))


class OfferHandler(SkillHandler):
    """ "Yes" to "would you like to hear about ...?": read the entry offered."""

    takes = frozenset({intents.YES})

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return super().can_handle(handler_input) and self.state(handler_input).offer is not None

    def handle(self, handler_input: HandlerInput) -> Response:
        offer = self.state(handler_input).offer
        assert offer is not None  # can_handle checked it
        return read(self.services, handler_input, self.services.content.entry(offer), part=0)


class WhyHandler(SkillHandler):
    """ "Why?" after an answer: the reason behind it, from the content."""

    takes = frozenset({intents.WHY_FOLLOW_UP})

    def handle(self, handler_input: HandlerInput) -> Response:
        dialog = self.dialog(handler_input)
        topic = self.state(handler_input).topic
        if topic is None:
            return what_next(self.services, handler_input, Speech().say(dialog.text("why_what")))
        entry = self.services.content.entry(topic)
        if entry.why is None:
            speech = Speech().say(dialog.text("no_reason", name=entry.spoken_name))
            return after_answer(self.services, handler_input, speech)
        return after_answer(self.services, handler_input, Speech().say(entry.why))


class DefineHandler(SkillHandler):
    """ "What does ideology mean?", or "what does that mean?" after an answer: the glossary."""

    takes = frozenset({intents.DEFINE})

    def handle(self, handler_input: HandlerInput) -> Response:
        dialog = self.dialog(handler_input)
        content = self.services.content
        said = spoken_slot(handler_input, intents.SLOT_TERM)
        if said:
            term = content.define(said)
            if term is None:
                return after_answer(
                    self.services, handler_input, Speech().say(dialog.text("no_term"))
                )
            return define(self.services, handler_input, [term])
        topic = self.state(handler_input).topic
        if topic is None:
            return what_next(self.services, handler_input, Speech().say(dialog.text("define_what")))
        entry = content.entry(topic)
        asked = {t.term for t in content.terms_in(entry.title)}
        answer = " ".join((entry.answer.lead, *entry.answer.points))
        terms = [t for t in content.terms_in(answer) if t.term not in asked]
        # Ideas ("Politburo") before the people and places the answer names ("Stalin").
        ideas = [t for t in terms if not content.is_name(t.term)]
        chosen = ideas[:MAX_TERMS_DEFINED] or terms[:1]
        if not chosen:
            return after_answer(
                self.services, handler_input, Speech().say(dialog.text("define_what"))
            )
        return define(self.services, handler_input, chosen)


# "What does that mean?" defines at most this many of the last answer's terms.
MAX_TERMS_DEFINED = 2


class ListTopicsHandler(SkillHandler):
    """ "What can I ask about?": the sections of the topic."""

    takes = frozenset({intents.LIST_TOPICS})

    def handle(self, handler_input: HandlerInput) -> Response:
        dialog = self.dialog(handler_input)
        titles = [section.title for section in self.services.content.sections]
        speech = Speech().say(dialog.text("list_topics", topics=dialog.join(titles)))
        speech.say(examples(self.services, handler_input), dialog.text("list_topics_quiz"))
        return what_next(self.services, handler_input, speech)


class CanFulfillHandler(SkillHandler):
    """CanFulfillIntentRequest, Alexa asking before it picks a skill whether this one can take a
    request: YES for a question the matcher answers and for the skill's own commands, MAYBE for a
    question it would offer a neighbouring entry for, NO otherwise."""

    takes = frozenset({"CanFulfillIntentRequest"})

    def handle(self, handler_input: HandlerInput) -> Response:
        intent = getattr(handler_input.request_envelope.request, "intent", None)
        name = intent.name if intent else None
        slots = dict(intent.slots or {}) if intent else {}
        if name in intents.QUESTION_CARRIERS:
            query = slots.get(intents.SLOT_QUERY)
            text = intents.restore_carrier(name, (query.value or "") if query else "")
            matcher = self.services.matcher
            if matcher.match(text) is not None:
                verdict = CanFulfillIntentValues.YES
            elif any(m.confidence >= HEDGE_THRESHOLD for m in matcher.nearest(text, k=1)):
                verdict = CanFulfillIntentValues.MAYBE
            else:
                verdict = CanFulfillIntentValues.NO
        elif name in intents.KNOWN_INTENTS:
            verdict = CanFulfillIntentValues.YES
        else:
            verdict = CanFulfillIntentValues.NO
        understood = verdict is not CanFulfillIntentValues.NO
        answer = CanFulfillIntent(
            can_fulfill=verdict,
            slots={
                slot_name: CanFulfillSlot(
                    can_understand=CanUnderstandSlotValues.YES
                    if understood
                    else CanUnderstandSlotValues.NO,
                    can_fulfill=CanFulfillSlotValues.YES if understood else CanFulfillSlotValues.NO,
                )
                for slot_name, slot in slots.items()
                if slot is not None and slot.value
            },
        )
        return handler_input.response_builder.set_can_fulfill_intent(answer).response
