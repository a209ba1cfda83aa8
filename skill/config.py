"""Configuration from environment variables, with defaults that are safe."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

DEFAULT_STORE = "sqlite:///" + str(Path.home() / ".local/share/history-revision/progress.sqlite3")


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() not in {"0", "false", "no", "off"}


class Config(NamedTuple):
    """Settings for one skill process."""

    skill_id: str | None = None  # requests for another skill are rejected when set
    verify_signatures: bool = True  # Alexa signature checks on the HTTP endpoint
    progress_store: str = DEFAULT_STORE  # "sqlite:///path" or "memory://"
    log_level: str = "INFO"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Config:
        """Read SKILL_ID, VERIFY_SIGNATURES, PROGRESS_STORE and LOG_LEVEL."""
        env = os.environ if environ is None else environ
        return cls(
            skill_id=env.get("SKILL_ID") or None,
            verify_signatures=_flag(env.get("VERIFY_SIGNATURES"), True),
            progress_store=env.get("PROGRESS_STORE") or DEFAULT_STORE,
            log_level=(env.get("LOG_LEVEL") or "INFO").upper(),
        )
