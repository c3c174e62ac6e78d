"""`digex ARGS` run on a pseudo-terminal, as a person runs it: Rich then draws its progress bars,
spinners and colours (in a pipe, as the other CLI tests run it, it draws none). Shared by the
terminal tests and by the `demo_releases` fixture, which is one `digex demo` run this way."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
import threading
from pathlib import Path

DIGEX = Path(sys.executable).with_name("digex")
TIMEOUT = 600
"""A guard against a hang, not a time limit: the demo (load, three releases, publication)
takes about 75 s alone here and has taken over 120 s on the shared machine under load."""


def in_terminal(args: list[str], cwd: Path, columns: int = 100) -> tuple[int, str]:
    """Run `digex ARGS` with stdin, stdout and stderr on a pseudo-terminal; (exit code, all it
    wrote, control sequences included)."""
    leader, follower = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k not in ("DIGEX_DB", "NO_COLOR", "CI")}
    env.update(COLUMNS=str(columns), LINES="40", TERM="xterm-256color")
    chunks: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                data = os.read(leader, 65536)
            except OSError:  # the follower side closed: the process ended
                return
            if not data:
                return
            chunks.append(data)

    proc = subprocess.Popen(
        [str(DIGEX), *args], cwd=cwd, env=env, stdin=follower, stdout=follower, stderr=follower
    )
    os.close(follower)
    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        code = proc.wait(timeout=TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    reader.join(timeout=10)
    os.close(leader)
    return code, b"".join(chunks).decode("utf-8", errors="replace")
