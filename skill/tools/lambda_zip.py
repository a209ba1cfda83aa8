"""Build the AWS Lambda zip: python -m skill lambda [--out build/lambda.zip] [--arch arm64].

The zip holds what the skill object needs and nothing else: requirements-lambda.txt installed for
Lambda's platform (manylinux wheels, since PyStemmer, rapidfuzz and jellyfish are compiled), the
runtime package without its developer tools, the content files, and the content built and indexed
for matching (skill/index.pickle, loaded at a cold start instead of built). Its handler is
`skill.lambda_function.lambda_handler`. Entries are sorted and dated alike, so one build process
given the same inputs writes the same zip (across processes, Python's per-process string hashing
may order the sets inside the saved index differently).

Lambda's file system is read-only, so Python cannot cache the bytecode it compiles: without
.pyc files in the zip, every cold start compiles every module it imports. So the build compiles
them, with the function's own Python version (the running interpreter if it is that version,
else `pythonX.Y` on the PATH), as unchecked-hash .pyc files, valid whatever date the unpacked
sources carry. Where no such interpreter is found the zip is built without them, and says so.
"""

from __future__ import annotations

import argparse
import platform
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

from skill import index
from skill.tools import PROJECT_DIR, RUNTIME_DIR

REQUIREMENTS = PROJECT_DIR / "requirements-lambda.txt"
CONTENT_DIR = PROJECT_DIR / "content"
DEFAULT_OUT = PROJECT_DIR / "build" / "lambda.zip"
HANDLER = "skill.lambda_function.lambda_handler"
INDEX_NAME = f"skill/{index.INDEX_PATH.name}"

# Lambda's architectures, named as Lambda names them, and the wheels each takes. Lambda's
# python3.12 and later runtimes run Amazon Linux 2023 (glibc 2.34); rapidfuzz's current wheels
# need glibc 2.27, more than python3.11's Amazon Linux 2 has, so 3.12 is the oldest runtime.
PLATFORMS = {
    "x86_64": ("manylinux_2_28_x86_64", "manylinux2014_x86_64"),
    "arm64": ("manylinux_2_28_aarch64", "manylinux2014_aarch64"),
}
LAMBDA_PYTHON = "3.12"  # the runtime to choose for the function
_MACHINE_ARCH = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "arm64", "arm64": "arm64"}

_ZIP_DATE = (2020, 1, 1, 0, 0, 0)  # one date for every entry: the zip depends on its inputs only
_LEFT_OUT_DIRS = {"__pycache__", "tools", "bin"}  # bytecode, developer tools, console scripts


def host_arch() -> str:
    """The Lambda architecture matching this machine (the default, so a zip can be tried here)."""
    return _MACHINE_ARCH.get(platform.machine().lower(), "x86_64")


def runtime_files() -> Iterator[tuple[Path, str]]:
    """(file, name in the zip) for the runtime package and the content."""
    for path in sorted(RUNTIME_DIR.rglob("*")):
        relative = path.relative_to(RUNTIME_DIR)
        if path.is_dir() or _LEFT_OUT_DIRS & set(relative.parts[:-1]):
            continue
        if path.name == "__main__.py" and len(relative.parts) == 1:
            continue  # the developer commands: `python -m skill` is not run on Lambda
        if path.suffix in {".py", ".yaml"}:
            yield path, f"skill/{relative.as_posix()}"
    for path in sorted(CONTENT_DIR.glob("*.yaml")):
        yield path, f"content/{path.name}"


def install_requirements(target: Path, arch: str, python_version: str) -> None:
    """pip install requirements-lambda.txt into target, as wheels for Lambda's platform."""
    command = [
        *(sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"),
        *("--requirement", str(REQUIREMENTS), "--target", str(target)),
        *(option for tag in PLATFORMS[arch] for option in ("--platform", tag)),
        *("--implementation", "cp"),
        *("--python-version", python_version, "--only-binary=:all:", "--no-compile"),
    ]
    subprocess.run(command, check=True)


def _installed_files(target: Path) -> Iterator[tuple[Path, str]]:
    for path in sorted(target.rglob("*")):
        relative = path.relative_to(target)
        if path.is_file() and not {"__pycache__", "bin"} & set(relative.parts):
            yield path, relative.as_posix()


def python_for(version: str) -> str | None:
    """An interpreter of this X.Y version, to compile the zip's bytecode with; None if none."""
    if f"{sys.version_info.major}.{sys.version_info.minor}" == version:
        return sys.executable
    found = shutil.which(f"python{version}")
    if found is None:
        return None
    try:  # a shim (pyenv's) may be on the PATH without the version behind it
        said = subprocess.run(
            [found, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except OSError:
        return None
    return found if said.stdout.strip() == version else None


def compile_bytecode(root: Path, python: str) -> None:
    """Compile every .py under root in place (__pycache__), named as found under /var/task."""
    command = [python, "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash"]
    command += ["-s", str(root), "-p", "/var/task", str(root)]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)


def build(
    out: Path = DEFAULT_OUT, *, arch: str | None = None, python_version: str | None = None
) -> Path:
    """Write the Lambda zip to out; returns its path."""
    arch = arch or host_arch()
    python_version = python_version or LAMBDA_PYTHON
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lambda-") as staging:
        packages = Path(staging) / "packages"
        install_requirements(packages, arch, python_version)
        # The built content and matching index, so a cold start loads it instead of building.
        saved = index.save(Path(staging) / "index.pickle")
        files = [*_installed_files(packages), *runtime_files(), (saved, INDEX_NAME)]
        root = Path(staging) / "task"  # the zip's tree, as Lambda unpacks it in /var/task
        for path, name in files:
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, root / name)
        python = python_for(python_version)
        if python is None:
            print(
                f"lambda: no Python {python_version} here to compile bytecode with: the zip has"
                " none, so each cold start compiles what it imports",
                file=sys.stderr,
            )
        else:
            compile_bytecode(root, python)
        tree = sorted((p, p.relative_to(root).as_posix()) for p in root.rglob("*") if p.is_file())
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for path, name in sorted(tree, key=lambda file: file[1]):
                entry = zipfile.ZipInfo(name, _ZIP_DATE)
                entry.external_attr = 0o644 << 16
                entry.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(entry, path.read_bytes())
    return out


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="default: build/lambda.zip")
    parser.add_argument("--arch", choices=sorted(PLATFORMS), help="default: this machine's")
    parser.add_argument(
        "--python-version", metavar="X.Y", help=f"the function's runtime (default: {LAMBDA_PYTHON})"
    )


def run(args: argparse.Namespace) -> int:
    out = build(args.out, arch=args.arch, python_version=args.python_version)
    size = out.stat().st_size / 1e6
    print(f"{out} ({size:.1f} MB); handler {HANDLER}")
    return 0
