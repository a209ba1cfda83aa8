"""Text normalisation shared by matching and marking: written or recognised text -> plain words.

Speech recognition returns lowercase, unpunctuated words; written content has capitals, commas in
numbers, apostrophes and hyphens. Both are brought to the same form before they are compared.
"""

from __future__ import annotations

import re

_UNITS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9,
}  # fmt: skip
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70}
_TEENS = {
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip

# "nineteen fifty eight" -> 1958. General number parsers read it as "19 58" (see PITFALLS.md),
# and this topic's years are all in the 1900s.
_SPOKEN_YEAR = re.compile(
    r"\bnineteen (?:(?P<teen>" + "|".join(_TEENS) + r")"
    r"|(?P<tens>" + "|".join(_TENS) + r")(?: (?P<unit>" + "|".join(_UNITS) + r"))?)\b"
)
_DOLLARS = re.compile(r"\$\s*(\d+(?:\.\d+)?(?: (?:thousand|million|billion))?)")
_NUMBER_COMMA = re.compile(r"(?<=\d),(?=\d{3}\b)")
_POSSESSIVE = re.compile(r"'s\b")
_NOT_WORD = re.compile(r"[^a-z0-9']+")


def _year(match: re.Match[str]) -> str:
    if match["teen"]:
        return str(1900 + _TEENS[match["teen"]])
    return str(1900 + _TENS[match["tens"]] + _UNITS.get(match["unit"] or "", 0))


def normalise(text: str) -> str:
    """Lowercase words separated by single spaces, as speech recognition would return them.

    Commas leave numbers ("10,000" -> "10000"), "$300 million" becomes "300 million dollars",
    spoken years become digits, possessives and punctuation go ("China's" -> "china").
    """
    text = text.lower().replace("\u2019", "'")
    text = _NUMBER_COMMA.sub("", text)
    text = _DOLLARS.sub(r"\1 dollars", text)
    text = _POSSESSIVE.sub("", text)
    text = _NOT_WORD.sub(" ", text).replace("'", "")
    return _SPOKEN_YEAR.sub(_year, " ".join(text.split()))


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
