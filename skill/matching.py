"""Spoken question -> content entry, with a confidence.

Questions arrive as speech recognition returns them: lowercase, unpunctuated, sometimes with the
carrier word already removed ("were the terms of the treaty"). Each goes through the same steps as
the content it is compared with: normalise, correct near-misses of known words, replace aliases by
their canonical name, drop stopwords, stem. Entries are ranked by BM25 over the ways each is asked
(each phrasing its own document, the best one counting), plus a smaller share of BM25 over the
answer text, scaled by the confidence below.

Ranking always finds a best entry, so the confidence is what turns off-topic questions away: the
share of the question's informative terms that the best entry knows about (terms weighted by how
rare they are across entries; words the content never uses weigh most), and zero unless at least
one of the terms it shares is specific to the topic rather than a generic word like "first".
"""

from __future__ import annotations

import functools
import itertools
import math
import re
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import Stemmer
from rapidfuzz import fuzz, process

from skill.content import Content, Entry, default_content
from skill.language import ENGLISH_STOPWORDS, normalise

# Measured with python -m skill.eval_matching on the development set and on hand-written
# phrasings: rightly matched questions score 0.69 and up, off-topic ones 0.41 and below.
DEFAULT_THRESHOLD = 0.5

# The answer text is a weaker signal than the ways an entry is asked: a broad answer mentions
# everything its narrow neighbours are about.
ANSWER_WEIGHT = 0.3

# Words that only frame a request; they say nothing about which entry is wanted.
STOPWORDS = ENGLISH_STOPWORDS | {
    "tell", "explain", "describe", "summarise", "summarize", "outline", "please", "know",
    "alexa", "ask", "question", "want", "could", "would", "much", "many", "dont", "didnt",
    "wasnt", "werent", "whats", "hows", "whys", "also", "something", "anything", "lot",
    "summary", "briefly",
}  # fmt: skip

# Words the content uses that are common in any history question: they help rank entries but
# cannot on their own show that a question is about this topic.
GENERIC = frozenset({
    "first", "second", "last", "time", "times", "one", "two", "three", "four", "main", "key",
    "happen", "happened", "cause", "caused", "causes", "effect", "effects", "affect", "affected",
    "give", "gave", "get", "got", "say", "said", "make", "made", "big", "year", "years", "people",
    "way", "ways", "thing", "things", "like", "good", "bad", "new", "old", "work", "important",
    "point", "side", "sides", "change", "changed", "think", "mean", "start", "started", "world",
    "war", "man", "men", "country", "countries", "power", "powers", "long", "day", "life", "use",
    "used", "problem", "problems", "end", "ended", "begin", "began", "role", "play", "go", "went",
    "come", "came", "take", "took", "leader", "leaders", "rule", "government", "land",
    "help", "helped", "each", "other", "state", "states", "result", "results", "reason",
    "reasons", "happening", "become", "became", "turn", "place", "part", "number", "kind",
    "well", "along", "call", "called", "name", "named", "famous", "story", "history",
    # history nouns that name many topics' things: "the treaty of versailles", "the marshall plan"
    "plan", "treaty", "conference", "speech", "party", "crisis", "revolution", "battle",
    "empire", "deal", "president", "capital",
})  # fmt: skip

# Snowball stemming removes inflections only, so irregular verbs and word families that stem
# apart ("gave"/"give", "economy"/"economic") are brought together first.
WORD_FORMS = {
    "gave": "give", "given": "give", "lent": "lend", "got": "get", "gotten": "get",
    "took": "take", "taken": "take", "made": "make", "said": "say", "went": "go", "gone": "go",
    "came": "come", "fell": "fall", "fallen": "fall", "broke": "break", "broken": "break",
    "sent": "send", "paid": "pay", "thought": "think", "told": "tell", "began": "begin",
    "begun": "begin", "grew": "grow", "grown": "grow", "brought": "bring", "built": "build",
    "kept": "keep", "lost": "lose", "fought": "fight", "felt": "feel", "saw": "see",
    "seen": "see", "knew": "know", "known": "know", "became": "become", "wrote": "write",
    "spoke": "speak", "spoken": "speak", "met": "meet", "sold": "sell", "bought": "buy",
    "taught": "teach", "held": "hold", "meant": "mean", "led": "lead", "chose": "choose",
    "chosen": "choose", "hid": "hide", "hidden": "hide", "withdrew": "withdraw",
    "withdrawn": "withdraw",
    "economy": "economic", "economics": "economic", "economically": "economic",
    "economical": "economic", "relationship": "relations", "relationships": "relations",
    "advisor": "adviser", "advisors": "advisers", "defense": "defend", "defence": "defend",
    "defensive": "defend", "program": "programme", "programs": "programme",
    "communism": "communist", "communists": "communist", "breakdown": "break",
    "fifties": "1950s", "sixties": "1960s",
    "suspicious": "suspicion", "criticise": "criticism", "criticised": "criticism",
    "criticising": "criticism", "criticize": "criticism", "criticized": "criticism",
    "criticizing": "criticism", "hypocrisy": "hypocritical", "disclosure": "disclose",
    "invasion": "invade", "secrecy": "secret", "agreement": "agree", "influential": "influence",
    "industrial": "industry", "industrialisation": "industry", "industrialization": "industry",
}  # fmt: skip

# A generic word counts for this share of an average word, in ranking and in the confidence.
GENERIC_WEIGHT = 0.3
# Topic-title words ("sino soviet relations") fit every entry: they count for this share in
# ranking, and never count against an entry.
BACKGROUND_WEIGHT = 0.5
# A word the content never uses weighs this much more than the rarest content word: it is the
# strongest sign of another topic ("the treaty of versailles").
UNKNOWN_FACTOR = 1.5
# A word used by more than this share of entries is no evidence that a question is on the topic.
SPECIFIC_MAX_SHARE = 0.75

# Unknown words shorter than this are not spelling-corrected: too many short words are one
# letter away from a content word.
MIN_CORRECTED_LENGTH = 5
SPELLING_CUTOFF = 85  # rapidfuzz ratio, 0..100


@dataclass(frozen=True)
class Match:
    """The entry that answers a question, and how sure the matcher is (0..1)."""

    entry: Entry
    confidence: float


class Matcher:
    """Ranks entries for a spoken question; the index is built once, here."""

    def __init__(
        self,
        entries: Sequence[Entry],
        aliases: Mapping[str, Sequence[str]],
        threshold: float = DEFAULT_THRESHOLD,
        background: Sequence[str] = (),
    ) -> None:
        """Index entries; background texts (topic titles) name what every entry is about."""
        self.entries = tuple(entries)
        self.threshold = threshold
        self._stemmer = Stemmer.Stemmer("english")
        self._alias_pattern, self._canonical = _alias_table(aliases)

        asked = [[e.question, *e.asked_as, e.title] for e in self.entries]
        answers = [" ".join((e.answer.lead, *e.answer.points)) for e in self.entries]
        texts = [t for ts in asked for t in ts] + answers
        content_words = frozenset(w for t in texts for w in normalise(t).split())
        self._known = content_words | frozenset(w for p in self._canonical for w in p.split())
        self._known_words = sorted(self._known)
        # Words only ever said as part of a one-word name ("nikita", "tse"): left over when the
        # rest was said another way ("nikita khrushchov"), they add nothing to the surname.
        self._name_words = frozenset(
            word
            for phrase, name in self._canonical.items()
            if " " not in name
            for word in phrase.split()
            if len(word) > 2 and word.isalpha() and WORD_FORMS.get(word, word) not in content_words
        )
        self._correct = functools.lru_cache(maxsize=4096)(self._correct_word)

        asked_terms = [[self.terms(t) for t in ts] for ts in asked]
        answer_terms = [self.terms(t) for t in answers]
        # Each phrasing is its own document, so an entry asked many ways is not diluted.
        self._asked_index = _Index(t for ts in asked_terms for t in ts)
        self._answer_index = _Index(answer_terms)
        # Which of the asked-as documents belong to each entry, as (start, end) index pairs.
        ends = list(itertools.accumulate(len(ts) for ts in asked_terms))
        self._spans = list(zip([0, *ends[:-1]], ends, strict=True))

        self._entry_terms = [
            frozenset(answer_terms[i]).union(*asked_terms[i]) for i in range(len(self.entries))
        ]
        count = len(self.entries)
        df: dict[str, int] = {}
        for terms in self._entry_terms:
            for term in terms:
                df[term] = df.get(term, 0) + 1
        self._weight = {t: math.log(1 + (count - n + 0.5) / (n + 0.5)) for t, n in df.items()}
        self._unknown_weight = UNKNOWN_FACTOR * max(self._weight.values(), default=1.0)
        self._generic = frozenset(self._stemmer.stemWords(sorted(GENERIC)))
        # Evidence that a question is on this topic: a word that is neither generic nor used by
        # nearly every entry (all of them mention China, so "china" alone shows nothing).
        self._specific = frozenset(
            t for t, n in df.items() if n <= SPECIFIC_MAX_SHARE * count and t not in self._generic
        )
        self._generic_weight = GENERIC_WEIGHT * statistics.fmean(self._weight.values() or [1])
        # "in sino soviet relations" fits every entry of the topic: such terms neither pick an
        # entry nor count against a narrow one.
        self._background = frozenset(t for text in background for t in self.terms(text))

    def terms(self, text: str) -> list[str]:
        """The stemmed search terms of a question or content text, in order."""
        # Spelling first, so a misspelt name still meets its alias; word forms after, so that
        # "mao zedong thought" is not read as "think".
        text = " ".join(map(self._correct, normalise(text).split()))
        text = self._alias_pattern.sub(self._name, text)
        words = [WORD_FORMS.get(w, w) for w in text.split() if w not in self._name_words]
        return self._stemmer.stemWords([w for w in words if w not in STOPWORDS])

    def _name(self, said: re.Match[str]) -> str:
        """The canonical token for a name as said; a name of several words keeps them too.

        The whole-name token makes "five year plan" match strongly where a loose word ("the
        marshall plan") matches weakly, and the words said still meet the words of the content.
        """
        name = self._canonical[said[0]]
        return f"{name.replace(' ', '')} {said[0]}" if " " in name else name

    def rank(self, question: str, k: int = 3) -> list[Match]:
        """The k best entries for a question, best first, whatever their confidence."""
        terms = list(dict.fromkeys(self.terms(question)))
        if not terms:
            return []
        weights = [self._rank_weight(t) for t in terms]
        asked = self._asked_index.scores(terms, weights)
        answer = self._answer_index.scores(terms, weights)
        scores = [
            max(asked[start:end]) + ANSWER_WEIGHT * answer[i]
            for i, (start, end) in enumerate(self._spans)
        ]
        candidates = [i for i, score in enumerate(scores) if score > 0]
        confidence = {i: self._confidence(terms, self._entry_terms[i]) for i in candidates}
        # BM25 says which entry fits the words best; the confidence keeps an entry that covers
        # the whole question ahead of one that matches part of it closely.
        best = sorted(
            candidates, key=lambda i: (scores[i] * confidence[i], scores[i]), reverse=True
        )[:k]
        return [Match(self.entries[i], confidence[i]) for i in best]

    def match(self, question: str) -> Match | None:
        """The entry that answers a question, or None when none does with enough confidence."""
        ranked = self.rank(question, k=1)
        if ranked and ranked[0].confidence >= self.threshold:
            return ranked[0]
        return None

    def _confidence(self, terms: Iterable[str], known: frozenset[str]) -> float:
        total = shared = 0.0
        specific = False
        for term in terms:
            if term in self._generic:
                weight = self._generic_weight
            else:
                weight = self._weight.get(term, self._unknown_weight)
            total += weight
            if term in known or term in self._background:
                shared += weight
                specific = specific or term in self._specific
        return shared / total if specific else 0.0

    def _rank_weight(self, term: str) -> float:
        if term in self._generic:
            return GENERIC_WEIGHT
        return BACKGROUND_WEIGHT if term in self._background else 1.0

    def _correct_word(self, word: str) -> str:
        """A known word that this one is a near miss of ("kruschiev"), or the word itself."""
        if len(word) < MIN_CORRECTED_LENGTH or word in STOPWORDS or word.isdigit():
            return word
        if word in self._known:
            return word
        found = process.extractOne(
            word, self._known_words, scorer=fuzz.ratio, score_cutoff=SPELLING_CUTOFF
        )
        return found[0] if found else word


def _alias_table(aliases: Mapping[str, Sequence[str]]) -> tuple[re.Pattern[str], dict[str, str]]:
    """A pattern finding any way of saying a name, and each way -> the canonical name."""
    canonical: dict[str, str] = {}
    for name, said in aliases.items():
        for phrase in (name, *said):
            canonical[normalise(phrase)] = normalise(name)
    # Longest first, so "chinese communist party" wins over "chinese".
    phrases = sorted(canonical, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(map(re.escape, phrases)) + r")\b"), canonical


class _Index:
    """Okapi BM25 as Lucene scores it (k1 1.5, b 0.75, the bm25s default), with each term's
    score in every document worked out once, here: a question then costs a few additions.

    Written out rather than taken from bm25s, whose numpy doubled the skill's cold start and
    took 16 MB of each worker's memory for a few dozen short documents."""

    K1 = 1.5
    B = 0.75

    def __init__(self, documents: Iterable[list[str]]) -> None:
        docs = [list(d) for d in documents]
        self.size = len(docs)
        average = sum(map(len, docs)) / max(self.size, 1) or 1.0
        df = Counter(term for doc in docs for term in set(doc))
        self._postings: dict[str, list[tuple[int, float]]] = {}
        for index, doc in enumerate(docs):
            norm = self.K1 * (1 - self.B + self.B * len(doc) / average)
            for term, tf in Counter(doc).items():
                idf = math.log(1 + (self.size - df[term] + 0.5) / (df[term] + 0.5))
                self._postings.setdefault(term, []).append((index, idf * tf / (tf + norm)))

    def scores(self, terms: list[str], weights: list[float]) -> list[float]:
        """BM25 scores of every document, each term's share scaled by its weight."""
        scores = [0.0] * self.size
        for term, weight in zip(terms, weights, strict=True):
            for index, score in self._postings.get(term, ()):
                scores[index] += weight * score
        return scores


def matcher_for(content: Content) -> Matcher:
    """A matcher over some content, with its topic titles as background."""
    return Matcher(content.entries, content.aliases, background=[t.title for t in content.topics])


@functools.cache
def default_matcher() -> Matcher:
    """The matcher over the skill's content, built once per process."""
    return matcher_for(default_content())
