"""Text as Alexa hears and says it: the one home of words, spoken numbers, SSML and stopwords.

Speech recognition returns lowercase words without punctuation; written content has capitals,
digits, thousands commas, money signs and apostrophes; the skill's answers are SSML. Matching,
marking, the interaction model and the simulator all bring text to a common form here:

- `heard`: written text as speech recognition would return it ("China's $300m" -> "china's 300
  million dollars"), numbers left as they were given.
- `sayable`: written text as Alexa says it, numbers spelled out, for samples and slot values.
- `normalise`: heard words reduced for matching questions: no apostrophes, years as digits.
- `read_numbers` (running text) and `read_number` (a whole slot): the one reader of spoken
  numbers, sharing one rule for spoken years with `normalise`; `number_words` and `year_words`
  the one writer.
- `plain_text`: SSML as the listener hears it.

Pure code: no SDK imports, no developer-only dependencies.
"""

from __future__ import annotations

import functools
import re

# --- Numbers as words -----------------------------------------------------------------------------

UNIT_WORDS = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen",
)  # fmt: skip
TENS_WORDS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_SCALES = ((1_000_000_000, "billion"), (1_000_000, "million"), (1000, "thousand"), (100, "hundred"))
# Written shorthand some recognisers and students use: "$300m", "3bn", "10k".
_SUFFIXES = {"k": 1_000, "m": 1_000_000, "bn": 1_000_000_000}
_SUFFIX_WORDS = {"k": "thousand", "m": "million", "bn": "billion"}


def number_words(n: int) -> str:
    """A cardinal number in words, as Alexa says it: 300 -> "three hundred"."""
    if n < 20:
        return UNIT_WORDS[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return TENS_WORDS[tens] + (f" {UNIT_WORDS[ones]}" if ones else "")
    for size, name in _SCALES:
        if n >= size:
            head, rest = divmod(n, size)
            return f"{number_words(head)} {name}" + (f" {number_words(rest)}" if rest else "")
    raise AssertionError(n)  # unreachable: every n >= 100 has a scale


def year_words(n: int) -> str:
    """A year as it is said: 1949 -> "nineteen forty nine", 1905 -> "nineteen oh five"."""
    # 2000-2009 are said as numbers ("two thousand five"), as are years before 1100.
    if not (1100 <= n <= 1999 or 2010 <= n <= 2099):
        return number_words(n)
    century, rest = divmod(n, 100)
    if rest == 0:
        return f"{number_words(century)} hundred"
    if rest < 10:
        return f"{number_words(century)} oh {number_words(rest)}"
    return f"{number_words(century)} {number_words(rest)}"


def _said_number(match: re.Match[str]) -> str:
    whole, _, decimals = match[0].partition(".")
    if decimals:
        return f"{number_words(int(whole))} point " + " ".join(UNIT_WORDS[int(d)] for d in decimals)
    # Four digits in running text are nearly always a year in this subject.
    return year_words(int(whole)) if len(whole) == 4 else number_words(int(whole))


@functools.cache
def compiled(pattern: str) -> re.Pattern[str]:
    """A pattern compiled on first use and kept: for the costly ones a launch has no use for,
    whose compiling at import would lengthen every cold start."""
    return re.compile(pattern)


# --- Text as heard --------------------------------------------------------------------------------

_THOUSANDS_COMMA = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_YEAR_RANGE = re.compile(r"\b(\d{4})\s*[-\u2013]\s*(\d{2,4})\b")  # "1949-62"
_DOLLARS = re.compile(r"\$\s*(\d+(?:\.\d+)?)(?:\s*(thousand|million|billion|k|m|bn))?\b")
_ACRONYM = re.compile(r"\b[a-z](?:\.[a-z])+\b\.?")  # "u.s.s.r."
_NOT_HEARD = re.compile(r"(?:(?<!\d)\.|\.(?!\d)|[^a-z0-9'.])+")  # decimal points stay
_QUOTE = re.compile(r"(?<![a-z])'|'(?![a-z])")  # a quote mark, not an apostrophe in a word
_DIGITS = re.compile(r"\d+(?:\.\d+)?")
# Lowercase letters, digits and spaces: text that `heard` would only re-space (most of what
# speech recognition sends), worth the check because heard runs on every question and answer.
_ALREADY_HEARD = re.compile(r"[a-z0-9 ]*")
# Lowercase words one space apart, no digits: what most questions and answers are once heard.
# Such text has no apostrophe, money sign, comma or digit for normalise and read_numbers to
# read, so only its words can change it (checked against every rule in tests/test_language.py).
_LETTER_WORDS = re.compile(r"[a-z]+(?: [a-z]+)*")


def _dollars(match: re.Match[str]) -> str:
    scale = match[2] or ""
    return f"{match[1]} {_SUFFIX_WORDS.get(scale, scale)} dollars"


def heard(text: str) -> str:
    """Text as speech recognition returns it: lowercase words, single spaces, no punctuation.

    Apostrophes inside words stay ("china's"); thousands commas and acronym dots go ("10000",
    "ussr"); money and symbols become words ("$300m" -> "300 million dollars", "&" -> "and").
    """
    if _ALREADY_HEARD.fullmatch(text):
        return " ".join(text.split())  # as recognisers send it: the rules change nothing
    return heard_by_rules(text)


def heard_by_rules(text: str) -> str:
    """`heard`, every rule applied."""
    t = text.lower().replace("\u2019", "'").replace("\u2018", "'").replace("&", " and ")
    t = _THOUSANDS_COMMA.sub("", t)
    t = _YEAR_RANGE.sub(r"\1 to \2", t)
    t = _DOLLARS.sub(_dollars, t)
    t = t.replace("%", " percent")
    t = _ACRONYM.sub(lambda m: m[0].replace(".", ""), t)
    t = _QUOTE.sub(" ", _NOT_HEARD.sub(" ", t))
    return " ".join(t.split())


def sayable(text: str) -> str:
    """Text as Alexa says it: heard words with every number spelled out ("1905" -> "nineteen
    oh five"), as samples and slot values must be written."""
    return " ".join(_DIGITS.sub(_said_number, heard(text)).split())


def normalise(text: str) -> str:
    """Heard words reduced for matching questions: possessives and apostrophes gone ("china's"
    -> "china", "don't" -> "dont"), spoken years as digits ("nineteen sixty" -> "1960").

    Not `heard`: comparing needs one spelling of each word, while a slot delivers "khrushchev's".
    Not `read_numbers`: other numbers stay as heard ("300 million dollars"); matching reads them
    with `read_numbers` after this, marking compares the written forms too.
    """
    if _LETTER_WORDS.fullmatch(text) and _YEAR_STARTS.isdisjoint(text.split(" ")):
        return text  # no apostrophe and no year: every rule leaves it as it is
    return normalised_by_rules(text)


def normalised_by_rules(text: str) -> str:
    """`normalise`, every rule applied."""
    return _read_years(re.sub(r"'s\b", "", heard(text)).replace("'", ""))


# --- Spoken numbers as digits ---------------------------------------------------------------------

_SUFFIXED = re.compile(r"\b(\d+(?:\.\d+)?)(k|m|bn)\b")
_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")

_UNITS = {w: n for n, w in enumerate(UNIT_WORDS)}
_TENS = {w: 10 * n for n, w in enumerate(TENS_WORDS) if w}
# A year said in two halves, in words or digits: "nineteen fifty eight", "nineteen oh five",
# "twenty twenty six", "19 60". General number readers read these as two numbers, "19 58" (see
# PITFALLS.md); "nineteen hundred (and five)" they read right, so it is left to them, as is a
# half followed by a scale ("nineteen fifty thousand").
_UNIT = "|".join(UNIT_WORDS[1:10]) + "|[1-9]"
_SPOKEN_YEAR = (  # compiled on first use: the costliest pattern to compile, 1.4 ms
    rf"\b(?P<century>{'|'.join(UNIT_WORDS[11:])}|twenty|1[1-9]|20) "
    rf"(?:(?:oh|o) (?P<oh>{_UNIT})"
    rf"|(?P<tens>{'|'.join(_TENS)})(?: (?P<unit>{_UNIT}))?+"
    rf"|(?P<rest>{'|'.join(UNIT_WORDS[10:])}|[1-9][0-9]))\b"
    r"(?! (?:hundred|thousand|million|billion)\b)"
)


def is_number(token: str) -> bool:
    """Whether a token is digits, with an optional decimal part."""
    return bool(_NUMBER.match(token))


def format_number(value: float) -> str:
    """Digits for a value: integers without a decimal point, so 300000000.0 -> "300000000"."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _is_magnitude(value: float) -> bool:
    """100, 1000, ... 10**12: what alpha2digit leaves alone after digits ("300 1000000")."""
    return any(value == 10**power for power in range(2, 13))


def _join_magnitudes(tokens: list[str]) -> list[str]:
    """Multiply a number by the magnitude that follows it: "300 1000000" -> "300000000".

    alpha2digit reads "300 million" as "300 1000000" and "3 hundred million" as "3 100000000".
    """
    out: list[str] = []
    for token in tokens:
        if (
            out
            and is_number(token)
            and is_number(out[-1])
            and _is_magnitude(float(token))
            and 0 < float(out[-1]) < float(token)
        ):
            out[-1] = format_number(float(out[-1]) * float(token))
        else:
            out.append(token)
    return out


def _value(word: str | None) -> int:
    """The value of a number word or digits in a spoken year; 0 for a part not said."""
    if word is None:
        return 0
    return int(word) if word.isdigit() else _UNITS.get(word) or _TENS[word]


# The words a spoken year starts with ("nineteen fifty", "twenty ten"): without one of them (or
# digits) `_read_years` has nothing to read.
_YEAR_STARTS = frozenset((*UNIT_WORDS[11:], "twenty"))


def _year(match: re.Match[str]) -> str:
    century, *rest = match.group("century", "oh", "tens", "unit", "rest")
    return str(_value(century) * 100 + sum(map(_value, rest)))


def _read_years(text: str) -> str:
    """Years said in two halves as one number: "in nineteen fifty eight" -> "in 1958"."""
    return compiled(_SPOKEN_YEAR).sub(_year, text)


def read_numbers(text: str) -> str:
    """Lowercase text with every number as plain digits: "three hundred million" -> "300000000".

    Spoken years are joined ("nineteen fifty eight" -> "1958"); money signs and thousands commas
    are dropped ("$300,000" -> "300000"); "first" becomes "1st". A leading "a" stays a word
    ("a hundred" -> "a 100"): in running text it is as often an article as a number.
    """
    if _LETTER_WORDS.fullmatch(text) and not any(map(_read_as_number, text.split(" "))):
        return text  # no word of a number, a year or an ordinal: every rule leaves it as it is
    return numbers_read_by_rules(text)


def numbers_read_by_rules(text: str) -> str:
    """`read_numbers`, every rule applied."""
    text = text.lower().replace("$", " ").replace("£", " ")
    text = _THOUSANDS_COMMA.sub("", text)
    # alpha2digit does not read hyphenated words ("five-year"); spaces keep the words apart.
    text = _read_years(" ".join(re.sub(r"(?<=[a-z])-(?=[a-z])", " ", text).split()))
    text = words_as_digits(text)
    text = _SUFFIXED.sub(lambda m: format_number(float(m.group(1)) * _SUFFIXES[m.group(2)]), text)
    return " ".join(_join_magnitudes(text.split()))


def words_as_digits(text: str) -> str:
    """text2num's alpha2digit, with "one" and "two" read too (threshold=0), called only for a
    text with a word it reads: most questions and answers have none, and the call was a
    third of reading a question."""
    return _alpha2digit(text) if any(map(_read_as_number, text.split())) else text


@functools.lru_cache(maxsize=8192)
def _read_as_number(word: str) -> bool:
    """Whether alpha2digit reads a word as (part of) a number, alone or said twice ("o o" is
    "00"); a word with digits is left to it. Words it reads only beside a number ("a hundred",
    "point five") need that number."""
    twice = f"{word} {word}"
    return (
        any(c.isdigit() for c in word) or _alpha2digit(word) != word or _alpha2digit(twice) != twice
    )


def _alpha2digit(text: str) -> str:
    # threshold=0: also convert "one" and "two", which alpha2digit keeps as words by default.
    from text_to_num import alpha2digit  # imported on first use: a cold start needs none

    return alpha2digit(text, "en", threshold=0)


def read_number(said: str) -> int | None:
    """A whole phrase as one whole number, as AMAZON.NUMBER fills it; None unless it is one.

    "a hundred and fifty six" -> 156: alone in a number slot, "a" can only mean one.
    """
    digits = read_numbers(re.sub(r"^a (?=\S)", "one ", said.strip()))
    return int(digits) if digits.isdigit() else None


def as_year(value: float, century: int = 1900) -> float:
    """A two-digit number read as a year in the given century ("sixty" -> 1960), else unchanged."""
    if float(value).is_integer() and 10 <= value <= 99:
        return century + value
    return value


# --- SSML as heard --------------------------------------------------------------------------------

# Compiled on first use: only "repeat" reads SSML back.
_TAG = r"<[^>]+>"
# SSML is XML: five named entities and numeric character references, decoded in one pass so
# that "&amp;lt;" stays "&lt;".
_ENTITY = r"&(?:#(\d+)|#x([0-9a-fA-F]+)|(amp|lt|gt|quot|apos));"
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def _entity(match: re.Match[str]) -> str:
    decimal, hexadecimal, name = match.groups()
    if name:
        return _NAMED[name]
    code = int(decimal) if decimal else int(hexadecimal, 16)
    # Past Unicode's range it names no character: left as written rather than failing.
    return chr(code) if code <= 0x10FFFF else match[0]


def plain_text(ssml: str) -> str:
    """What the listener hears, as plain text: tags dropped, entities decoded, spaces collapsed."""
    text = " ".join(compiled(_ENTITY).sub(_entity, compiled(_TAG).sub(" ", ssml)).split())
    return re.sub(r" ([,.?!])", r"\1", text)  # a tag between a word and its punctuation


# --- Stopwords ------------------------------------------------------------------------------------

# NLTK's English stopword list (as bm25s ships it as STOPWORDS_EN_PLUS), kept here so that
# matching needs no numpy.
ENGLISH_STOPWORDS = frozenset({
    'a', 'about', 'above', 'after', 'again', 'against', 'ain', 'all', 'am', 'an', 'and', 'any',
    'are', 'aren', "aren't", 'as', 'at', 'be', 'because', 'been', 'before', 'being', 'below',
    'between', 'both', 'but', 'by', 'can', 'couldn', "couldn't", 'd', 'did', 'didn', "didn't",
    'do', 'does', 'doesn', "doesn't", 'doing', 'don', "don't", 'down', 'during', 'each', 'few',
    'for', 'from', 'further', 'had', 'hadn', "hadn't", 'has', 'hasn', "hasn't", 'have', 'haven',
    "haven't", 'having', 'he', 'her', 'here', 'hers', 'herself', 'him', 'himself', 'his', 'how',
    'i', 'if', 'in', 'into', 'is', 'isn', "isn't", 'it', "it's", 'its', 'itself', 'just', 'll',
    'm', 'ma', 'me', 'mightn', "mightn't", 'more', 'most', 'mustn', "mustn't", 'my', 'myself',
    'needn', "needn't", 'no', 'nor', 'not', 'now', 'o', 'of', 'off', 'on', 'once', 'only', 'or',
    'other', 'our', 'ours', 'ourselves', 'out', 'over', 'own', 're', 's', 'same', 'shan',
    "shan't", 'she', "she's", 'should', "should've", 'shouldn', "shouldn't", 'so', 'some', 'such',
    't', 'than', 'that', "that'll", 'the', 'their', 'theirs', 'them', 'themselves', 'then',
    'there', 'these', 'they', 'this', 'those', 'through', 'to', 'too', 'under', 'until', 'up',
    've', 'very', 'was', 'wasn', "wasn't", 'we', 'were', 'weren', "weren't", 'what', 'when',
    'where', 'which', 'while', 'who', 'whom', 'why', 'will', 'with', 'won', "won't", 'wouldn',
    "wouldn't", 'y', 'you', "you'd", "you'll", "you're", "you've", 'your', 'yours', 'yourself',
    'yourselves',
})  # fmt: skip


# --- Sounds ---------------------------------------------------------------------------------------


def sound_keys(word: str) -> tuple[str, ...]:
    """A word's sounds: its key, and the key without a "j" inside, which speech recognition may
    hear as a "y" ("xinjiang" -> "shin yang") or keep ("man jury a")."""
    key = sound_key(word)
    soft = key[:1] + re.sub(r"(.)\1+", r"\1", key[1:].replace("J", ""))
    return (key, soft) if soft != key else (key,)


def sound_key(word: str) -> str:
    """A word's sound: its metaphone, with the marks of spelling that speech recognition does
    not hear ("kh", doubled letters, a "y" inside a word) taken out."""
    import jellyfish  # imported on first use: a cold start needs none

    key = jellyfish.metaphone(word)
    key = key[:1] + re.sub(r"[HY]", "", key[1:])
    key = key[:1] + re.sub(r"W$", "", key[1:])  # "mosque owe": a final "w" is a vowel
    key = key.replace("X", "S")  # "sh" and "x": pinyin's x is said "sh" ("shin jang")
    return re.sub(r"(.)\1+", r"\1", key)


# --- Sentence case --------------------------------------------------------------------------------

# English words that are capitalised only to start a sentence: inside one they are lower case.
# Names keep their capitals ("First, Mao strongly distrusted Stalin").
_SENTENCE_STARTERS = frozenset({
    "a", "an", "the", "it", "its", "this", "that", "these", "those", "they", "their", "there",
    "he", "his", "she", "her", "we", "our", "you", "every", "each", "all", "some", "any", "no",
    "during", "after", "before", "under", "in", "on", "at", "by", "for", "from", "with",
    "without", "despite", "although", "while", "when", "because", "so", "but", "and", "or",
    "both", "yet", "then", "afterwards", "soon", "later", "one", "two", "three", "four",
})  # fmt: skip


def mid_sentence(text: str) -> str:
    """Text as it reads inside a sentence: "The Soviet loan" -> "the Soviet loan", while a
    name keeps its capital ("Mao distrusted Stalin")."""
    first, _, rest = text.partition(" ")
    if first.lower() in _SENTENCE_STARTERS and first[:1].isupper() and first[1:].islower():
        return f"{first.lower()} {rest}".rstrip()
    return text
