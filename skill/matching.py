"""Spoken question -> content entry, with a confidence.

Questions arrive as speech recognition returns them: lowercase, unpunctuated, sometimes misheard,
with the carrier word already put back by the handler. Each goes through the same steps as the
content it is compared with: plain words with numbers as digits (skill/language.py); an opening
exam command and its count dropped ("name two ..."); spelled-out letters joined ("you ess ess
are"); misheard words and runs of words replaced by the content word or name with the same sound
(metaphone keys, checked against the spelling); names put in one form (the content's aliases);
irregular word forms and the lexicon of how students say things (skill/lexicon.yaml); stopwords
dropped; Snowball stems. Entries are ranked by BM25 over the ways each is asked (each phrasing
its own document, the best one counting), plus a smaller share of BM25 over the answer text,
scaled by the confidence below.

Ranking always finds a best entry, so the confidence is what turns questions away: the weighted
share of the question's terms that the entry covers. A word the content never uses weighs most;
an uncovered generic word, year or ordinal counts against the entry ("the second five year
plan"), and so does an action the entry has only the other party doing ("when did the Soviet
Union test its first bomb", against China's test); the topic's own title words count for little.
Questions that come close without being answered are offered a neighbour, never answered as it.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, cast

from skill.content import Content, Entry, read_yaml
from skill.language import ENGLISH_STOPWORDS, compiled, normalise, read_numbers, sound_keys

if TYPE_CHECKING:
    import Stemmer

# Measured with python -m skill.tools.eval_matching on the development set and on hand-written
# phrasings: rightly matched questions score 0.69 and up, off-topic ones 0.41 and below.
DEFAULT_THRESHOLD = 0.5
# A reason that shares this much of an answer's terms adds nothing said after it.
REPEAT_SHARE = 0.6
# Below the threshold but at least this sure, the best entry is offered, not answered: "I don't
# have notes on that; the nearest I have is...".
HEDGE_THRESHOLD = 0.3

# The answer text is a weaker signal than the ways an entry is asked: a broad answer mentions
# everything its narrow neighbours are about.
ANSWER_WEIGHT = 0.3

# Words that only frame a request; they say nothing about which entry is wanted.
# NLTK lists "won" (of "won't"); here it is the verb: "who won the war".
STOPWORDS = (ENGLISH_STOPWORDS - {"won"}) | {
    "tell", "explain", "describe", "summarise", "summarize", "outline", "please", "know",
    "alexa", "ask", "question", "want", "could", "would", "much", "many", "dont", "didnt",
    "wasnt", "werent", "whats", "hows", "whys", "also", "something", "anything", "lot",
    "summary", "briefly", "identify", "suggest", "define", "discuss", "assess", "evaluate",
    "analyse", "analyze",
    # Fillers and discourse words of casual speech: "ok so what was the loan thing actually".
    "ok", "okay", "so", "um", "uh", "er", "erm", "hmm", "wait", "hey", "like", "actually",
    "basically", "really", "even", "ever", "anyway", "just", "literally", "honestly", "thing",
    "things", "stuff", "whole", "yeah", "right", "alright", "exactly", "bro", "bruh", "dude",
    "ngl", "tbh", "lowkey", "highkey", "fr", "nah", "innit", "guys", "quick", "quickly", "bit",
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
    # history nouns that name many topics' things: "the marshall plan", "the cuban crisis"
    "plan", "party", "crisis", "revolution", "battle",
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
    "withdrawn": "withdraw", "tried": "try", "trying": "try", "tries": "try",
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
# ... and this share when the entry does not have it: "the second five year plan" is not the first.
UNCOVERED_GENERIC_WEIGHT = 0.6
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

# Misheard words: up to this many words said may stand for one known word ("you ess ess are").
MAX_HEARD_WIDTH = 3
# Shorter runs of letters sound like too many words to be corrected by sound.
MIN_HEARD_LENGTH = 4
# Sound keys this long may be one sound apart ("career war" for "korean war").
MIN_KEY_FOR_NEAR_SOUND = 4
# How alike in spelling (rapidfuzz ratio) words heard as several and the known word they sound
# like must be ("crew chev", "mosque oh"), and one word heard for another ("lone" for "loan").
HEARD_LIKENESS = 50
ONE_WORD_LIKENESS = 70
# A misheard run of words is about as long as the word it stands for.
LENGTH_LIKENESS = 0.65
# Points of likeness per (natural log of) the number of entries that use a form.
COMMON_FORM_BONUS = 5

LEXICON_PATH = Path(__file__).resolve().parent / "lexicon.yaml"

# Letter names as speech recognition writes them when a student spells out "u s s r". Common
# words among them ("you", "are", "see", "why") only count next to an unmistakable one.
_LETTER_SOUNDS = {
    "ay": "a", "bee": "b", "see": "c", "cee": "c", "dee": "d", "ee": "e", "ef": "f", "eff": "f",
    "gee": "g", "aitch": "h", "eye": "i", "jay": "j", "kay": "k", "el": "l", "ell": "l",
    "em": "m", "en": "n", "oh": "o", "pee": "p", "cue": "q", "ar": "r", "are": "r", "ess": "s",
    "es": "s", "tee": "t", "you": "u", "vee": "v", "ex": "x", "why": "y", "wye": "y", "zed": "z",
    "zee": "z",
}  # fmt: skip
_COMMON_WORD_LETTERS = frozenset({"are", "you", "see", "why", "oh", "eye", "bee", "tee", "ex"})


class Match(NamedTuple):
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
        parties: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        """Index entries; background texts (topic titles) name what every entry is about, and
        parties say which side each name acts for."""
        self.entries = tuple(entries)
        self.threshold = threshold
        self._remake()
        self._aliases, self._canonical = _alias_table(aliases)

        asked = [[e.question, *e.asked_as, e.title] for e in self.entries]
        answers = [" ".join((e.answer.lead, *e.answer.points)) for e in self.entries]
        texts = [t for ts in asked for t in ts] + answers
        content_words = frozenset(w for t in texts for w in normalise(t).split())
        self._known = content_words | frozenset(w for p in self._canonical for w in p.split())
        self._known_words = sorted(self._known)
        # Words only ever said as part of a one-word name ("nikita", "tse"), with that name: left
        # over when the rest was said another way ("nikita khrushchov"), they add nothing to the
        # surname. Alone they stay ("north korea" is not Manchuria).
        self._name_words: dict[str, frozenset[str]] = {}
        for phrase, name in self._canonical.items():
            if " " in name:
                continue
            for word in phrase.split():
                plain = WORD_FORMS.get(word, word)
                if len(word) > 2 and word.isalpha() and plain not in content_words:
                    self._name_words[word] = self._name_words.get(word, frozenset()) | {name}
        self._lexicon, self._lexicon_phrases = _lexicon_table(load_lexicon())
        # Words the lexicon knows are heard right: "mates" is slang to look up, not a
        # mishearing of a content word.
        self._vocabulary = (
            self._known
            | frozenset(w for phrase in self._lexicon for w in phrase.split())
            | WORD_FORMS.keys()
        )
        # Every known word and name by its sound, for what speech recognition mishears.
        names = {p for p in self._canonical if " " in p} | set(self._canonical.values())
        self._sound_keys: dict[str, set[str]] = {}
        plain_words = (w for w in self._known if w.isalpha() and w not in STOPWORDS)
        spoken_names = (n for n in names if n.replace(" ", "").isalpha())
        for form in (*plain_words, *spoken_names):
            if len(form.replace(" ", "")) >= MIN_HEARD_LENGTH:
                for key in sound_keys(form.replace(" ", "")):
                    self._sound_keys.setdefault(key, set()).add(form)
        # How many entries use each form: the likelier of two forms that sound alike.
        entry_texts = [
            f" {' '.join(normalise(t) for t in (*texts, e.answer.lead, *e.answer.points))} "
            for texts, e in zip(asked, self.entries, strict=True)
        ]
        self._form_count = {
            form: sum(f" {form} " in text for text in entry_texts)
            for forms in self._sound_keys.values()
            for form in forms
        }
        self._keys_by_first_sound: dict[str, list[str]] = {}
        for key in self._sound_keys:
            self._keys_by_first_sound.setdefault(key[:1], []).append(key)

        asked_terms = [[self.terms(t) for t in ts] for ts in asked]
        answer_terms = [self.terms(t) for t in answers]
        # Each phrasing is its own document, so an entry asked many ways is not diluted.
        self._asked_index = _Index(t for ts in asked_terms for t in ts)
        self._answer_index = _Index(answer_terms)
        # The entry each asked-as document belongs to.
        self._entry_of = [i for i, phrasings in enumerate(asked_terms) for _ in phrasings]

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
            t
            for t, n in df.items()
            if n <= SPECIFIC_MAX_SHARE * count and t not in self._generic and not _is_small(t)
        )
        self._average_weight = _mean(self._weight.values())
        self._generic_weight = GENERIC_WEIGHT * self._average_weight
        self._uncovered_generic_weight = UNCOVERED_GENERIC_WEIGHT * self._average_weight
        # The stemmed words of each several-word name, by the name's one-word token.
        self._name_parts = {
            self._stemmer.stemWord(name.replace(" ", "")): frozenset(
                self._stemmer.stemWords([w for w in name.split() if w not in STOPWORDS])
            )
            for name in set(self._canonical.values())
            if " " in name
        }
        # "in sino soviet relations" fits every entry of the topic: such terms neither pick an
        # entry nor count against a narrow one.
        self._background = frozenset(t for text in background for t in self.terms(text))
        self._side = {
            self._stemmer.stemWord(_plain(name).replace(" ", "")): side
            for side, names in (parties or {}).items()
            for name in (side, *names)
        }
        self._all_name_parts = frozenset(p for parts in self._name_parts.values() for p in parts)
        # Each entry's actions, and the sides it has doing them.
        self._roles: list[dict[str, set[str]]] = []
        for texts, entry in zip(asked, self.entries, strict=True):
            roles: dict[str, set[str]] = {}
            answer = " ".join((entry.answer.lead, *entry.answer.points))
            sentences = compiled(_SENTENCE_END).split(answer)
            for text in (*texts, *sentences):
                role = self._role(self.terms(text), text)
                if role is not None:
                    roles.setdefault(role[1], set()).add(role[0])
            self._roles.append(roles)

    # What is not data (the stemmer, a C object; the caches, bound to this object) is left out
    # of a pickle and made again on load (skill.index saves a built matcher).
    _REMADE = ("_stemmer", "_correct", "_phonetic", "_heard", "_facts")

    def __getstate__(self) -> dict[str, object]:
        return {k: v for k, v in vars(self).items() if k not in self._REMADE}

    def __setstate__(self, state: dict[str, object]) -> None:
        vars(self).update(state)
        self._remake()

    def _remake(self) -> None:
        self._correct = functools.lru_cache(maxsize=4096)(self._correct_word)
        self._phonetic = functools.lru_cache(maxsize=4096)(self._phonetic_match)
        self._heard = functools.lru_cache(maxsize=4096)(self._heard_words)
        self._facts = functools.lru_cache(maxsize=4096)(self._term_facts)

    @functools.cached_property
    def _stemmer(self) -> Stemmer.Stemmer:
        # Made on first use, with its import (about 1 ms), not at a cold start: a launch and a
        # loaded index stem nothing.
        import Stemmer

        return Stemmer.Stemmer("english")

    def terms(self, text: str) -> list[str]:
        """The stemmed search terms of a question or content text, in order."""
        # Spelling and sound first, so a misheard name still meets its alias; aliases before word
        # forms, so that "mao zedong thought" is not read as "think"; the lexicon last, on
        # words already in their plain forms.
        words = self._words_heard(text)
        if not _PLAIN_WORDS.fullmatch(" ".join(words)):
            return self._terms_of_text(" ".join(words))
        said = self._word_forms(self._aliases.sub_words(self._name, words))
        return self._stemmed(self._lexicon_phrases.sub_words(self._plain_words, said))

    def _words_heard(self, text: str) -> list[str]:
        """A text's words, as the content spells them (`_heard_words`)."""
        words = _spelled_letters(_exam_counts_dropped(_plain(text).split()))
        return self._heard(tuple(words))

    def _terms_of_text(self, text: str) -> list[str]:
        """`terms` from its aliases on, for words that are not all plain: the phrases found
        by regular expression (`_Phrases.sub`), which the same words would give as words."""
        said = self._word_forms(self._aliases.sub(self._name, text).split())
        return self._stemmed(self._lexicon_phrases.sub(self._plain_words, " ".join(said)).split())

    def _word_forms(self, said: list[str]) -> list[str]:
        """Irregular forms made plain; a name's stray words dropped when the name was said."""
        names = set(said)
        return [WORD_FORMS.get(w, w) for w in said if names.isdisjoint(self._name_words.get(w, ()))]

    def _stemmed(self, words: list[str]) -> list[str]:
        return self._stemmer.stemWords([w for w in words if w not in STOPWORDS])

    def _plain_words(self, said: str) -> str:
        return _lexicon_plain(self._lexicon, said)

    def _heard_words(self, words: tuple[str, ...]) -> list[str]:
        """Words as the content spells them: run-together parts joined ("friend ship"), near
        misspellings corrected, and misheard words replaced by the known word or name that
        sounds the same ("crew chev" -> "khrushchev", "new clear" -> "nuclear")."""
        out: list[str] = []
        i = 0
        while i < len(words):
            found = self._sounds_like(words, i)
            if found is not None:
                known, width = found
                out.extend(known.split())
                i += width
            else:
                out.append(self._correct(words[i]))
                i += 1
        return out

    def _sounds_like(self, words: tuple[str, ...], start: int) -> tuple[str, int] | None:
        """The known word or name that words[start:start+n] sound like, and n; widest first."""
        for width in range(MAX_HEARD_WIDTH, 0, -1):
            window = words[start : start + width]
            if len(window) < width or not any(self._unknown(w) for w in window):
                continue
            if not all(w.isalpha() for w in window):
                continue  # digits were heard as numbers
            if width > 1 and any(w in STOPWORDS and len(w) > 1 for w in window):
                continue  # "many add", "drama at" are not one misheard word ("jury a" may be)
            if width > 1 and all(self._phonetic((w,)) for w in window if self._unknown(w)):
                continue  # each misheard word has a sound-alike of its own ("soviet lone")
            said = "".join(window)
            if said in self._known:
                return said, width  # "friend ship" -> "friendship"
            known = self._phonetic(window)
            if known is not None:
                return known, width
        return None

    def _unknown(self, word: str) -> bool:
        return word not in self._vocabulary and word not in STOPWORDS and not word.isdigit()

    def _phonetic_match(self, window: tuple[str, ...]) -> str | None:
        """The known form that the words of `window` sound like, said together: the same sound
        key (one sound apart for long keys), spelt alike enough that a recogniser could have
        written one for the other, and keeping any word of the window that was heard right
        ("secret peach" -> "secret speech", never "sino indian" -> "soviet union")."""
        from rapidfuzz import fuzz  # imported on first use
        from rapidfuzz.distance import Levenshtein

        said, joined = "".join(window), len(window) > 1
        if len(said) < MIN_HEARD_LENGTH:
            return None
        # Content words said plainly were heard right; common words may be part of the mishearing
        # ("mao say dong").
        heard_right = {w for w in window if w in self._known and w not in STOPWORDS | GENERIC}
        # One word said for one known word must be spelt much alike ("lone", "starlin"): most
        # single words that merely sound alike are other words ("music", "moscow").
        needed = HEARD_LIKENESS if joined else ONE_WORD_LIKENESS
        best: tuple[float, str] | None = None
        for key in sound_keys(said):
            # A recogniser keeps the first sound of a word.
            for other in self._keys_by_first_sound.get(key[:1], ()):
                apart = Levenshtein.distance(key, other)
                # One word for another must sound just the same ("lone", "loan").
                if apart > (1 if joined and len(key) >= MIN_KEY_FOR_NEAR_SOUND else 0):
                    continue
                for form in self._sound_keys[other]:
                    words = set(form.split())
                    if heard_right and (not heard_right <= words or words <= heard_right):
                        continue
                    joined_form = form.replace(" ", "")
                    shorter, longer = sorted((len(said), len(joined_form)))
                    if shorter < LENGTH_LIKENESS * longer:
                        continue  # "stalin die" is not "stalin"
                    likeness = fuzz.ratio(said, joined_form)
                    if likeness < needed:
                        continue
                    # Between forms that sound alike, the one the content uses more is the
                    # likelier ("tree tea" is "treaty", not "treat").
                    score = likeness + COMMON_FORM_BONUS * math.log1p(self._form_count[form])
                    if best is None or score > best[0]:
                        best = (score, form)
        return best[1] if best else None

    def _name(self, said: str) -> str:
        """The canonical token for a name as said; a name of several words keeps them too.

        The whole-name token makes "five year plan" match strongly where a loose word ("the
        marshall plan") matches weakly, and the name's words still meet the words of the content
        however the name was said ("korea war").
        """
        name = self._canonical[said]
        return f"{name.replace(' ', '')} {name}" if " " in name else name

    def rank(self, question: str, k: int = 3) -> list[Match]:
        """The k best entries for a question, best first, whatever their confidence."""
        terms = list(dict.fromkeys(self.terms(question)))
        if not terms:
            return []
        facts = [self._facts(t) for t in terms]
        weights = [f[0] for f in facts]
        # An entry's score is its best asked-as document's, plus a share of its answer's.
        asked = [0.0] * len(self.entries)
        for document, score in self._asked_index.scores(terms, weights).items():
            entry = self._entry_of[document]
            if score > asked[entry]:
                asked[entry] = score
        answer = self._answer_index.scores(terms, weights)
        scores = [best + ANSWER_WEIGHT * answer.get(i, 0.0) for i, best in enumerate(asked)]
        role = self._role(terms, question)
        asked_terms = self._question(terms, facts)
        # BM25 says which entry fits the words best; the confidence keeps an entry that covers
        # the whole question ahead of one that matches part of it closely. A confidence is at
        # most 1, so once k entries have score x confidence above the next entry's score, no
        # entry from there on can come into the k best: the highest scores are looked at first.
        confidence: dict[int, float] = {}
        products: list[float] = []
        kth = 0.0  # the k-th highest score x confidence so far, once k entries are looked at
        for i in sorted(range(len(scores)), key=scores.__getitem__, reverse=True):
            if scores[i] <= 0 or scores[i] < kth:
                break
            against = self._against(role, i)
            confidence[i] = self._confidence(asked_terms, self._entry_terms[i], against)
            products.append(scores[i] * confidence[i])
            if len(products) >= k:
                kth = sorted(products, reverse=True)[k - 1]
        best = sorted(
            sorted(confidence), key=lambda i: (scores[i] * confidence[i], scores[i]), reverse=True
        )[:k]
        return [Match(self.entries[i], confidence[i]) for i in best]

    def match(self, question: str) -> Match | None:
        """The entry that answers a question, or None when none does with enough confidence."""
        ranked = self.rank(question, k=1)
        if ranked and ranked[0].confidence >= self.threshold:
            return ranked[0]
        return None

    def repeats(self, said: str, more: str) -> bool:
        """Whether `more` would mostly repeat what `said` has said: most of its terms are there."""
        terms = set(self.terms(more))
        return not terms or len(terms & set(self.terms(said))) >= REPEAT_SHARE * len(terms)

    def nearest(self, question: str, k: int = 2) -> list[Match]:
        """For a question no entry answers: up to k entries about some of its words, best
        first. The first is one to offer instead only if its confidence is HEDGE_THRESHOLD or
        more; the others are only topics to name."""
        return [m for m in self.rank(question, k=k) if m.confidence > 0]

    def _role(self, terms: Sequence[str], text: str) -> tuple[str, str] | None:
        """Who does what in a text: the side of its first name, and the next word that is not a
        name, a number or the topic itself ("what did china give the soviets" -> china, give).
        None for a passive text, whose first name is not the one acting ("what was china told")."""
        if _PASSIVE & set(normalise(text).split()):
            return None
        side = None
        for term in terms:
            if side is None:
                side = self._side.get(term)
            elif not (
                term in self._side
                or term in self._background
                or _is_quantity(term)
                or term in self._all_name_parts
            ):
                return side, term
        return None

    def _against(self, role: tuple[str, str] | None, index: int) -> str | None:
        """The question's action when this entry has only the other side doing it."""
        if role is None:
            return None
        side, action = role
        sides = self._roles[index].get(action)
        return action if sides and side not in sides else None

    def _question(self, terms: Sequence[str], facts: Sequence[_TermFacts]) -> _Question:
        """What `_confidence` needs of a question's terms (their `_facts`), worked out once for
        all entries."""
        parts = {p for t in terms for p in self._name_parts.get(t, ())}
        # A name counts once, as its whole-name token.
        prepared = tuple(f[1] for t, f in zip(terms, facts, strict=True) if t not in parts)
        numbers = tuple(t for t in terms if t.isdigit() and not _is_small(t))
        return prepared, numbers

    def _term_facts(self, term: str) -> _TermFacts:
        """What ranking reads of a term, whatever the question: its weight in BM25, and its
        entry in a `_Question`. Cached per term (`_facts`)."""
        background, small = term in self._background, _is_small(term)
        generic = term in self._generic or small
        if background:
            # Every entry is about the topic's own title: "sino", "1962" say little.
            weight = min(self._weight.get(term, self._generic_weight), self._generic_weight)
        else:
            weight = self._weight.get(term, self._unknown_weight)
        rank_weight = GENERIC_WEIGHT if generic else BACKGROUND_WEIGHT if background else 1.0
        read = (term, background, _is_quantity(term), small, generic, weight,
                term in self._specific, term in self._generic)  # fmt: skip
        return rank_weight, read

    def _confidence(
        self, question: _Question, known: frozenset[str], against: str | None = None
    ) -> float:
        """The weighted share of the question's terms that an entry covers; zero unless one
        covered term is specific to the topic, or a generic one goes with the topic's names.

        Coverage is asymmetric: a generic word ("second", "caused", "won") helps little when the
        entry has it but counts in full when it has not, and a year, amount or ordinal the entry
        does not mention ("the second five year plan", "in 1964") counts as much as a word the
        content never uses. A name counts once, however many words it has."""
        terms, numbers = question
        # "was it 300 million or 3 million": one of the amounts offered is enough.
        number_covered = any(t in known for t in numbers)
        unknown, generic_weight = self._unknown_weight, self._generic_weight
        total = shared = 0.0
        specific = background = generic = False
        for (
            term,
            in_background,
            quantity,
            small,
            any_generic,
            weight,
            is_specific,
            is_generic,
        ) in terms:
            covered = (in_background or term in known) and term != against
            if term == against:
                weight = unknown
            elif in_background:
                pass
            elif quantity and not covered:
                if number_covered and not small:
                    continue
                weight = unknown
            elif any_generic:
                weight = generic_weight if covered else self._uncovered_generic_weight
            total += weight
            if covered:
                shared += weight
                specific = specific or is_specific
                background = background or in_background
                generic = generic or is_generic
        # "how did the soviets help china": a generic word about the topic's own parties is
        # about the topic too.
        return shared / total if specific or (background and generic) else 0.0

    def _correct_word(self, word: str) -> str:
        """A known word that this one is a near miss of ("kruschiev"), or the word itself."""
        from rapidfuzz import fuzz, process  # imported on first use

        if len(word) < MIN_CORRECTED_LENGTH or word in STOPWORDS or word.isdigit():
            return word
        if word in self._vocabulary:
            return word
        found = process.extractOne(
            word, self._known_words, scorer=fuzz.ratio, score_cutoff=SPELLING_CUTOFF
        )
        return found[0] if found else word


# A question's terms as _confidence reads them: (term, background, quantity, small, generic or
# small, weight, specific, generic) for each term outside a name, and its numbers (not small).
_QuestionTerm = tuple[str, bool, bool, bool, bool, float, bool, bool]
_Question = tuple[tuple[_QuestionTerm, ...], tuple[str, ...]]
# What ranking reads of one term: its BM25 weight, and its entry in a _Question.
_TermFacts = tuple[float, _QuestionTerm]

# Words of the passive voice, where the first name is not the one acting.
_PASSIVE = frozenset({"be", "been", "being", "by", "told", "given", "offered", "promised"})
_SENTENCE_END = r"(?<=[.!?])\s+"  # compiled when an index is built, not when one is loaded
_ORDINAL = re.compile(r"^\d+(?:st|nd|rd|th)$")


def _is_quantity(term: str) -> bool:
    """A number, year or ordinal ("1958", "300000000", "2nd")."""
    return term.isdigit() or bool(_ORDINAL.match(term))


def _is_small(term: str) -> bool:
    """A small number or an ordinal: common to any topic, unlike a year or an amount."""
    return (term.isdigit() and int(term) < 100) or bool(_ORDINAL.match(term))


# "in fifty eight": a year said without its century; this content's years are all 19xx.
_SHORT_YEAR = r"\b(in|of|by|from|until|til|after|before) ([2-9][0-9])\b"  # compiled on first use


def _plain(text: str) -> str:
    """Text as plain words with numbers as digits, as questions and content are compared."""
    text = read_numbers(normalise(text))
    return compiled(_SHORT_YEAR).sub(r"\1 19\2", text) if _DIGIT.search(text) else text


_DIGIT = re.compile(r"\d")


# Exam commands that may be followed by how many points are wanted: "give two reasons".
_EXAM_COMMANDS = frozenset({"give", "name", "list", "state", "identify", "suggest", "outline",
                            "describe", "explain"})  # fmt: skip


# What frames an exam question after its opening stopwords: "in what ways", "how far", "to what
# extent".
_EXAM_FRAMES = frozenset({"ways", "way", "far", "extent"})


def _exam_counts_dropped(words: list[str]) -> list[str]:
    """Words without an opening exam command and the count it asks for ("name 3 ways" ->
    "ways"): they say how to answer, not what about. Elsewhere "give" is a word like any other
    ("what did china give the soviets")."""
    start = 0
    while start < len(words) and words[start] in STOPWORDS:
        start += 1
    if start < len(words) and words[start] in _EXAM_FRAMES:
        del words[start]
        return words
    if start < len(words) and words[start] in _EXAM_COMMANDS:
        del words[start]
        if start < len(words) and words[start].isdigit() and int(words[start]) < 10:
            del words[start]
    return words


def _spelled_letters(words: list[str]) -> list[str]:
    """Spelled-out letters joined into the word they spell: "you ess ess are" -> "ussr"."""
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        letters = [w if len(w) == 1 else _LETTER_SOUNDS[w] for w in run]
        if len(run) >= 2 and any(len(w) == 1 or w not in _COMMON_WORD_LETTERS for w in run):
            out.append("".join(letters))
        else:
            out.extend(run)
        run.clear()

    for word in words:
        if (len(word) == 1 and word.isalpha()) or word in _LETTER_SOUNDS:
            run.append(word)
        else:
            if run:
                flush()
            out.append(word)
    flush()
    return out


@functools.cache
def load_lexicon(path: Path = LEXICON_PATH) -> dict[str, tuple[str, ...]]:
    """skill/lexicon.yaml: plain words -> the ways students say them."""
    raw = cast(dict[str, list[str]], read_yaml(path.read_text(encoding="utf-8")))
    return {str(k or ""): tuple(str(v) for v in vs) for k, vs in raw.items()}


def _lexicon_table(lexicon: Mapping[str, Sequence[str]]) -> tuple[dict[str, str], _Phrases]:
    """Each way of saying (in plain word forms) -> its plain words, and a pattern finding them."""
    table: dict[str, str] = {}
    for plain, said in lexicon.items():
        for phrase in said:
            # "*" (any one word) survives; the other words are read as questions are.
            words = " ".join(
                w if w == "*" else " ".join(WORD_FORMS.get(x, x) for x in _plain(w).split())
                for w in phrase.split()
            )
            table.setdefault(words, _plain(plain))
    # "*" stands for any one word: "keep * down" is said "keep china down".
    return table, _Phrases(sorted(table, key=len, reverse=True), wildcard=True)


def _lexicon_plain(table: Mapping[str, str], said: str) -> str:
    """The plain words for a phrase the lexicon found, wildcards and all."""
    found = table.get(said)
    if found is not None:
        return found
    return next(
        plain
        for phrase, plain in table.items()
        if "*" in phrase and re.fullmatch(re.escape(phrase).replace(r"\*", r"[a-z0-9]+"), said)
    )


def _alias_table(aliases: Mapping[str, Sequence[str]]) -> tuple[_Phrases, dict[str, str]]:
    """What finds any way of saying a name, and each way -> the canonical name."""
    canonical: dict[str, str] = {}
    for name, said in aliases.items():
        for phrase in (name, *said):
            canonical[_plain(phrase)] = _plain(name)
    # Longest first, so "chinese communist party" wins over "chinese".
    return _Phrases(sorted(canonical, key=len, reverse=True)), canonical


# Text as questions reach the phrase finders: words of letters and digits, one space apart.
_PLAIN_WORDS = re.compile(r"[a-z0-9]+(?: [a-z0-9]+)*")


class _Phrases:
    """Replaces phrases in text as `re.sub(r"\b(?:p1|p2|...)\b", ...)` does, the phrases
    tried in the order given at each word (with `wildcard`, "*" is any one word), by looking
    up the phrases that start with each word instead of trying them all. The regular
    expression for the lexicon's 457 phrases took 11 ms to compile at every cold start, and
    trying each alternative at every word was most of what reading a question cost. Text that
    is not plain words ("2.5 million") goes through that expression."""

    def __init__(self, phrases: Sequence[str], *, wildcard: bool = False) -> None:
        self._phrases = tuple(p for p in phrases if p)  # "" would match between any two words
        self._wildcard = wildcard
        # Phrases of plain words by their words, with their place in the order; the lengths
        # of those that start with each word; and those with "*", by first word ("*": any).
        self._exact: dict[tuple[str, ...], int] = {}
        lengths: dict[str, set[int]] = {}
        wild: dict[str, list[tuple[int, tuple[str, ...]]]] = {}
        for rank, phrase in enumerate(self._phrases):
            words = tuple(phrase.split(" "))
            if wildcard and "*" in words:
                wild.setdefault(words[0], []).append((rank, words))
            else:
                self._exact.setdefault(words, rank)
                lengths.setdefault(words[0], set()).add(len(words))
        self._lengths = {first: tuple(sorted(found)) for first, found in lengths.items()}
        self._wild = {first: tuple(found) for first, found in wild.items()}
        self._wild_any = self._wild.get("*", ())  # those that start with "*": tried at every word
        self._firsts = frozenset(self._lengths) | frozenset(self._wild)  # words a phrase starts
        self._regex: re.Pattern[str] | None = None

    def __getstate__(self) -> dict[str, object]:
        return {**vars(self), "_regex": None}  # compiled again only if ever needed

    def sub(self, replace: Callable[[str], str], text: str) -> str:
        """`text` with each phrase found replaced by `replace(phrase as said)`."""
        if not _PLAIN_WORDS.fullmatch(text):
            return "" if not text else self._pattern().sub(lambda m: replace(m[0]), text)
        return " ".join(self._pieces(replace, text.split(" ")))

    def sub_words(self, replace: Callable[[str], str], words: list[str]) -> list[str]:
        """`sub(replace, " ".join(words)).split()` for plain words ([a-z0-9]+ each)."""
        return " ".join(self._pieces(replace, words)).split()

    def _pieces(self, replace: Callable[[str], str], words: list[str]) -> list[str]:
        """The words, each phrase found among them replaced by what `replace` makes of it."""
        out: list[str] = []
        i, count = 0, len(words)
        firsts, anywhere = self._firsts, bool(self._wild_any)
        while i < count:
            found = self._first_at(words, i) if anywhere or words[i] in firsts else None
            if found is None:
                out.append(words[i])
                i += 1
            else:
                out.append(replace(" ".join(words[i : i + found])))
                i += found
        return out

    def _first_at(self, words: list[str], i: int) -> int | None:
        """How many words the first phrase in the order that starts at word i has; None if
        no phrase does."""
        best: tuple[int, int] | None = None  # (place in the order, words)
        for length in self._lengths.get(words[i], ()):
            rank = self._exact.get(tuple(words[i : i + length]))
            if rank is not None and (best is None or rank < best[0]):
                best = (rank, length)
        wild = self._wild.get(words[i])
        for rank, phrase in (*wild, *self._wild_any) if wild else self._wild_any:
            end = i + len(phrase)
            if (
                (best is None or rank < best[0])
                and end <= len(words)
                and all(w in ("*", said) for w, said in zip(phrase, words[i:end], strict=True))
            ):
                best = (rank, len(phrase))
        return None if best is None else best[1]

    def _pattern(self) -> re.Pattern[str]:
        if self._regex is None:
            escaped = (re.escape(p) for p in self._phrases)
            if self._wildcard:
                escaped = (p.replace(r"\*", r"[a-z0-9]+") for p in escaped)
            self._regex = re.compile(r"\b(?:" + "|".join(escaped) + r")\b")
        return self._regex


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

    def scores(self, terms: list[str], weights: list[float]) -> dict[int, float]:
        """BM25 scores of the documents with any of the terms, each term's share scaled by its
        weight (a question's few terms are in a few of the documents)."""
        scores: dict[int, float] = {}
        for term, weight in zip(terms, weights, strict=True):
            for index, score in self._postings.get(term, ()):
                scores[index] = scores.get(index, 0.0) + weight * score
        return scores


def matcher_for(content: Content) -> Matcher:
    """A matcher over some content, with its topic titles as background."""
    return Matcher(
        content.entries,
        content.aliases,
        background=[t.title for t in content.topics],
        parties=content.parties,
    )


def default_matcher() -> Matcher:
    """The matcher over the skill's content, built once per process (skill.index)."""
    from skill.index import built  # built from this module: imported when first asked

    return built()[1]


def _mean(values: Collection[float]) -> float:
    """statistics.fmean, 1.0 for none (statistics would cost a cold start 2 ms to import)."""
    return math.fsum(values) / len(values) if values else 1.0
