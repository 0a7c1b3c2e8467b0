"""Servers on loopback for tests that must cross a real socket: races between simultaneous
requests, limits shared by several gunicorn workers, a browser.

``serve(app)`` runs an app object of the test process in a threaded Werkzeug server;
``gunicorn(url, workers=2)`` starts the portal as production does (``gunicorn run:app``) in
another process, on the given database, and stops it afterwards.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from werkzeug.serving import make_server

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[1]
SECRET = "test-secret-key-of-at-least-32-bytes-long"


@contextmanager
def serve(app):
    """The app in a threaded Werkzeug server; yields its base URL."""
    port = free_port()
    srv = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.shutdown()
        thread.join(timeout=10)


def _wait_until_up(base: str, proc, seconds: float = 120) -> None:
    # Workers import the whole app and compile nothing, but on a loaded 2-core machine two of them
    # starting together took over 30 s: the wait only bounds a hang, it measures nothing.
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode}")
        try:
            urllib.request.urlopen(f"{base}/login/", timeout=2).close()
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer in time")


@contextmanager
def gunicorn(database_url: str, workers: int = 2, threads: int = 4, **env):
    """``gunicorn run:app`` on ``database_url`` with ``workers`` processes; extra keyword
    arguments become environment variables (e.g. ``REDIS_URL``). Yields the base URL."""
    port = free_port()
    environ = {**os.environ, "APP_ENV": "testing", "SECRET_KEY": SECRET, "DATABASE_URL": database_url,
               **{k: str(v) for k, v in env.items()}}
    (ROOT / "test-artifacts").mkdir(exist_ok=True)
    log = open(ROOT / "test-artifacts" / f"gunicorn-{port}.log", "w")  # read it when a test fails
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--threads", str(threads),
         "--bind", f"127.0.0.1:{port}", "--graceful-timeout", "5", "run:app"],
        cwd=ROOT, env=environ, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, proc)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
