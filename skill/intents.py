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
# carrier from the slot value, so the backend puts it back (see QUESTION_CARRIERS).
WHAT_QUESTION = "WhatQuestionIntent"
WHY_QUESTION = "WhyQuestionIntent"
HOW_QUESTION = "HowQuestionIntent"
WHO_QUESTION = "WhoQuestionIntent"
WHEN_QUESTION = "WhenQuestionIntent"
TELL_ME_ABOUT_QUESTION = "TellMeAboutQuestionIntent"
EXPLAIN_QUESTION = "ExplainQuestionIntent"

QUESTION_CARRIERS: dict[str, str] = {
    WHAT_QUESTION: "what",
    WHY_QUESTION: "why",
    HOW_QUESTION: "how",
    WHO_QUESTION: "who",
    WHEN_QUESTION: "when",
    TELL_ME_ABOUT_QUESTION: "tell me about",
    EXPLAIN_QUESTION: "explain",
}



def restore_carrier(intent_name: str, query: str) -> str:
    """Put back the carrier phrase Alexa strips from a question intent's SearchQuery value."""
    carrier = QUESTION_CARRIERS[intent_name]
    query = query.strip()
    if query.lower().startswith(carrier + " "):
        return query  # some recognisers keep the carrier; never say it twice
    return f"{carrier} {query}".strip()


# Custom intents: the quiz.
START_QUIZ = "StartQuizIntent"  # "quiz me", "quiz me on {topic}", "give me {count} questions"
ANSWER = "AnswerIntent"  # "is it {answer}", "the answer is {answer}", "{number}"
DONT_KNOW = "DontKnowIntent"  # "I don't know", "skip"
HINT = "HintIntent"  # "give me a hint"
HOW_MANY_LEFT = "HowManyLeftIntent"  # "how many left"
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

TYPE_TOPIC = "TOPIC"
TYPE_ANSWER = "ANSWER"
TYPE_SEARCH_QUERY = "AMAZON.SearchQuery"
TYPE_NUMBER = "AMAZON.NUMBER"
