"""`python -m skill package`: the ASK CLI skill package with the endpoint filled in."""

from __future__ import annotations

import argparse
import json

import pytest

from skill.tools.model import LOCALES, MODEL_DIR
from skill.tools.package import add_package_arguments, package, run_package

ARN = "arn:aws:lambda:eu-west-1:123456789012:function:history-revision"


def _manifest(out) -> dict:
    return json.loads((out / "skill-package" / "skill.json").read_text(encoding="utf-8"))


def test_an_https_endpoint_is_written_with_its_certificate_type(tmp_path):
    written = package(tmp_path, endpoint_url="https://skill.example.org/alexa")
    endpoint = _manifest(tmp_path)["manifest"]["apis"]["custom"]["endpoint"]
    assert endpoint == {"uri": "https://skill.example.org/alexa", "sslCertificateType": "Wildcard"}
    assert len(written) == 1 + len(LOCALES)


def test_a_lambda_endpoint_is_the_arn_alone(tmp_path):
    package(tmp_path, lambda_arn=ARN)
    assert _manifest(tmp_path)["manifest"]["apis"]["custom"]["endpoint"] == {"uri": ARN}


def test_skill_events_and_can_fulfill_are_declared_at_the_same_endpoint(tmp_path):
    package(tmp_path, lambda_arn=ARN)
    manifest = _manifest(tmp_path)["manifest"]
    assert manifest["events"]["endpoint"] == {"uri": ARN}
    assert {"eventName": "SKILL_DISABLED"} in manifest["events"]["subscriptions"]
    assert {"type": "CAN_FULFILL_INTENT_REQUEST"} in manifest["apis"]["custom"]["interfaces"]


def test_the_rest_of_the_manifest_and_the_models_are_copied(tmp_path):
    package(tmp_path, lambda_arn=ARN)
    original = json.loads((MODEL_DIR / "skill.json").read_text(encoding="utf-8"))
    written = _manifest(tmp_path)
    for document in (original, written):  # the endpoints are the package's own
        del document["manifest"]["apis"], document["manifest"]["events"]["endpoint"]
    assert written == original
    models = tmp_path / "skill-package" / "interactionModels" / "custom"
    for locale in LOCALES:
        assert (models / f"{locale}.json").read_bytes() == (
            MODEL_DIR / f"{locale}.json"
        ).read_bytes()


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"endpoint_url": "https://skill.example.org/alexa", "lambda_arn": ARN},
        {"endpoint_url": "http://skill.example.org/alexa"},
        {"endpoint_url": "https:///alexa"},
        {"lambda_arn": "arn:aws:s3:::bucket"},
        {"endpoint_url": "https://skill.example.org/alexa", "certificate_type": "SelfSigned"},
    ],
    ids=["neither", "both", "http", "no-host", "not-lambda", "self-signed"],
)
def test_bad_targets_are_refused_before_anything_is_written(tmp_path, options):
    with pytest.raises(ValueError):
        package(tmp_path, **options)
    assert not (tmp_path / "skill-package").exists()


def _parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_package_arguments(parser)
    return parser.parse_args(argv)


def test_the_command_line(tmp_path, capsys):
    args = _parse(str(tmp_path), "--endpoint-url", "https://skill.example.org/alexa")
    assert run_package(args) == 0
    assert "skill.json" in capsys.readouterr().out
    assert run_package(_parse(str(tmp_path), "--endpoint-url", "http://x.org/alexa")) == 2
    assert "HTTPS" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        _parse(str(tmp_path), "--endpoint-url", "https://x.org/a", "--lambda-arn", ARN)
