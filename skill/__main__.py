"""python -m skill: developer commands.

    python -m skill model                 regenerate interaction_model/ from content and templates
    python -m skill ask "quiz me" ...     one-shot requests; print what Alexa would say
    python -m skill chat                  a conversation from stdin, session carried over
    python -m skill check [--locale L]    certification checks: model, manifest, dialogs, responses
    python -m skill test FILE...          run conversation files (tests/conversations/*.yaml)
    python -m skill serve [--dev]         the HTTPS endpoint's Flask app, locally (--dev: /console)
    python -m skill package DIR           an ASK CLI skill package
    python -m skill lambda [--arch A]     the AWS Lambda zip (build/lambda.zip)
    python -m skill bench [--quick]       figures against baselines (benchmarks/README.md)
    (ask and chat take --url URL to talk to a running endpoint instead of in-process)

Each command is a (configure, run) pair in COMMANDS; add a command by adding a pair.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from skill.config import Config

Run = Callable[[argparse.Namespace], int]


def _create_skill(config: Config) -> Any:
    """The skill the endpoint serves (imported here so `model` works without the handlers)."""
    from skill.builder import create_skill

    return create_skill(config)


def _conversation(args: argparse.Namespace) -> Any:
    from skill.tools.simulator import (
        SIMULATED_SKILL_ID,
        Conversation,
        InProcess,
        Simulator,
        user_id,
    )

    config = Config.from_env()
    # A skill id set in the environment makes the skill reject other ids: use the same one.
    simulator = Simulator(
        args.locale, skill_id=config.skill_id or SIMULATED_SKILL_ID, user_id=user_id(args.user)
    )
    if args.url:
        from skill.tools.http_transport import HttpTransport

        return Conversation(HttpTransport(args.url), simulator)
    return Conversation(InProcess(_create_skill(config)), simulator)


def _endpoint_errors(run: Run) -> Run:
    """A refused or unreachable endpoint is a message and exit status 1, not a traceback."""

    def guarded(args: argparse.Namespace) -> int:
        from skill.tools.http_transport import EndpointError

        try:
            return run(args)
        except EndpointError as error:
            print(f"endpoint error: {error}", file=sys.stderr)
            return 1

    return guarded


def _print_turn(turn: Any, as_json: bool, out: TextIO, prefix: str = "") -> None:
    if as_json:
        print(json.dumps(turn.to_json(), ensure_ascii=False), file=out)
    elif turn.speech:
        print(prefix + turn.speech, file=out)


# --- model


def _no_options(parser: argparse.ArgumentParser) -> None:
    """A command without options."""


def _run_model(args: argparse.Namespace) -> int:
    from skill.tools import model

    for path in model.write():
        print(path)
    return 0


# --- ask


def _configure_ask(parser: argparse.ArgumentParser) -> None:
    _add_dialogue_options(parser)
    parser.add_argument("utterances", nargs="+", metavar="UTTERANCE")


def _run_ask(args: argparse.Namespace) -> int:
    conversation = _conversation(args)
    for utterance in args.utterances:
        _print_turn(conversation.say(utterance), args.json, sys.stdout)
        conversation.end()  # each utterance is its own one-shot request
    return 0


# --- chat


def _configure_chat(parser: argparse.ArgumentParser) -> None:
    _add_dialogue_options(parser)


def _run_chat(args: argparse.Namespace) -> int:
    conversation = _conversation(args)
    interactive = sys.stdin.isatty()
    _print_turn(conversation.launch(), args.json, sys.stdout, "Alexa: ")
    while conversation.in_session:
        if interactive:
            print("> ", end="", flush=True)
        line = sys.stdin.readline()
        if not line:  # end of input: the student walked away
            _print_turn(conversation.end(), args.json, sys.stdout, "Alexa: ")
            break
        if line.strip():
            _print_turn(conversation.say(line.strip()), args.json, sys.stdout, "Alexa: ")
    return 0


# --- check


def _configure_check(parser: argparse.ArgumentParser) -> None:
    from skill.tools.model import LOCALES

    parser.add_argument("--locale", action="append", choices=LOCALES, help="default: every one")


def _run_check(args: argparse.Namespace) -> int:
    from skill.tools.check import run_checks

    failures, probes = run_checks(args.locale)
    for failure in failures:
        print(failure)
    verdict = f"{len(failures)} failed" if failures else "all passed"
    print(f"checks: {verdict} ({probes} requests probed)", file=sys.stderr)
    return 1 if failures else 0


# --- test


def _configure_test(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="conversation files or folders")
    parser.add_argument("--url", help="POST to a running endpoint (one started with serve --dev)")
    parser.add_argument(
        "--user",
        metavar="NAME",
        help="talk as this student: each name is a student of its own, with its own progress",
    )


def _run_test(args: argparse.Namespace) -> int:
    from skill.tools.conversations import main as run_conversations

    return run_conversations(args.files, url=args.url, out=sys.stdout)


def _add_dialogue_options(parser: argparse.ArgumentParser) -> None:
    from skill.tools.model import LOCALES

    parser.add_argument("--locale", default="en-GB", choices=LOCALES)
    parser.add_argument("--json", action="store_true", help="one JSON object per turn")
    parser.add_argument("--url", help="POST to a running endpoint (one started with serve --dev)")
    parser.add_argument(
        "--user",
        metavar="NAME",
        help="talk as this student: each name is a student of its own, with its own progress",
    )


# --- serve, package, lambda


def _configure_serve(parser: argparse.ArgumentParser) -> None:
    from skill.app import add_serve_arguments

    add_serve_arguments(parser)


def _run_serve(args: argparse.Namespace) -> int:
    from skill.app import run_serve
    from skill.tools.console import mount_console

    # The test console comes with --dev only: run_serve mounts no tool while it verifies.
    return run_serve(args, dev_tools=[mount_console])


def _configure_package(parser: argparse.ArgumentParser) -> None:
    from skill.tools.package import add_package_arguments

    add_package_arguments(parser)


def _run_package(args: argparse.Namespace) -> int:
    from skill.tools.package import run_package

    return run_package(args)


def _configure_lambda(parser: argparse.ArgumentParser) -> None:
    from skill.tools.lambda_zip import add_arguments

    add_arguments(parser)


def _run_lambda(args: argparse.Namespace) -> int:
    from skill.tools.lambda_zip import run

    return run(args)


# --- bench


def _configure_bench(parser: argparse.ArgumentParser) -> None:
    from benchmarks.run import add_arguments

    add_arguments(parser)


def _run_bench(args: argparse.Namespace) -> int:
    from benchmarks.run import run

    return run(args)


COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Run]] = {
    "model": ("regenerate interaction_model/", _no_options, _run_model),
    "ask": (
        "one-shot utterances, each in a new session",
        _configure_ask,
        _endpoint_errors(_run_ask),
    ),
    "chat": ("a conversation read from stdin", _configure_chat, _endpoint_errors(_run_chat)),
    "serve": (
        "serve /alexa over HTTP (--dev: no signature checks, and the test console at /console)",
        _configure_serve,
        _run_serve,
    ),
    "package": ("write an ASK CLI skill package", _configure_package, _run_package),
    "lambda": ("build the AWS Lambda zip", _configure_lambda, _run_lambda),
    "check": ("certification checks, offline", _configure_check, _run_check),
    "test": ("run conversation files against the skill", _configure_test, _run_test),
    "bench": ("benchmarks against baselines, as a table", _configure_bench, _run_bench),
}


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and run one command; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m skill", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name, (help_text, configure, run) in COMMANDS.items():
        sub = commands.add_parser(name, help=help_text)
        configure(sub)
        sub.set_defaults(run=run)
    args = parser.parse_args(argv)
    from ask_sdk_core.exceptions import PersistenceException

    from skill.content import ContentError
    from skill.dialog import DialogError

    try:
        return args.run(args)
    except (ContentError, DialogError, PersistenceException, ValueError) as error:
        # Bad content, locale files or settings: one clear line, not a traceback.
        parser.exit(2, f"{parser.prog} {args.command}: error: {error}\n")


if __name__ == "__main__":
    sys.exit(main())
