"""Quiz marking: a spoken answer against a quiz item, by meaning rather than by exact words.

Pure code, no SDK imports. The rules, in the order they apply:

- Text is normalised the same way for the student's answer and for every accepted phrasing:
  numbers become digits (skill.language), names become their canonical form (the topic's aliases
  plus a general list of nations and people), close misspellings of names are corrected with
  rapidfuzz, words are stemmed and stopwords dropped. What is left are "terms".
- A phrasing matches when all of its terms are in the answer ("the soviet spies" contains "spies").
- A term does not count when its clause is negated ("they would not help") unless the phrasing
  is itself negated ("no protests"), or when a name the item does not mention qualifies it
  ("american spies" for an item about Soviet agents).
- When the item asks for a name, naming another person or place as well is a hedge and wrong.
- When the item asks for a number, every number said must be one the item allows.
- Choice items also take the option's letter, its sound-alikes and its position.
- Multi items score matched points / needed, and name the points given and missed; a point
  that is a number is not given with another number said beside it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

import Stemmer

from skill.content import ItemKind, Point, QuizItem
from skill.language import (
    TENS_WORDS,
    UNIT_WORDS,
    as_year,
    format_number,
    heard,
    is_number,
    read_numbers,
    sound_keys,
)

# Longer answers are not a student answering but a list of guesses, or junk.
MAX_ANSWER_WORDS = 60
# rapidfuzz ratio for a misspelt name: against "khrushchev", "kruschev" scores 88.9 and
# "gorbachev" 52.6.
NAME_MATCH_SCORE = 80
# Shorter words are too easily confused with other words to be corrected.
MIN_FUZZY_LENGTH = 5
# Option text said imperfectly: the best option must score this and beat the next by the margin.
OPTION_MATCH_SCORE = 80
OPTION_MATCH_MARGIN = 10
# Misheard words: up to this many words said may stand for one word of the item or one name
# ("man jury a" for "manchuria", "crew chef" for "khrushchev").
MAX_HEARD_WIDTH = 3
# Shorter runs of letters sound like too many words to be corrected by sound.
MIN_HEARD_LENGTH = 4
# Sound keys this long may be one sound apart when several words are heard for one.
MIN_KEY_FOR_NEAR_SOUND = 4
# rapidfuzz ratio a sound-alike must also have in spelling: metaphone alone rates unrelated
# names alike. Several words heard for one with just the same sound ("crew chef" 44 for
# "khrushchev"), or one sound apart ("career war" 56 for "korean war"; "cruise jeff" is 40);
# one word for another ("fife" 75 for "five").
SAME_SOUND_LIKENESS = 40
NEAR_SOUND_LIKENESS = 50
ONE_WORD_LIKENESS = 70
# A misheard run of words is about as long as the word it stands for.
LENGTH_LIKENESS = 0.65

NOT = "not"


def _word_set(text: str) -> frozenset[str]:
    """The words of a whitespace-separated list, kept as text so the lists stay readable."""
    return frozenset(text.split())


_STOPWORDS = _word_set(
    """
    a an the of to in on at for by with from into onto about as than and or but so because if then
    also plus while whereas although though it its they them their theirs he him his she her hers
    we us our i me my you your this that these those there here what which who whom whose when
    where why how is are was were be been being am do does did done have has had having would will
    could should can may might must shall get got make made let go going gone went some any all
    each every very really just only quite much many lot lots um uh er erm hmm ah oh
    well like yeah yes okay ok right think guess maybe perhaps probably believe say said
    answer
    """
)
# Clause boundaries: a negation or a qualifying name reaches no further than these.
_CLAUSE_BREAKS = _word_set(
    """
    and but or also plus then while whereas although though because so if when unless
    """
)
_LIST_JOINERS = _word_set("and or plus nor")
_NEGATORS = _word_set(
    """
    not no never without none nothing nobody neither nor cannot
    """
)
_CONTRACTIONS = {
    "won't": "will not",
    "can't": "can not",
    "shan't": "shall not",
    "ain't": "is not",
    # Speech recognition may drop the apostrophe.
    "wont": "will not",
    "cant": "can not",
    "dont": "do not",
    "doesnt": "does not",
    "didnt": "did not",
    "isnt": "is not",
    "wasnt": "was not",
    "werent": "were not",
    "arent": "are not",
    "wouldnt": "would not",
    "couldnt": "could not",
    "shouldnt": "should not",
    "hasnt": "has not",
    "havent": "have not",
    "hadnt": "had not",
}
# Opposites: an answer that says one where the item says the other contradicts it ("more
# important" to "which policy became less important", "a capitalist ideology").
_OPPOSITES = (
    ("more", "less"), ("most", "least"), ("increase", "decrease"), ("grow", "shrink"),
    ("grew", "shrank"), ("grow", "disappear"), ("grew", "disappeared"), ("rise", "fall"),
    ("better", "worse"), ("improve", "worsen"), ("strong", "weak"), ("strengthen", "weaken"),
    ("communist", "capitalist"), ("communism", "capitalism"), ("friend", "enemy"),
    ("ally", "enemy"), ("criticise", "praise"), ("criticize", "praise"), ("attack", "praise"),
    ("success", "failure"), ("win", "lose"), ("accept", "reject"), ("agree", "disagree"),
    ("support", "oppose"), ("love", "hate"), ("cheap", "expensive"),
    ("appear", "disappear"), ("peace", "war"), ("cooperate", "war"), ("collaborate", "war"),
    ("cooperate", "fight"), ("recognise", "end"), ("recognize", "end"), ("charge", "free"),
    ("overcharge", "free"), ("excessive", "free"),
)  # fmt: skip

# A year, as a term: "1962".
_YEAR = re.compile(r"^1[89]\d\d$|^20\d\d$")

# Words that sound like a number word, read as it only where the item's answer is a number and
# no other number is said: "there were for terms", but never "a loan for china".
_NUMBER_HOMOPHONES = {
    "won": "one", "to": "two", "too": "two", "for": "four", "fore": "four", "ate": "eight",
}  # fmt: skip
# Spoken shorthand for scales: "three hundred mil".
_SCALE_SHORTHAND = {"mil": "million", "bil": "billion"}
_NUMBER_WORDS = frozenset(
    (*UNIT_WORDS, *filter(None, TENS_WORDS), "hundred", "thousand", "million", "billion")
)

# Names that are not the topic's own, so that "american spies" or "gorbachev" are recognised as
# names; the topic's aliases take precedence over these.
_GENERAL_NAMES: Mapping[str, Sequence[str]] = MappingProxyType(
    {
        "ussr": ["u s s r", "soviet union", "soviet", "soviets", "russia", "russian", "russians"],
        "china": ["chinese", "prc", "p r c"],
        "america": ["american", "americans", "united states", "usa", "u s a", "the states"],
        "britain": ["british", "uk", "u k", "united kingdom", "england", "english"],
        "france": ["french"],
        "germany": ["german", "germans"],
        "japan": ["japanese"],
        "korea": ["korean", "koreans", "north korea", "south korea"],
        "vietnam": ["vietnamese", "north vietnam", "south vietnam"],
        "taiwan": ["taiwanese", "formosa"],
        "tibet": ["tibetan", "tibetans"],
        "mongolia": ["mongolian", "mongolians"],
        "india": ["indian", "indians"],
        "cuba": ["cuban", "cubans"],
        "poland": ["polish"],
        "hungary": ["hungarian", "hungarians"],
        "yugoslavia": ["yugoslav", "yugoslavian"],
        "albania": ["albanian"],
        "guomindang": ["kuomintang", "kmt", "nationalists"],
        "lenin": ["vladimir lenin"],
        "trotsky": [],
        "malenkov": [],
        "brezhnev": [],
        "gorbachev": [],
        "truman": [],
        "eisenhower": [],
        "kennedy": [],
        "nixon": [],
        "churchill": [],
        "roosevelt": [],
        "hitler": [],
        "tito": [],
        "castro": [],
        "chiang kai shek": ["chiang", "jiang jieshi"],
        "kim il sung": [],
        "ho chi minh": [],
        "zhou enlai": ["chou en lai"],
        "deng xiaoping": [],
        "liu shaoqi": [],
    }
)

# Choice answers given by letter or position, as speech recognition spells them.
_LETTERS = {
    **dict.fromkeys(["a", "ay", "eh", "aye"], 0),
    **dict.fromkeys(["b", "be", "bee"], 1),
    **dict.fromkeys(["c", "see", "sea", "si", "cee"], 2),
    **dict.fromkeys(["first", "1st"], 0),
    **dict.fromkeys(["second", "2nd"], 1),
    **dict.fromkeys(["third", "3rd"], 2),
}
# Bare numbers are positions only when no option is itself a number.
_POSITIONS = {
    **dict.fromkeys(["one", "1"], 0),
    **dict.fromkeys(["two", "2"], 1),
    **dict.fromkeys(["three", "3"], 2),
}
_CHOICE_FILLERS = _word_set(
    """
    option letter answer choice number the is its it's it i think say pick go with for my um uh er
    erm hmm please maybe probably
    """
)

_stemmer = Stemmer.Stemmer("english")


def _opposite_stems() -> Mapping[str, frozenset[str]]:
    """Each stem of _OPPOSITES with the stems of all its opposites ("disappear": grow, grew)."""
    opposite: dict[str, set[str]] = {}
    for a, b in _OPPOSITES:
        a, b = _stemmer.stemWord(a), _stemmer.stemWord(b)
        opposite.setdefault(a, set()).add(b)
        opposite.setdefault(b, set()).add(a)
    return MappingProxyType({stem: frozenset(others) for stem, others in opposite.items()})


_OPPOSITE = _opposite_stems()
_ORDINAL = re.compile(r"^\d+(?:st|nd|rd|th)$")


@dataclass(frozen=True)
class Mark:
    """The verdict on one spoken answer."""

    correct: bool
    score: float  # 0..1; partial credit for multi items
    matched_points: tuple[str, ...]  # multi items: the points given, as their text
    missed_points: tuple[str, ...]  # multi items: the points not given, for feedback


@dataclass(frozen=True)
class _Term:
    """One normalised word of an answer, with the clause and the list it was said in."""

    text: str
    clause: int
    # Clauses joined by "and" or "or" are one list ("stalin or khrushchev"); "so", "because"
    # and the like start another.
    part: int = 0


@dataclass(frozen=True, eq=False)  # one per set of aliases (cached), compared as itself
class _Lexicon:
    """Canonical names: spoken phrase -> canonical term, and the words fuzzy matching aims at."""

    phrases: Mapping[tuple[str, ...], str]
    longest: int
    names: frozenset[str]  # canonical terms that name a person, place, people or event
    fuzzy_targets: tuple[str, ...]  # single words a misspelling may be corrected to
    known_words: frozenset[str]  # words never corrected
    spoken_names: tuple[str, ...]  # every name as said, for sound-alikes: "korean war"
    # What every item's hearing shares: the words taken as heard right, and those long enough
    # to be said in two parts. Kept here once, not copied into each item's _Hearing (a copy
    # was about 65 KB an item, 1.7 MB once every item had been marked).
    heard_right: frozenset[str]
    joinable: Mapping[str, str]


@dataclass(frozen=True)
class _Hearing:
    """What a student's answer to one item may have been misheard from: the item's words and the
    topic's names, by sound."""

    forms_by_first_sound: Mapping[str, tuple[tuple[str, str], ...]]  # first sound -> (key, form)
    item_words: frozenset[str]  # the item's own words, taken as heard right
    item_joinable: Mapping[str, str]  # run-together parts -> the word or name ("pro tests")
    lexicon: _Lexicon  # the words taken as heard right and joinable for every item

    def knows(self, word: str) -> bool:
        """Whether a word is taken as heard right."""
        return word in self.item_words or word in self.lexicon.heard_right

    def joined(self, said: str) -> str | None:
        """The word or name that run-together parts make, if any; the item's first."""
        return self.item_joinable.get(said) or self.lexicon.joinable.get(said)


_CONTRACTION = re.compile(r"\b(?:" + "|".join(map(re.escape, _CONTRACTIONS)) + r")\b")
_NOT = re.compile(r"n't\b")
_POSSESSIVE = re.compile(r"'s\b")
_ONES = re.compile(r"\bones\b")
_WORD = re.compile(r"[a-z0-9.]+")


def _said_words(text: str) -> list[str]:
    """Heard words with contractions opened and possessives dropped, numbers as said."""
    text = _CONTRACTION.sub(lambda m: _CONTRACTIONS[m.group()], heard(text))
    text = _POSSESSIVE.sub("", _NOT.sub(" not", text))
    # "ones" is a pronoun ("four main ones"), but text2num reads it as the number 1.
    return _ONES.sub(" ", text).split()


def _surface(text: str, hearing: _Hearing | None = None, numeric: bool = False) -> list[str]:
    """Said words with numbers as digits.

    A student's answer is also given the item's words where it has their sound-alikes, and,
    when the item's answer is a number, number words for the words that sound like them.
    """
    words = _said_words(text)
    if numeric and not any(w in _NUMBER_WORDS or any(c.isdigit() for c in w) for w in words):
        # "there were for terms": with no other number said, a number's sound-alike is it.
        words = [_NUMBER_HOMOPHONES.get(w, w) for w in words]
    if hearing is not None:
        words = [_SCALE_SHORTHAND.get(w, w) for w in _heard_words(words, hearing)]
    # Other apostrophes split words ("o'clock"); decimal points stay in numbers.
    return _WORD.findall(read_numbers(" ".join(words)))


@lru_cache(maxsize=4096)
def _content_surface(text: str) -> tuple[str, ...]:
    """`_surface` of a text from the content (an answer, an alias, an option): the same on
    every answer, so worked out once."""
    return tuple(_surface(text))


def _heard_words(words: list[str], hearing: _Hearing) -> list[str]:
    """Words as the item spells them: run-together parts joined ("pro tests"), and misheard
    words replaced by the item's word or name they sound like ("crew chef" -> "khrushchev")."""
    out: list[str] = []
    i = 0
    while i < len(words):
        found = _sounds_like(words, i, hearing)
        if found is None:
            out.append(words[i])
            i += 1
        else:
            form, width = found
            out += form.split()
            i += width
    return out


def _sounds_like(words: list[str], start: int, hearing: _Hearing) -> tuple[str, int] | None:
    """The item's word or name that words[start:start+n] sound like, and n; widest first."""
    for width in range(MAX_HEARD_WIDTH, 0, -1):
        window = words[start : start + width]
        if len(window) < width or not all(w.isalpha() for w in window):
            continue
        if all(hearing.knows(w) for w in window):
            continue  # every word was heard as said
        if width > 1 and any(w in _STOPWORDS and len(w) > 1 for w in window):
            continue  # "it was" is not one misheard word ("jury a" may be)
        said = "".join(window)
        # "friend ship" -> "friendship", "thou sand" -> "thousand"
        form = hearing.joined(said) or _sound_alike(tuple(window), hearing)
        if form is not None:
            return form, width
    return None


def _sound_alike(window: tuple[str, ...], hearing: _Hearing) -> str | None:
    """The form the words of `window` sound like, said together: the same first sound and sound
    key (one sound apart for several words), spelt alike enough that a recogniser could have
    written one for the other, and keeping any word of the window heard right ("secret peach"
    -> "secret speech")."""
    from rapidfuzz import fuzz  # imported on first use
    from rapidfuzz.distance import Levenshtein

    said, joined = "".join(window), len(window) > 1
    if len(said) < MIN_HEARD_LENGTH:
        return None
    heard_right = {w for w in window if hearing.knows(w) and w not in _STOPWORDS}
    best: tuple[float, str] | None = None
    for key in sound_keys(said):
        for other, form in hearing.forms_by_first_sound.get(key[:1], ()):
            apart = Levenshtein.distance(key, other)
            if apart > (1 if joined and len(key) >= MIN_KEY_FOR_NEAR_SOUND else 0):
                continue
            # A word heard right stays, as a word of the form or inside a one-word form
            # ("miss trust" -> "mistrust"); "sino indian" is never "soviet union".
            words = set(form.split())
            kept = all(w in form for w in heard_right) if len(words) == 1 else heard_right <= words
            if heard_right and (not kept or words <= heard_right):
                continue
            joined_form = form.replace(" ", "")
            shorter, longer = sorted((len(said), len(joined_form)))
            if shorter < LENGTH_LIKENESS * longer:
                continue
            if not joined:
                needed = ONE_WORD_LIKENESS
            elif apart == 0 and key == sound_keys(said)[0]:
                needed = SAME_SOUND_LIKENESS
            else:
                needed = NEAR_SOUND_LIKENESS
            likeness = fuzz.ratio(said, joined_form)
            if likeness >= needed and (best is None or likeness > best[0]):
                best = (likeness, form)
    return best[1] if best else None


def _canonical_term(name: str) -> str:
    return "_".join(re.findall(r"[a-z0-9]+", name.lower()))


@lru_cache(maxsize=32)
def _lexicon(aliases: tuple[tuple[str, tuple[str, ...]], ...]) -> _Lexicon:
    phrases: dict[tuple[str, ...], str] = {}
    single_words: set[str] = set()
    # The topic's own names as said, for sound-alikes; the general list only tells names apart.
    spoken = {
        " ".join(words): None
        for name, variants in aliases
        for said in (name, *variants)
        if (words := _said_words(said)) and all(w.isalpha() for w in words)
    }
    # The topic's aliases first, so that its canonical names win over the general list.
    for name, variants in (*aliases, *((k, tuple(v)) for k, v in _GENERAL_NAMES.items())):
        term = _canonical_term(name)
        for said in (name, *variants):
            surface = tuple(_surface(said))
            if surface:
                # By stem, so that a name is found in its plural too ("five year plans").
                phrases.setdefault(tuple(_stemmer.stemWords(surface)), term)
                single_words.update(surface)
    known = frozenset(single_words | _STOPWORDS | _NEGATORS | _CLAUSE_BREAKS)
    heard_right = known | _NUMBER_WORDS
    return _Lexicon(
        phrases=MappingProxyType(phrases),
        longest=max((len(words) for words in phrases), default=1),
        names=frozenset(phrases.values()),
        fuzzy_targets=tuple(
            sorted(w for w in single_words if len(w) >= MIN_FUZZY_LENGTH and w.isalpha())
        ),
        known_words=known,
        spoken_names=tuple(spoken),
        heard_right=heard_right,
        joinable=MappingProxyType({w: w for w in heard_right if len(w) >= MIN_HEARD_LENGTH}),
    )


@lru_cache(maxsize=256)
def _hearing(item: QuizItem, lexicon: _Lexicon) -> _Hearing:
    """The item's words and the topic's names by sound, for correcting what was misheard."""
    item_words = {w for text in _answer_texts(item) for w in _said_words(text) if w.isalpha()}
    forms = {
        form
        for form in (*item_words, *lexicon.spoken_names)
        if len(form.replace(" ", "")) >= MIN_HEARD_LENGTH and form not in _STOPWORDS
    }
    by_first_sound: dict[str, list[tuple[str, str]]] = {}
    for form in sorted(forms):
        for key in sound_keys(form.replace(" ", "")):
            by_first_sound.setdefault(key[:1], []).append((key, form))
    return _Hearing(
        forms_by_first_sound=MappingProxyType({k: tuple(v) for k, v in by_first_sound.items()}),
        item_words=frozenset(item_words),
        # The item's forms before any word, as the names they join into.
        item_joinable=MappingProxyType(
            {w: w for w in item_words if len(w) >= MIN_HEARD_LENGTH}
            | {f.replace(" ", ""): f for f in forms}
        ),
        lexicon=lexicon,
    )


def _correct_spelling(word: str, lexicon: _Lexicon, extra_targets: Iterable[str]) -> str:
    """A close misspelling of a name, replaced by the name; any other word unchanged."""
    from rapidfuzz import fuzz, process  # imported on first use

    if word in lexicon.known_words or len(word) < MIN_FUZZY_LENGTH or not word.isalpha():
        return word
    targets = (*lexicon.fuzzy_targets, *extra_targets)
    best = process.extractOne(word, targets, scorer=fuzz.ratio, score_cutoff=NAME_MATCH_SCORE)
    return best[0] if best else word


def _terms(
    text: str,
    lexicon: _Lexicon,
    extra_targets: tuple[str, ...] = (),
    hearing: _Hearing | None = None,
    numeric: bool = False,
) -> list[_Term]:
    """The content terms of a text, each with its clause number; a student's answer is read with
    the item's `hearing`, and with number sound-alikes when the answer is `numeric`."""
    words = [_correct_spelling(w, lexicon, extra_targets) for w in _surface(text, hearing, numeric)]
    stems = _stemmer.stemWords(words)
    terms: list[_Term] = []
    clause = part = 0
    i = 0
    while i < len(words):
        for size in range(min(lexicon.longest, len(words) - i), 0, -1):
            name = lexicon.phrases.get(tuple(stems[i : i + size]))
            if name is not None:
                terms.append(_Term(name, clause, part))
                i += size
                break
        else:
            word = words[i]
            i += 1
            if word in _CLAUSE_BREAKS:
                clause += 1
                part += word not in _LIST_JOINERS
            elif word in _NEGATORS:
                terms.append(_Term(NOT, clause, part))
            elif word not in _STOPWORDS:
                text_ = word if is_number(word) else _stemmer.stemWord(word)
                terms.append(_Term(text_, clause, part))
    return terms


@lru_cache(maxsize=8192)
def _content_terms(text: str, lexicon: _Lexicon) -> tuple[_Term, ...]:
    """The terms of one of the content's own texts: read once, since they never change."""
    return tuple(_terms(text, lexicon))


def _number_value(term: str) -> float | None:
    return float(term) if is_number(term) else None


@dataclass(frozen=True)
class _Phrasing:
    """One accepted way of giving an answer or a point, as terms."""

    terms: frozenset[str]
    order: tuple[str, ...] = ()  # the terms as they come, for who does what to whom

    @property
    def negated(self) -> bool:
        return NOT in self.terms


class _Answer:
    """The student's answer, normalised for one item."""

    def __init__(self, terms: list[_Term], allowed_names: frozenset[str], lexicon: _Lexicon):
        self.terms = terms
        self.said = frozenset(t.text for t in terms)
        self.negated_clauses = {t.clause for t in terms if t.text == NOT}
        self.foreign_names = {
            t.text for t in terms if t.text in lexicon.names and t.text not in allowed_names
        }
        # A name qualifies what follows it in its clause: "american spies", "british agents".
        self.qualified = {
            i
            for i, term in enumerate(terms)
            if any(
                earlier.clause == term.clause and earlier.text in self.foreign_names
                for earlier in terms[:i]
            )
        }

    def contradicts(self, context: frozenset[str]) -> bool:
        """Whether the answer says, not negated, the opposite of a word of the item's own text."""
        return any(
            term.clause not in self.negated_clauses
            and term.text not in context
            and _OPPOSITE.get(term.text, frozenset()) & context
            for term in self.terms
        )

    def hedges(self, answer: frozenset[str]) -> bool:
        """Whether a name the item does not mention is listed next to a term of the answer, not
        negated: "stalin or khrushchev", "manchuria xinjiang and tibet", but not "the secret
        speech criticised stalin and mao felt criticised too"."""
        return any(
            term.text in self.foreign_names
            and term.clause not in self.negated_clauses
            and any(
                other.text in answer and other.part == term.part
                for other in self.terms[max(i - 1, 0) : i + 2]
            )
            for i, term in enumerate(self.terms)
        )

    def other_numbers(self, said: Iterable[_Phrasing], numbers: frozenset[str] | set[str]) -> bool:
        """Whether a number other than `numbers` is said in a clause where a phrasing was said."""
        clauses = {t.clause for p in said for t in self.terms if t.text in p.terms}
        return any(
            t.clause in clauses and _number_value(t.text) is not None and t.text not in numbers
            for t in self.terms
        )

    def misattributes(
        self,
        matched: Sequence[_Phrasing],
        qualifiers: Mapping[str, frozenset[str]],
        names: frozenset[str],
    ) -> bool:
        """Whether the answer puts another name before a word the item qualifies by name:
        "stalin's secret speech" where the item says "Khrushchev's Secret Speech"."""
        wanted = {t for p in matched for t in p.terms}
        return any(
            term.text in wanted
            and term.text in qualifiers
            and before.text in names
            and before.clause == term.clause
            and before.text not in qualifiers[term.text]
            and before.text not in wanted
            for before, term in zip(self.terms, self.terms[1:], strict=False)
        )

    def keeps_roles(self, phrasing: _Phrasing, names: frozenset[str]) -> bool:
        """Whether each name the phrasing puts after a word comes after that word here too:
        "defend china" is not "china would defend the soviet union"."""
        said = [t.text for t in self.terms]
        if len(names & set(said)) < 2:
            return True  # one party named: no one to swap it with
        for before, name in zip(phrasing.order, phrasing.order[1:], strict=False):
            if name not in names or before in names:
                continue
            starts = [i for i, word in enumerate(said) if word == before]
            if starts and name not in said[starts[0] + 1 :]:
                return False
        return True

    def matches(self, phrasing: _Phrasing) -> bool:
        """All of the phrasing's terms said, each once where not negated or wrongly qualified."""
        if not phrasing.terms or not phrasing.terms <= self.said:
            return False  # most phrasings have a term not said at all
        for wanted in phrasing.terms:
            if not any(
                term.text == wanted
                and i not in self.qualified
                and (phrasing.negated or term.clause not in self.negated_clauses)
                for i, term in enumerate(self.terms)
            ):
                return False
        return True


def _phrasing(text: str, lexicon: _Lexicon) -> _Phrasing:
    terms = [t.text for t in _content_terms(text, lexicon)]
    return _Phrasing(frozenset(terms), tuple(terms))


def _answer_texts(item: QuizItem) -> list[str]:
    """The texts of an item that say what a right answer is, with the question it answers."""
    return [item.question, *item.options, *_right_texts(item)]


def carried_subject(item: QuizItem, spoken: str, subjects: Sequence[str]) -> str | None:
    """The first of `subjects` that the item's answer says just before the answer's first word
    ("mao" for "zedong thought": "Mao Zedong Thought"), or None."""
    words = _said_words(spoken) if subjects else []
    if not words:
        return None
    followed = _subjects_followed(item, tuple(subjects))
    return next((s for s in subjects if (s, words[0]) in followed), None)


@lru_cache(maxsize=256)
def _subjects_followed(item: QuizItem, subjects: tuple[str, ...]) -> frozenset[tuple[str, str]]:
    """Each subject the item's answer says, with the word it says next."""
    found = set()
    for text in _right_texts(item):
        words = _said_words(text)
        for subject in subjects:
            said = subject.split()
            for at in range(len(words) - len(said)):
                if words[at : at + len(said)] == said:
                    found.add((subject, words[at + len(said)]))
    return frozenset(found)


def _right_texts(item: QuizItem) -> list[str]:
    texts = [item.answer, *item.aliases]
    for point in item.points:
        texts += [point.text, *point.accept]
    return texts


# The aliases seen last, what they held then, and their lexicon (_lexicon_for).
_Aliases = Mapping[str, Sequence[str]]
_last_lexicon: tuple[_Aliases, dict[str, tuple[str, ...]], _Lexicon] | None = None


def _lexicon_for(aliases: _Aliases) -> _Lexicon:
    # Every mark is given the same aliases (the content's): the lexicon made for the mapping
    # seen last is used again while that mapping still holds the same names and ways of
    # saying them. Making the key (every alias, sorted) took 4 µs of each mark.
    global _last_lexicon
    last = _last_lexicon
    if last is not None and last[0] is aliases and aliases == last[1]:
        return last[2]
    said = {name: tuple(variants) for name, variants in aliases.items()}
    lexicon = _lexicon(tuple(sorted(said.items())))
    _last_lexicon = (aliases, said, lexicon)
    return lexicon


def _century(numbers: Iterable[str]) -> int | None:
    """The century of a year among the item's numbers, so that "sixty" can be read as its year."""
    years = [v for n in numbers if (v := _number_value(n)) and v.is_integer() and 1000 <= v < 2100]
    return int(min(years) // 100 * 100) if years else None


def _with_years(terms: list[_Term], century: int | None) -> list[_Term]:
    """Two-digit numbers read as years of the century ("60" -> "1960"), when there is one."""
    if century is None:
        return terms
    out = []
    for term in terms:
        value = _number_value(term.text)
        if value is not None and value.is_integer():
            term = _Term(format_number(as_year(value, century)), term.clause, term.part)
        out.append(term)
    return out


def _read_answer(
    item: QuizItem, spoken: str, lexicon: _Lexicon, extra_targets: tuple[str, ...] = ()
) -> tuple[_Answer, frozenset[str]]:
    """The student's answer for this item, and the item's own numbers and ordinals."""
    names, numbers, century = _item_terms(item, lexicon)
    terms = _terms(spoken, lexicon, extra_targets, _hearing(item, lexicon), _expects_number(item))
    terms = _with_years(terms, century)
    return _Answer(terms, names, lexicon), numbers


@lru_cache(maxsize=256)
def _item_terms(
    item: QuizItem, lexicon: _Lexicon
) -> tuple[frozenset[str], frozenset[str], int | None]:
    """An item's own terms, the same for every answer: the names it uses, its numbers and
    ordinals, and the century of its years."""
    answer_terms = {t.text for text in _answer_texts(item) for t in _content_terms(text, lexicon)}
    # Names in the explanation belong to the item too ("make mao look hypocritical"); its
    # numbers do not, since it may mention a date to contrast with the answer.
    names = answer_terms | {t.text for t in _content_terms(item.why, lexicon)}
    numbers = frozenset(
        t for t in answer_terms if _number_value(t) is not None or _ORDINAL.match(t)
    )
    return frozenset(names), numbers, _century(numbers)


@lru_cache(maxsize=256)
def _expects_number(item: QuizItem) -> bool:
    """Whether the item's answer is a number ("four", "300 million dollars", "1960")."""
    if item.kind is ItemKind.CHOICE:
        return _options_are_numbers(item)
    if item.kind is ItemKind.SHORT:
        return any(
            is_number(w) for text in (item.answer, *item.aliases) for w in _content_surface(text)
        )
    return False


def mark(
    item: QuizItem,
    spoken: str,
    *,
    aliases: Mapping[str, Sequence[str]] = MappingProxyType({}),
) -> Mark:
    """Mark a spoken answer (lowercase, unpunctuated) to a quiz item."""
    lexicon = _lexicon_for(aliases)
    if not spoken.strip() or len(spoken.split()) > MAX_ANSWER_WORDS:
        return _wrong(item)
    if item.kind is ItemKind.CHOICE:
        return _mark_choice(item, spoken, lexicon)
    if item.kind is ItemKind.MULTI:
        return _mark_multi(item, spoken, lexicon)
    return _mark_short(item, spoken, lexicon)


def _wrong(item: QuizItem) -> Mark:
    if item.kind is ItemKind.MULTI:
        return Mark(False, 0.0, (), tuple(p.text for p in item.points))
    return Mark(False, 0.0, (), ())


_RIGHT = Mark(True, 1.0, (), ())


def _mark_short(item: QuizItem, spoken: str, lexicon: _Lexicon) -> Mark:
    answer, own_numbers = _read_answer(item, spoken, lexicon)
    phrasings = [_phrasing(text, lexicon) for text in (item.answer, *item.aliases)]
    matched = [p for p in phrasings if answer.matches(p)]
    if not matched:
        return _wrong(item)
    # Asked for a name, a student who lists another beside it is hedging.
    if any(answer.hedges(p.terms) for p in matched if p.terms & lexicon.names):
        return _wrong(item)
    # Who does it to whom: "defend china", not "china would defend the soviets".
    if not any(answer.keeps_roles(p, lexicon.names) for p in matched):
        return _wrong(item)
    if all(p.terms & lexicon.names for p in matched) and _substituted(item, answer, lexicon):
        return _wrong(item)
    # Asked for a number, every number said must be the item's ("four or five"); an ordinal
    # that is not the item's names something else ("the second five year plan").
    numeric = any(_number_value(t) is not None for p in matched for t in p.terms)
    if any(
        t.text not in own_numbers
        and (_ORDINAL.match(t.text) or (numeric and _number_value(t.text) is not None))
        for t in answer.terms
    ):
        return _wrong(item)
    context = _context(item, lexicon)
    if answer.contradicts(context):
        return _wrong(item)
    # A year the item never gives is a claim it cannot back: "the mistrust only started after
    # 1962", asked what was there from the start.
    if any(_YEAR.match(t.text) and t.text not in context for t in answer.terms):
        return _wrong(item)
    if answer.misattributes(matched, _qualifiers(item, lexicon), lexicon.names):
        return _wrong(item)
    return _RIGHT


@lru_cache(maxsize=256)
def _qualifiers(item: QuizItem, lexicon: _Lexicon) -> Mapping[str, frozenset[str]]:
    """For each term of the item's texts, the names the item puts just before it ("khrushchev"
    before "secret speech" in "Khrushchev's Secret Speech")."""
    found: dict[str, set[str]] = {}
    for text in (item.question, item.answer, *item.aliases, item.why):
        terms = _content_terms(text, lexicon)
        for before, term in zip(terms, terms[1:], strict=False):
            if before.text in lexicon.names and before.clause == term.clause:
                found.setdefault(term.text, set()).add(before.text)
    return {term: frozenset(names) for term, names in found.items()}


def _substituted(
    item: QuizItem, answer: _Answer, lexicon: _Lexicon, texts: Sequence[str] = ()
) -> bool:
    """Whether a name of the right answer (or of `texts`) is left out and a name the item never
    mentions is said instead: "relations between china and the united states", "they moved out
    of xinjiang" asked about Manchuria."""
    wanted = {t.text for text in (item.answer, *texts) for t in _content_terms(text, lexicon)}
    wanted &= lexicon.names
    said = {t.text for t in answer.terms}
    return bool(answer.foreign_names) and bool(wanted - said)


@lru_cache(maxsize=256)
def _context(item: QuizItem, lexicon: _Lexicon) -> frozenset[str]:
    """The terms of what the item says is so: its question, right answer and explanation."""
    texts = (item.question, item.answer, *item.aliases, item.why)
    return frozenset(t.text for text in texts for t in _content_terms(text, lexicon))


def _mark_multi(item: QuizItem, spoken: str, lexicon: _Lexicon) -> Mark:
    answer, _ = _read_answer(item, spoken, lexicon)
    matched: list[str] = []
    missed: list[str] = []
    for point, phrasings, numbers in _point_phrasings(item, lexicon):
        said = [p for p in phrasings if answer.matches(p)]
        # A point that is a number is not earned with another number in its clause: "a loan of
        # three million dollars" when the loan was 300 million.
        earned = said and not (numbers and answer.other_numbers(said, numbers))
        (matched if earned else missed).append(point.text)
    needed = item.needed or len(item.points)
    return Mark(
        correct=len(matched) >= needed,
        score=min(1.0, len(matched) / needed),
        matched_points=tuple(matched),
        missed_points=tuple(missed),
    )


@lru_cache(maxsize=256)
def _point_phrasings(
    item: QuizItem, lexicon: _Lexicon
) -> tuple[tuple[Point, tuple[_Phrasing, ...], frozenset[str]], ...]:
    """Each point of a multi item, the ways of making it, and the numbers among them."""
    out = []
    for point in item.points:
        phrasings = tuple(_phrasing(text, lexicon) for text in (point.text, *point.accept))
        numbers = frozenset(t for p in phrasings for t in p.terms if _number_value(t) is not None)
        out.append((point, phrasings, numbers))
    return tuple(out)


def _options_are_numbers(item: QuizItem) -> bool:
    return any(is_number(w) for option in item.options for w in _content_surface(option))


def _choice_by_letter(item: QuizItem, spoken: str) -> int | None:
    """The option chosen by letter or position: "b", "bee", "option b", "the second one", "2"."""
    words = [
        w
        for w in heard(spoken).split()
        if w in _LETTERS or w in _POSITIONS or w not in _CHOICE_FILLERS | _STOPWORDS
    ]
    if len(words) == 2 and words[1] == "one":  # "the first one", "the second one"
        words = words[:1]
    if len(words) != 1:
        return None
    word = words[0]
    if word in _LETTERS:
        return _LETTERS[word]
    if not _options_are_numbers(item):
        return _POSITIONS.get(word)
    return None


def _choice_by_text(item: QuizItem, spoken: str, lexicon: _Lexicon) -> int | None:
    """The option whose text was said; None when none or several were."""
    from rapidfuzz import fuzz  # imported on first use

    option_words = tuple(
        w
        for o in item.options
        for w in _content_surface(o)
        if len(w) >= MIN_FUZZY_LENGTH and w.isalpha()
    )
    answer, _ = _read_answer(item, spoken, lexicon, option_words)
    right = item.options.index(item.answer)
    phrasings = {
        i: [
            _phrasing(o, lexicon),
            *([_phrasing(a, lexicon) for a in item.aliases] if i == right else []),
        ]
        for i, o in enumerate(item.options)
    }
    said = {i for i, ps in phrasings.items() if any(answer.matches(p) for p in ps)}
    # "the second five year plan" also contains "five year plan": keep the fuller option.
    said = {
        i
        for i in said
        if not any(j != i and phrasings[i][0].terms < phrasings[j][0].terms for j in said)
    }
    if len(said) == 1:
        return said.pop()
    if said:
        return None
    # Nothing matched term for term: the option the words are closest to, if clearly closest.
    words = " ".join(t.text for t in answer.terms)
    (best, index), (runner_up, _) = sorted(
        (
            (fuzz.ratio(words, " ".join(t.text for t in _content_terms(option, lexicon))), i)
            for i, option in enumerate(item.options)
        ),
        reverse=True,
    )[:2]
    if best >= OPTION_MATCH_SCORE and best - runner_up >= OPTION_MATCH_MARGIN:
        return index
    return None


def _mark_choice(item: QuizItem, spoken: str, lexicon: _Lexicon) -> Mark:
    chosen = _choice_by_letter(item, spoken)
    if chosen is None:
        chosen = _choice_by_text(item, spoken, lexicon)
        answer = _read_answer(item, spoken, lexicon)[0]
        if chosen is not None and (
            answer.contradicts(_context(item, lexicon))
            or _substituted(item, answer, lexicon, (item.question,))
        ):
            return _wrong(item)
    if chosen is not None and item.options[chosen] == item.answer:
        return _RIGHT
    return _wrong(item)
