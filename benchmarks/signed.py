"""Requests as Alexa posts them over HTTP: fresh timestamps, signed with the test PKI."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from benchmarks.skills import stamped
from tests.pki import PKI_DIR_ENV, Pki, shared_pki, signed_headers, write_pki


def signed_requests(
    requests: Mapping[str, dict[str, Any]], pki: Pki | None = None
) -> list[dict[str, Any]]:
    """Each envelope stamped now and signed: [{"name", "body", "headers"}].

    The verifier accepts a timestamp for 150 seconds, so sign just before sending."""
    pki = pki or shared_pki()
    signed = []
    for name, envelope in stamped(requests).items():
        body = json.dumps(envelope).encode("utf-8")
        headers = signed_headers(body, pki.leaf_key)
        signed.append({"name": name, "body": body.decode("utf-8"), "headers": headers})
    return signed


def write_requests(directory: Path, requests: Mapping[str, dict[str, Any]]) -> Path:
    """The test PKI's files (for tests.pki.create_test_app) and the signed requests, in
    `directory`; returns the requests file."""
    pki = shared_pki()
    directory.mkdir(parents=True, exist_ok=True)
    write_pki(directory, pki)
    path = directory / "requests.json"
    path.write_text(json.dumps(signed_requests(requests, pki)), encoding="utf-8")
    return path


__all__ = ["PKI_DIR_ENV", "signed_requests", "write_requests"]
