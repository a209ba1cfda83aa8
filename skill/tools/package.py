"""Write an ASK CLI skill package: the manifest with its endpoint, and the interaction models.

    python -m skill package DIR --endpoint-url https://skill.example.org/alexa
    python -m skill package DIR --lambda-arn arn:aws:lambda:eu-west-1:123456789012:function:x

writes DIR/skill-package/skill.json and DIR/skill-package/interactionModels/custom/<locale>.json
from interaction_model/, ready for `ask deploy` or `ask smapi import-skill-package`.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from skill.tools.model import LOCALES, MODEL_DIR

# How Alexa checks an HTTPS endpoint's certificate: "Wildcard" for a certificate for a wildcard
# domain (*.example.org), "Trusted" for one naming the host, both from a trusted CA.
CERTIFICATE_TYPES = ("Wildcard", "Trusted")
_LAMBDA_ARN = re.compile(r"arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[\w-]+(:[\w-]+)?")


def endpoint_for(
    endpoint_url: str | None, lambda_arn: str | None, certificate_type: str = "Wildcard"
) -> dict[str, str]:
    """The manifest's apis.custom.endpoint for an HTTPS URL or a Lambda ARN (exactly one)."""
    if (endpoint_url is None) == (lambda_arn is None):
        raise ValueError("give exactly one of an endpoint URL and a Lambda ARN")
    if lambda_arn is not None:
        if not _LAMBDA_ARN.fullmatch(lambda_arn):
            raise ValueError(f"not a Lambda function ARN: {lambda_arn!r}")
        return {"uri": lambda_arn}
    parts = urlsplit(endpoint_url or "")
    if parts.scheme != "https" or not parts.hostname:
        raise ValueError(f"Alexa calls HTTPS endpoints only: {endpoint_url!r}")
    if certificate_type not in CERTIFICATE_TYPES:
        raise ValueError(f"certificate type must be one of {CERTIFICATE_TYPES}")
    return {"uri": endpoint_url or "", "sslCertificateType": certificate_type}


def package(
    out_dir: str | Path,
    *,
    endpoint_url: str | None = None,
    lambda_arn: str | None = None,
    certificate_type: str = "Wildcard",
    model_dir: Path = MODEL_DIR,
) -> list[Path]:
    """Write the skill package under out_dir/skill-package; returns the files written."""
    endpoint = endpoint_for(endpoint_url, lambda_arn, certificate_type)
    manifest = _read_json(model_dir / "skill.json")
    manifest["manifest"].setdefault("apis", {}).setdefault("custom", {})["endpoint"] = endpoint
    # Skill events (SKILL_DISABLED) go to the same place as requests.
    if "events" in manifest["manifest"]:
        manifest["manifest"]["events"]["endpoint"] = {"uri": endpoint["uri"]}
    root = Path(out_dir) / "skill-package"
    models = root / "interactionModels" / "custom"
    models.mkdir(parents=True, exist_ok=True)
    skill_json = root / "skill.json"
    skill_json.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", "utf-8")
    written = [skill_json]
    for locale in LOCALES:
        target = models / f"{locale}.json"
        shutil.copyfile(model_dir / f"{locale}.json", target)
        written.append(target)
    return written


def _read_json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def add_package_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `python -m skill package`."""
    parser.add_argument("out_dir", metavar="DIR", type=Path, help="where to write skill-package/")
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--endpoint-url", metavar="URL", help="the HTTPS endpoint, .../alexa")
    target.add_argument("--lambda-arn", metavar="ARN", help="the Lambda function's ARN")
    parser.add_argument(
        "--certificate-type",
        choices=CERTIFICATE_TYPES,
        default="Wildcard",
        help="the endpoint certificate, for --endpoint-url (default: Wildcard)",
    )


def run_package(args: argparse.Namespace) -> int:
    """Write the package and list the files; a bad URL or ARN is an error message, status 2."""
    try:
        written = package(
            args.out_dir,
            endpoint_url=args.endpoint_url,
            lambda_arn=args.lambda_arn,
            certificate_type=args.certificate_type,
        )
    except ValueError as error:
        print(f"python -m skill package: {error}", file=sys.stderr)
        return 2
    for path in written:
        print(path)
    return 0
