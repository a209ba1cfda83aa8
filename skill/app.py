"""The HTTPS endpoint: a Flask app serving the same skill object as the simulator and Lambda.

    POST /alexa    an Alexa request, verified (skill/verify.py), then answered by the skill
    GET  /health   for load balancers

Production: `gunicorn -c gunicorn.conf.py` (target `skill.app:create_app()`). Locally:
`python -m skill serve [--host H] [--port P] [--dev]`, which with verification off also mounts the
developer tools it is given (the test console); this module imports none of them. Nothing here
logs a body, a user id or a slot value: log lines name the request id and the reason only.
"""

from __future__ import annotations

import argparse
import ipaddress
import logging
import sys
import traceback
from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

import orjson
from ask_sdk_core.exceptions import AskSdkException
from ask_sdk_model import RequestEnvelope
from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from skill.config import Config
from skill.serializer import FastSerializer
from skill.verify import MAX_BODY_BYTES, Rejected, Verifier, request_id_of

log = logging.getLogger(__name__)

JSON_TYPE = "application/json"
# Where create_app leaves the AlexaEndpoint (its skill and verifier) for developer tools to find.
ENDPOINT_EXTENSION = "alexa_endpoint"


def create_app(
    config: Config | None = None, *, skill: Any = None, verifier: Verifier | None = None
) -> Flask:
    """The endpoint app. Defaults: config from the environment, signature checks on."""
    config = config or Config.from_env()
    if skill is None:
        from skill.builder import create_skill  # the handlers load content: only when needed

        skill = create_skill(config)
    if verifier is None:
        verifier = Verifier(skill_id=config.skill_id, check_signatures=config.verify_signatures)
    _warn_if_unsafe(verifier)
    app = Flask(__name__)
    # One byte over the cap, so that a chunked body of the cap plus more is seen to be too long
    # (werkzeug cuts a chunked body at the limit without an error).
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES + 1
    endpoint = AlexaEndpoint(skill, verifier)
    app.extensions[ENDPOINT_EXTENSION] = endpoint
    # No automatic OPTIONS: /alexa answers POST and nothing else.
    app.add_url_rule("/alexa", "alexa", endpoint, methods=["POST"], provide_automatic_options=False)
    app.add_url_rule("/health", "health", health, methods=["GET"])
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected_error)
    return app


def health() -> Response:
    """Up: the skill was built, so content and store opened."""
    return _json({"status": "ok"}, 200)


class AlexaEndpoint:
    """POST /alexa: HTTP checks, verification, then the skill; every refusal a generic body."""

    def __init__(self, skill: Any, verifier: Verifier) -> None:
        self.skill = skill
        self.verifier = verifier
        self.serializer = FastSerializer()

    def __call__(self) -> Response:
        try:
            _check_content_type(request.mimetype, request.mimetype_params)
            body = _read_body()
            # werkzeug's Headers look names up without regard to case, as verify needs.
            envelope = self.verifier.verify(cast(Mapping[str, str], request.headers), body)
            return self._answer(envelope, request_id_of(envelope))
        except Rejected as rejected:
            # Nothing from an unverified body reaches the log, not even its request id.
            log.warning("rejected request: %s", rejected.reason)
            return _json({"error": "bad request"}, rejected.status)

    def _answer(self, parsed: dict[str, Any], request_id: str | None) -> Response:
        try:  # the JSON the verifier parsed, not parsed again
            envelope = self.serializer.read(parsed, RequestEnvelope)
        except Exception as error:  # the SDK raises several kinds on a malformed envelope
            raise Rejected(f"envelope does not deserialise: {type(error).__name__}") from None
        try:
            response = self.skill.invoke(request_envelope=envelope, context=None)
        except AskSdkException as error:  # e.g. another skill's id; the message may quote data
            raise Rejected(f"skill refused the request: {type(error).__name__}") from None
        log.debug("answered request %s", request_id or "-")
        return _json(self.serializer.serialize(response), 200)


def _check_content_type(mimetype: str, params: dict[str, str]) -> None:
    if mimetype != JSON_TYPE or params.get("charset", "utf-8").lower() != "utf-8":
        raise Rejected("content type is not JSON in UTF-8", 415)


def _read_body() -> bytes:
    """The raw body, refused over the cap (werkzeug refuses a longer Content-Length itself)."""
    body = request.get_data(cache=False)
    if len(body) > MAX_BODY_BYTES:
        raise Rejected("body is too large", 413)
    return body


def _json(document: Any, status: int) -> Response:
    return Response(orjson.dumps(document), status=status, mimetype=JSON_TYPE)


def _http_error(error: HTTPException) -> Response:
    """405, 404, 413 from werkzeug: the status with a generic body, and a log line."""
    status = error.code or 500
    if status == 413:
        log.warning("rejected request -: body is too large")
    return _json({"error": error.name.lower()}, status)


def _unexpected_error(error: Exception) -> Response:
    """A bug: logged by type and place only (a message may quote a student), answered 500."""
    frames = traceback.extract_tb(error.__traceback__)
    where = f"{frames[-1].filename}:{frames[-1].lineno}" if frames else "?"
    log.error("internal error %s at %s", type(error).__name__, where)
    return _json({"error": "internal error"}, 500)


def _warn_if_unsafe(verifier: Verifier) -> None:
    if not verifier.check_signatures:
        log.warning("Alexa signature verification is OFF: for local development only")
    if verifier.skill_id is None:
        log.warning("SKILL_ID is not set: requests for any skill are accepted")


def __getattr__(name: str) -> Any:
    """`skill.app:application` for WSGI servers, built from the environment on first use."""
    if name == "application":
        app = globals()["application"] = create_app()
        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# --- python -m skill serve -----------------------------------------------------------------------

DEV_BANNER = """\
WARNING ************************************************************************
WARNING  --dev: Alexa signature verification is OFF.
WARNING  Anyone who can reach {address} can talk to the skill as any student.
WARNING  Timestamps{skill_id_note} are still checked. Never use --dev in production.
WARNING ************************************************************************"""


def add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `python -m skill serve`."""
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on")
    parser.add_argument(
        "--dev",
        action="store_true",
        help="switch signature verification off (timestamps and skill id still checked)",
    )


# A developer tool for the dev server: adds routes to the app and returns the path to open.
DevTool = Callable[[Flask], str]


def run_serve(args: argparse.Namespace, dev_tools: Sequence[DevTool] = ()) -> int:
    """Serve the endpoint with werkzeug's development server until interrupted. With signature
    verification off (--dev), `dev_tools` are mounted too; with it on, never."""
    config = Config.from_env()
    if args.dev:
        config = config._replace(verify_signatures=False)
    logging.basicConfig(level=config.log_level, stream=sys.stderr)
    app = create_app(config)
    if not config.verify_signatures:
        print(dev_banner(args.host, args.port, config.skill_id), file=sys.stderr, flush=True)
        for mount in dev_tools:
            path = mount(app)
            print(f"Serving http://{args.host}:{args.port}{path}", file=sys.stderr, flush=True)
    app.run(host=args.host, port=args.port, debug=False, use_reloader=False, threaded=True)
    return 0


def dev_banner(host: str, port: int, skill_id: str | None) -> str:
    """The start-up warning for a server without signature checks."""
    address = f"{host}:{port}"
    if not _is_loopback(host):
        address += " (NOT only this machine)"
    note = " and the skill id" if skill_id else " (but no skill id: SKILL_ID is not set)"
    return DEV_BANNER.format(address=address, skill_id_note=note)


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def serve(argv: Sequence[str] | None = None) -> int:
    """`python -m skill serve` on its own: parse `argv` and serve."""
    parser = argparse.ArgumentParser(prog="python -m skill serve", description="serve /alexa")
    add_serve_arguments(parser)
    return run_serve(parser.parse_args(argv))
