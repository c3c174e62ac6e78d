"""A PostgreSQL server for the tests: find Debian's cluster, start it, create the role and database.

`postgres_url()` returns a URL for `ibis.connect(url)` / `ibis.postgres.connect(...)`:

- if ``DIGEX_TEST_PG_URL`` is set, that URL, untouched (any server, nothing started);
- otherwise Debian's ``main`` cluster (newest version, from ``pg_lsclusters``): started with
  ``pg_ctlcluster`` when down (it is left running), then the role ``digex`` and the database
  ``digex_test`` are created through ``runuser -u postgres -- psql`` if they do not exist yet.
  The application connects over TCP to 127.0.0.1 with a password (the Unix socket uses peer
  authentication).

Anything missing or failing raises `RuntimeError` saying what to do (usually: run
``scripts/system-deps.sh`` as root). Skipping or failing on it is the fixture's decision
(``tests/pg_fixtures.py``).
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from dataclasses import dataclass

ENV_URL = "DIGEX_TEST_PG_URL"
ROLE = "digex"
# A fixed password for a throw-away test role on a server that listens on localhost only.
PASSWORD = "digex-test-only"
DATABASE = "digex_test"
HOST = "127.0.0.1"
CLUSTER = "main"

_FIX = "run `scripts/system-deps.sh` as root (or set DIGEX_TEST_PG_URL to a server's URL)"


@dataclass(frozen=True)
class Cluster:
    """One line of ``pg_lsclusters``."""

    version: str
    name: str
    port: int
    status: str

    @property
    def online(self) -> bool:
        return self.status.split(",")[0] == "online"


def _run(cmd: list[str], *, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    # cwd "/": the postgres user may not be allowed into the checkout (e.g. under /root).
    return subprocess.run(
        cmd, input=stdin, capture_output=True, text=True, check=False, timeout=120, cwd="/"
    )


def _output(proc: subprocess.CompletedProcess[str]) -> str:
    return (proc.stderr.strip() or proc.stdout.strip())[-2000:]


def parse_clusters(text: str) -> list[Cluster]:
    """Parse ``pg_lsclusters --no-header`` output (Ver Cluster Port Status Owner Dir Log)."""
    clusters = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) >= 4 and fields[2].isdigit():
            clusters.append(Cluster(fields[0], fields[1], int(fields[2]), fields[3]))
    return clusters


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) if p.isdigit() else 0 for p in version.split("."))


def find_cluster() -> Cluster:
    """The ``main`` cluster of the newest installed PostgreSQL version."""
    if shutil.which("pg_lsclusters") is None or shutil.which("pg_ctlcluster") is None:
        raise RuntimeError(f"PostgreSQL is not installed (no pg_lsclusters/pg_ctlcluster): {_FIX}")
    proc = _run(["pg_lsclusters", "--no-header"])
    if proc.returncode != 0:
        raise RuntimeError(f"pg_lsclusters failed: {_output(proc)}; {_FIX}")
    mains = [c for c in parse_clusters(proc.stdout) if c.name == CLUSTER]
    if not mains:
        raise RuntimeError(f"no PostgreSQL '{CLUSTER}' cluster in pg_lsclusters: {_FIX}")
    return max(mains, key=lambda c: _version_key(c.version))


def start_cluster(cluster: Cluster) -> None:
    """Start the cluster if it is down (``pg_ctlcluster`` switches to the owner itself as root)."""
    if cluster.online:
        return
    proc = _run(["pg_ctlcluster", cluster.version, cluster.name, "start"])
    if proc.returncode != 0:
        # Another process may have started it meanwhile: only fail if it is still down.
        again = parse_clusters(_run(["pg_lsclusters", "--no-header"]).stdout)
        same = (c for c in again if (c.version, c.name) == (cluster.version, cluster.name))
        if not any(c.online for c in same):
            raise RuntimeError(
                f"cannot start PostgreSQL {cluster.version}/{cluster.name} "
                f"(pg_ctlcluster: {_output(proc)}); start it as root with "
                f"`pg_ctlcluster {cluster.version} {cluster.name} start`, or {_FIX}"
            )


def _admin_psql(port: int, script: str) -> None:
    """Run admin SQL as the ``postgres`` superuser over the Unix socket (peer authentication)."""
    if os.geteuid() == 0:
        prefix = ["runuser", "-u", "postgres", "--"]
    elif _current_user() == "postgres":
        prefix = []
    else:
        raise RuntimeError(
            f"the test role '{ROLE}' or database '{DATABASE}' is missing and creating them needs "
            f"root (runuser -u postgres -- psql): run the tests once as root, or {_FIX}"
        )
    cmd = [*prefix, "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-p", str(port), "-d", "postgres"]
    proc = _run(cmd, stdin=script)
    if proc.returncode != 0:
        raise RuntimeError(f"creating the PostgreSQL test role/database failed: {_output(proc)}")


def _current_user() -> str:
    import pwd

    return pwd.getpwuid(os.geteuid()).pw_name


def _setup_sql() -> str:
    # Role: created or its password reset (so a changed PASSWORD takes effect); database: created
    # only when absent (psql's \gexec runs the generated statement, CREATE DATABASE cannot run
    # inside a DO block).
    return f"""
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{ROLE}') THEN
    CREATE ROLE {ROLE} LOGIN PASSWORD '{PASSWORD}';
  ELSE
    ALTER ROLE {ROLE} LOGIN PASSWORD '{PASSWORD}';
  END IF;
END
$$;
SELECT 'CREATE DATABASE {DATABASE} OWNER {ROLE} ENCODING ''UTF8'' TEMPLATE template0'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '{DATABASE}') \\gexec
"""


def _can_connect(url: str) -> str | None:
    """None if the URL accepts a connection, else the error text."""
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=10) as con:
            con.execute("SELECT 1")
    except psycopg.Error as exc:
        return str(exc).strip()
    return None


def make_url(port: int) -> str:
    return f"postgresql://{ROLE}:{PASSWORD}@{HOST}:{port}/{DATABASE}"


@functools.cache
def postgres_url() -> str:
    """A running PostgreSQL server's URL for the tests (see the module docstring)."""
    if url := os.environ.get(ENV_URL):
        return url
    cluster = find_cluster()
    start_cluster(cluster)
    url = make_url(cluster.port)
    if _can_connect(url) is None:  # role and database already there: nothing to do as root
        return url
    try:
        _admin_psql(cluster.port, _setup_sql())
    except RuntimeError:
        # A concurrent test process may have created them first ("already exists").
        if _can_connect(url) is not None:
            raise
    if (error := _can_connect(url)) is not None:
        raise RuntimeError(f"cannot connect to the PostgreSQL test database at {url}: {error}")
    return url
