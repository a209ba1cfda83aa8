"""The bench table: one row per figure, with its baseline, the ratio and the goal."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Row:
    """One measured figure."""

    name: str  # what was measured, e.g. "turn: question, median"
    value: float | None  # None when the figure could not be measured (see `note`)
    baseline: float | None  # the same figure for the baseline, measured in the same run
    unit: str  # "µs", "ms", "MB", "req/s", "%"
    goal: str = ""  # the goal in words, e.g. "ratio ≤ 1.3"
    met: bool | None = None  # None: no goal, or not measured
    note: str = ""  # what the baseline is, or why the figure is missing
    baseline2: float | None = None  # a second baseline, shown with its ratio, without a goal

    @property
    def ratio(self) -> float | None:
        if self.value is None or not self.baseline:
            return None
        return self.value / self.baseline

    @property
    def ratio2(self) -> float | None:
        if self.value is None or not self.baseline2:
            return None
        return self.value / self.baseline2

    def with_second(self, baseline2: float | None) -> Row:
        return replace(self, baseline2=baseline2)

    def with_note(self, note: str) -> Row:
        return replace(self, note=note)


def ratio_goal(
    name: str,
    value: float | None,
    baseline: float | None,
    unit: str,
    *,
    at_most: float | None = None,
    at_least: float | None = None,
    note: str = "",
) -> Row:
    """A row whose goal is a bound on value / baseline."""
    row = Row(name, value, baseline, unit, note=note)
    ratio = row.ratio
    if at_most is not None:
        met = None if ratio is None else ratio <= at_most
        return Row(**{**vars(row), "goal": f"ratio ≤ {at_most:g}", "met": met})
    if at_least is not None:
        met = None if ratio is None else ratio >= at_least
        return Row(**{**vars(row), "goal": f"ratio ≥ {at_least:g}", "met": met})
    return row


def bound_goal(row: Row, goal: str, check: Callable[[float], bool]) -> Row:
    """The row with an absolute goal on its value."""
    met = None if row.value is None else check(row.value)
    return Row(**{**vars(row), "goal": goal, "met": met})


def median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile: the smallest value with `share` of the values at or below."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 1))  # ceil without float error on whole numbers
    return ordered[int(rank) - 1]


def _number(value: float | None) -> str:
    if value is None:
        return "-"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}" if abs(value) < 10 else f"{value:.1f}"


def _with_unit(value: float | None, unit: str) -> str:
    return _number(value) + unit if value is not None else "-"


def _ratio(ratio: float | None) -> str:
    return f"{ratio:.2f}" if ratio is not None else "-"


def render(rows: Sequence[Row]) -> str:
    """The table as text, one line per row; notes under it."""
    second = any(row.baseline2 is not None for row in rows)
    header: tuple[str, ...] = ("figure", "value", "baseline", "ratio", "goal", "")
    if second:
        header += ("baseline 2", "ratio 2")
    lines = [header]
    for row in rows:
        unit = f" {row.unit}" if row.unit else ""
        verdict = {True: "met", False: "MISSED", None: ""}[row.met]
        line: tuple[str, ...] = (
            row.name,
            _number(row.value) + unit if row.value is not None else "not run",
            _with_unit(row.baseline, unit),
            _ratio(row.ratio),
            row.goal,
            verdict,
        )
        if second:
            line += (_with_unit(row.baseline2, unit), _ratio(row.ratio2))
        lines.append(line)
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    text = []
    for i, line in enumerate(lines):
        cells = [
            cell.ljust(width) if c in (0, 4, 5) else cell.rjust(width)
            for c, (cell, width) in enumerate(zip(line, widths, strict=True))
        ]
        text.append("  ".join(cells).rstrip())
        if i == 0:
            text.append("  ".join("-" * w for w in widths))
    notes = [f"  {row.name}: {row.note}" for row in rows if row.note]
    if notes:
        text += ["", "notes:", *notes]
    return "\n".join(text)


def machine() -> str:
    """CPU model, cores and Python version, for the record."""
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{model}, {cores} cores, Python {sys.version.split()[0]} on {platform.system()}"


def run_for_json(
    command: Sequence[str], *, cwd: Path, env: Mapping[str, str], timeout: float, what: str
) -> Any:
    """Run a measuring subprocess and read the JSON it prints last; fail loudly with its stderr."""
    done = subprocess.run(
        list(command), cwd=cwd, env=dict(env), capture_output=True, text=True, timeout=timeout
    )
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])
