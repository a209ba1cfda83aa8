"""Spoken number normalisation: number words, money and spoken years become plain digits.

Speech recognition returns numbers as words or digits ("three hundred million", "300 million",
"$300 million", "300,000,000", "nineteen sixty"); marking compares numbers by value, so every
form of one value must come out as the same digit string.
"""

from __future__ import annotations

import re

from text_to_num import alpha2digit

# Written shorthand some recognisers and students use: "$300m", "3bn", "10k".
_SUFFIXES = {"k": 1_000, "m": 1_000_000, "bn": 1_000_000_000}

_THOUSANDS_COMMA = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_SUFFIXED = re.compile(r"\b(\d+(?:\.\d+)?)(k|m|bn)\b")
_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")
# "nineteen oh five": alpha2digit gives "19 oh 5".
_OH_YEAR = re.compile(r"\b(1[0-9]|20) (?:oh|o) ([1-9])\b")


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


def _join_years(tokens: list[str]) -> list[str]:
    """Read a spoken year split in two ("19 60", from "nineteen sixty") as one year: "1960"."""
    out: list[str] = []
    for token in tokens:
        prev = out[-1] if out else ""
        if (
            token.isdigit()
            and prev.isdigit()
            and len(prev) == 2
            and 11 <= int(prev) <= 20
            and len(token) == 2
            and 10 <= int(token) <= 99
        ):
            out[-1] = prev + token
        else:
            out.append(token)
    return out


def normalise_numbers(text: str) -> str:
    """Lowercase text with every number as plain digits: "three hundred million" -> "300000000".

    Spoken years are joined ("nineteen fifty eight" -> "1958"); money signs and thousands commas
    are dropped ("$300,000" -> "300000"); "first" becomes "1st".
    """
    text = text.lower().replace("$", " ").replace("£", " ")
    text = _THOUSANDS_COMMA.sub("", text)
    # alpha2digit does not read hyphenated words ("five-year"); spaces keep the words apart.
    text = re.sub(r"(?<=[a-z])-(?=[a-z])", " ", text)
    # threshold=0: also convert "one" and "two", which alpha2digit keeps as words by default.
    text = alpha2digit(text, "en", threshold=0)
    text = _OH_YEAR.sub(lambda m: f"{m.group(1)}0{m.group(2)}", text)
    text = _SUFFIXED.sub(lambda m: format_number(float(m.group(1)) * _SUFFIXES[m.group(2)]), text)
    tokens = _join_years(_join_magnitudes(text.split()))
    return " ".join(tokens)


def as_year(value: float, century: int = 1900) -> float:
    """A two-digit number read as a year in the given century ("sixty" -> 1960), else unchanged."""
    if float(value).is_integer() and 10 <= value <= 99:
        return century + value
    return value
