"""gunicorn settings for the Alexa endpoint: `gunicorn -c gunicorn.conf.py`.

Run it behind a reverse proxy or load balancer that terminates TLS with a trusted certificate
and forwards POST /alexa and GET /health. The skill's settings come from the environment
(SKILL_ID, PROGRESS_STORE, VERIFY_SIGNATURES, LOG_LEVEL); these are the server's.
"""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

wsgi_app = "skill.app:create_app()"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")  # the proxy's upstream

# Each worker loads the content and the matcher once, from the index the master saved before
# starting them (below), then serves requests in threads: a turn is mostly CPU for
# milliseconds, and progress is in SQLite or DynamoDB.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))

control_socket_disable = True  # no runtime admin socket in $HOME

# Alexa gives up after 8 seconds; a worker stuck far longer than that is restarted.
timeout = 20
graceful_timeout = 20
keepalive = 75  # longer than a load balancer's idle timeout (60 s on AWS), so it closes first

# Alexa's requests are a short request line and a dozen headers; the largest header is the
# 344-character signature. The app itself refuses bodies over 128 KiB.
limit_request_line = 1024
limit_request_fields = 50
limit_request_field_size = 4096

# Logs: gunicorn's and the app's ("skill.*") to stderr at LOG_LEVEL, the access log to stdout.
# The access log has method, path, status and timing only: no bodies, no query strings.
# No path: %(U)s is percent-decoded, so "/alexa%0A..." would write a line of the sender's own;
# the endpoint serves two paths, and the status says what happened.
access_log_format = "%(h)s %(m)s %(s)s %(B)s %(M)sms"
_level = os.environ.get("LOG_LEVEL", "INFO").upper()
_format = "%(asctime)s [%(process)d] %(levelname)s %(name)s: %(message)s"
_stream = {"class": "logging.StreamHandler", "formatter": "plain"}
logconfig_dict = {  # replaces gunicorn's defaults key by key, so every key is given
    "version": 1,
    "disable_existing_loggers": False,
    "root": {"level": _level, "handlers": ["stderr"]},
    "loggers": {
        "gunicorn.error": {"level": _level, "handlers": ["stderr"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["stdout"], "propagate": False},
    },
    "handlers": {
        "stderr": {**_stream, "stream": "ext://sys.stderr"},
        "stdout": {**_stream, "stream": "ext://sys.stdout"},
    },
    "formatters": {"plain": {"format": _format}},
}


# The content and matching index, built once before the workers start and saved where they
# load it (skill/index.py, SKILL_INDEX): a worker then starts in milliseconds instead of building
# its own, without the memory building takes. Built in a child process, so that the master,
# whose pages every worker inherits, holds none of it; if that fails, each worker builds.
_saved_index = {}


def on_starting(server):
    _set_malloc()
    directory = Path(tempfile.mkdtemp(prefix="skill-index-"))
    _saved_index["directory"] = directory
    path = directory / "index.pickle"
    code = f"from pathlib import Path; from skill import index; index.save(Path({str(path)!r}))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if done.returncode == 0:
        os.environ["SKILL_INDEX"] = str(path)
    else:
        server.log.warning("index not saved, so each worker builds its own: %s", done.stderr[-300:])


# glibc's malloc, set in the master before it forks, so that every worker inherits it (the same
# settings in the environment, MALLOC_ARENA_MAX=1 and so on, work only if set before gunicorn
# starts). Measured with python -m skill bench --only memory:
# - One arena. glibc gives each thread that allocates its own, and each keeps its own free
#   pages: with 4 threads, one arena took 3 MB off a worker's peak after 10,000 requests (60.3 ->
#   57.2 MB; 62.8 -> 59.7 MB checking signatures). The threads take turns on the GIL for nearly
#   all they allocate, so they hardly ever wait for the arena.
# - Fixed thresholds. By default, freeing a block that had a mapping of its own raises the size
#   below which blocks come from the heap instead, so the large blocks of a worker's start
#   (compiling, loading the index, the interpreter's tables as they grow) end up in the heap,
#   where they leave holes. Kept at glibc's starting values, blocks of 128 KiB and more always
#   get a mapping, given back when freed; and the heap grows by what is asked, no more. Worker
#   peak 49.5 -> 49.1 MB with verification off (the hello world's 35.1 unchanged). No request
#   allocates that much: no mmap or brk calls in 2,000 requests (64 KiB made two a request).
M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_THRESHOLD, M_ARENA_MAX = -1, -2, -3, -8  # glibc's malloc.h
_MALLOC_SETTINGS = {
    M_ARENA_MAX: 1,
    M_MMAP_THRESHOLD: 128 * 1024,  # glibc's default, fixed
    M_TRIM_THRESHOLD: 128 * 1024,  # glibc's default, fixed
    M_TOP_PAD: 0,
}


def _set_malloc():
    import ctypes

    mallopt = getattr(ctypes.CDLL(None), "mallopt", None)
    if mallopt is not None:  # glibc's; musl and macOS have other allocators
        for parameter, value in _MALLOC_SETTINGS.items():
            mallopt(parameter, value)


def on_exit(server):
    directory = _saved_index.get("directory")
    if directory is not None:
        shutil.rmtree(directory, ignore_errors=True)
