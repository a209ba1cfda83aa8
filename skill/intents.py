"""Intent, slot and slot-type names: these mirror interaction_model/*.json exactly.

Handlers, the model generator and the simulator all import names from here, so a rename is one
edit and a consistency test can compare this module with the generated model.
"""

from __future__ import annotations

# Custom intents: answering questions.
TOPIC = "TopicIntent"  # "tell me about {topic}": a content entry named by the TOPIC slot
LIST_TOPICS = "ListTopicsIntent"  # "what can I ask about"
MORE = "MoreIntent"  # "more", "tell me more": the next part of a split answer

# Free-form questions on AMAZON.SearchQuery, one intent per carrier phrase. Alexa strips the
# carrier from the slot value, so the backend puts it back (see QUESTION_CARRIERS). Every form a
# student starts a question with needs its own carrier: real Alexa sends a question that matches
# no sample to FallbackIntent, with no text (see README, "The simulator").
WHAT_QUESTION = "WhatQuestionIntent"
WHY_QUESTION = "WhyQuestionIntent"
HOW_QUESTION = "HowQuestionIntent"
WHO_QUESTION = "WhoQuestionIntent"
WHEN_QUESTION = "WhenQuestionIntent"
WHERE_QUESTION = "WhereQuestionIntent"
WHICH_QUESTION = "WhichQuestionIntent"
TELL_ME_ABOUT_QUESTION = "TellMeAboutQuestionIntent"
TELL_ME_QUESTION = "TellMeQuestionIntent"
EXPLAIN_QUESTION = "ExplainQuestionIntent"
DESCRIBE_QUESTION = "DescribeQuestionIntent"
OUTLINE_QUESTION = "OutlineQuestionIntent"
NAME_QUESTION = "NameQuestionIntent"
LIST_QUESTION = "ListQuestionIntent"
GIVE_QUESTION = "GiveQuestionIntent"
STATE_QUESTION = "StateQuestionIntent"
DID_QUESTION = "DidQuestionIntent"
DO_QUESTION = "DoQuestionIntent"
DOES_QUESTION = "DoesQuestionIntent"
WAS_QUESTION = "WasQuestionIntent"
WERE_QUESTION = "WereQuestionIntent"
IS_QUESTION = "IsQuestionIntent"
ARE_QUESTION = "AreQuestionIntent"
WOULD_QUESTION = "WouldQuestionIntent"
COULD_QUESTION = "CouldQuestionIntent"
IN_WHAT_WAYS_QUESTION = "InWhatWaysQuestionIntent"
HOW_FAR_QUESTION = "HowFarQuestionIntent"
TO_WHAT_EXTENT_QUESTION = "ToWhatExtentQuestionIntent"
IN_QUESTION = "InQuestionIntent"  # "in nineteen fifty eight what did china say"
WHAT_ABOUT_QUESTION = "WhatAboutQuestionIntent"  # "what about the loan": a follow-up

QUESTION_CARRIERS: dict[str, str] = {
    WHAT_QUESTION: "what",
    WHY_QUESTION: "why",
    HOW_QUESTION: "how",
    WHO_QUESTION: "who",
    WHEN_QUESTION: "when",
    WHERE_QUESTION: "where",
    WHICH_QUESTION: "which",
    TELL_ME_ABOUT_QUESTION: "tell me about",
    TELL_ME_QUESTION: "tell me",
    EXPLAIN_QUESTION: "explain",
    DESCRIBE_QUESTION: "describe",
    OUTLINE_QUESTION: "outline",
    NAME_QUESTION: "name",
    LIST_QUESTION: "list",
    GIVE_QUESTION: "give",
    STATE_QUESTION: "state",
    DID_QUESTION: "did",
    DO_QUESTION: "do",
    DOES_QUESTION: "does",
    WAS_QUESTION: "was",
    WERE_QUESTION: "were",
    IS_QUESTION: "is",
    ARE_QUESTION: "are",
    WOULD_QUESTION: "would",
    COULD_QUESTION: "could",
    IN_WHAT_WAYS_QUESTION: "in what ways",
    HOW_FAR_QUESTION: "how far",
    TO_WHAT_EXTENT_QUESTION: "to what extent",
    IN_QUESTION: "in",
    WHAT_ABOUT_QUESTION: "what about",
}

# Carriers that ask for the points as a list ("name the four terms"), and those that ask for the
# reasons ("explain why ...").
LIST_CARRIERS = frozenset({NAME_QUESTION, LIST_QUESTION, GIVE_QUESTION, STATE_QUESTION,
                           OUTLINE_QUESTION, IN_WHAT_WAYS_QUESTION})  # fmt: skip
REASON_CARRIERS = frozenset({WHY_QUESTION, EXPLAIN_QUESTION, HOW_FAR_QUESTION,
                             TO_WHAT_EXTENT_QUESTION})  # fmt: skip


def restore_carrier(intent_name: str, query: str) -> str:
    """Put back the carrier phrase Alexa strips from a question intent's SearchQuery value."""
    carrier = QUESTION_CARRIERS[intent_name]
    query = query.strip()
    if query.lower().startswith(carrier + " "):
        return query  # some recognisers keep the carrier; never say it twice
    return f"{carrier} {query}".strip()


# Custom intents: following up the last answer.
WHY_FOLLOW_UP = "WhyFollowUpIntent"  # "why?", "how come": the reason behind the last answer
SLOWER = "SlowerIntent"  # "slower please": the last answer again, read more slowly
DEFINE = "DefineIntent"  # "what does {term} mean", "what does that mean": the glossary

# Custom intents: the quiz.
START_QUIZ = "StartQuizIntent"  # "quiz me", "quiz me on {topic}", "give me {count} questions"
ANSWER = "AnswerIntent"  # "is it {answer}", "the answer is {answer}", "{number}"
# The subjects AnswerIntent's full-sentence samples start with ("mao {answer}": "mao distrusted
# stalin"), mirroring interaction_model/templates.yaml. Alexa may take the first word of an
# answer for one of them and leave it out of the slot: "mao zedong thought" can arrive as
# "zedong thought". Marking puts one back when the item's own answer says it.
ANSWER_SUBJECTS = (
    "the soviets", "the soviet union", "the russians", "china", "mao", "stalin", "khrushchev",
)  # fmt: skip
DONT_KNOW = "DontKnowIntent"  # "I don't know", "skip"
HINT = "HintIntent"  # "give me a hint"
HOW_MANY_LEFT = "HowManyLeftIntent"  # "how many left"
PAUSE = "PauseIntent"  # "pause the quiz", "can we take a break": keep my place
THINKING = "ThinkingIntent"  # "um", "let me think": still working out the answer
STOP_QUIZ = "StopQuizIntent"  # "stop the quiz"
PROGRESS = "ProgressIntent"  # "how am I doing"
RESET_PROGRESS = "ResetProgressIntent"  # "reset my progress"

# Built-in intents.
HELP = "AMAZON.HelpIntent"
STOP = "AMAZON.StopIntent"
CANCEL = "AMAZON.CancelIntent"
FALLBACK = "AMAZON.FallbackIntent"
NAVIGATE_HOME = "AMAZON.NavigateHomeIntent"
REPEAT = "AMAZON.RepeatIntent"
NEXT = "AMAZON.NextIntent"
START_OVER = "AMAZON.StartOverIntent"
YES = "AMAZON.YesIntent"
NO = "AMAZON.NoIntent"

# Slots and slot types.
SLOT_TOPIC = "topic"
SLOT_QUERY = "query"
SLOT_ANSWER = "answer"
SLOT_NUMBER = "number"
SLOT_COUNT = "count"
SLOT_TERM = "term"

TYPE_TOPIC = "TOPIC"
TYPE_ANSWER = "ANSWER"
TYPE_TERM = "TERM"
TYPE_SEARCH_QUERY = "AMAZON.SearchQuery"
TYPE_NUMBER = "AMAZON.NUMBER"

# Every intent the code knows: an intent outside these is taken as words it could not place.
KNOWN_INTENTS = frozenset(
    value
    for name, value in dict(globals()).items()
    if name.isupper() and isinstance(value, str) and value.endswith("Intent")
)
