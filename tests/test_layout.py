"""The runtime package stands apart from the developer tools: what ships imports no tool and no
dev-only dependency, so the Lambda zip and the endpoint run on requirements.txt alone."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from skill.tools import RUNTIME_DIR

# Packages installed only by requirements-dev.txt, by import name.
DEV_ONLY = {
    "pytest",
    "ruff",
    "mypy",
    "hypothesis",
    "defusedxml",
    "moto",
    "bm25s",
    "locust",
    "selenium",
}
ENTRY_POINTS = ("skill.lambda_function", "skill.app", "skill.builder")


def runtime_sources() -> list[Path]:
    return [
        path
        for path in sorted(RUNTIME_DIR.rglob("*.py"))
        if "tools" not in path.relative_to(RUNTIME_DIR).parts and path.name != "__main__.py"
    ]


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def test_no_runtime_module_imports_a_tool_or_a_dev_only_package():
    offences = [
        f"{path.relative_to(RUNTIME_DIR)} imports {name}"
        for path in runtime_sources()
        for name in sorted(imported_modules(path))
        if name.startswith("skill.tools") or name.split(".")[0] in DEV_ONLY
    ]
    assert not offences


def test_serving_a_request_loads_no_tool():
    code = (
        "import sys\n"
        f"for name in {ENTRY_POINTS!r}: __import__(name)\n"
        "from skill.builder import create_skill\n"
        "from skill.config import Config\n"
        "create_skill(Config(progress_store='memory://'))\n"
        "print(sorted(m for m in sys.modules if m.startswith('skill.tools')\n"
        f"    or m.split('.')[0] in {sorted(DEV_ONLY)!r}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"
