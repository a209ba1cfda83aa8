"""One failed check, as every check reports it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Failure:
    """One failed check: which check, where (locale, state, request), and why."""

    check: str
    where: str
    why: str

    def __str__(self) -> str:
        return f"{self.check}: {self.where}: {self.why}"
