"""A throwaway PostgreSQL server for the quiz's storage tests (and the benchmark).

``throwaway_cluster()`` makes a cluster with ``initdb`` in a temporary folder, starts it on a free
port of 127.0.0.1 (trust authentication, nothing else listening), yields its URL and removes it
all afterwards. PostgreSQL refuses to run as root, so as root the cluster belongs to the
unprivileged ``postgres`` user (or ``nobody``) and its commands run through ``setpriv``.

Without PostgreSQL's binaries (Debian: ``apt-get install postgresql``) the tests that need a
server skip, unless ``GRADCAM_REQUIRE_POSTGRES=1`` (as in CI), where they fail. A server you
run yourself can be used instead: ``GRADCAM_TEST_POSTGRES_URL=postgresql://...`` (each test
then makes and drops its own database in it).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

REQUIRE_ENV = "GRADCAM_REQUIRE_POSTGRES"
URL_ENV = "GRADCAM_TEST_POSTGRES_URL"
START_TIMEOUT_S = 60


def binaries() -> Path | None:
    """The newest PostgreSQL bin folder with initdb and pg_ctl, or None."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def require_postgres() -> None:
    """Skip (or fail in CI) when there is neither a server URL nor PostgreSQL's binaries."""
    if os.environ.get(URL_ENV) or binaries() is not None:
        return
    message = "PostgreSQL not found (apt-get install postgresql, or set GRADCAM_TEST_POSTGRES_URL)"
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(message)
    pytest.skip(message)


def _run_as(user: pwd.struct_passwd | None) -> list[str]:
    if user is None:
        return []
    return ["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--init-groups"]


def _unprivileged_user() -> pwd.struct_passwd | None:
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise RuntimeError("Running as root with no 'postgres' or 'nobody' user to run PostgreSQL.")


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def throwaway_cluster() -> Iterator[str]:
    """A fresh PostgreSQL server on 127.0.0.1; yields its URL (database ``postgres``)."""
    bin_dir = binaries()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL's initdb was not found.")
    user = _unprivileged_user()
    prefix = _run_as(user)
    root = Path(tempfile.mkdtemp(prefix="gradcam-pg-"))
    data, socket_dir, log = root / "data", root / "socket", root / "server.log"
    socket_dir.mkdir()
    if user is not None:
        for path in (root, socket_dir):
            os.chown(path, user.pw_uid, user.pw_gid)
    port = _free_port()
    env = {**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}
    try:
        subprocess.run(
            [
                *prefix,
                str(bin_dir / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--no-sync",
            ],
            check=True,
            capture_output=True,
            env=env,
            cwd=root,
        )
        options = (
            f"-p {port} -k {socket_dir} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c max_connections=200"
        )
        subprocess.run(
            [
                *prefix,
                str(bin_dir / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-l",
                str(log),
                "-w",
                "-t",
                str(START_TIMEOUT_S),
                "start",
            ],
            check=True,
            capture_output=True,
            env=env,
            cwd=root,
        )
        try:
            yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
        finally:
            subprocess.run(
                [*prefix, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                capture_output=True,
                env=env,
                cwd=root,
            )
    except subprocess.CalledProcessError as error:
        output = (error.stderr or b"").decode(errors="replace")
        server_log = log.read_text(errors="replace") if log.exists() else ""
        raise RuntimeError(f"PostgreSQL did not start: {output}\n{server_log}") from error
    finally:
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def server_url() -> Iterator[str]:
    """The URL of a server for this test session: the one in GRADCAM_TEST_POSTGRES_URL, or a
    throwaway cluster."""
    given = os.environ.get(URL_ENV)
    if given:
        yield given
        return
    with throwaway_cluster() as url:
        yield url


@contextmanager
def fresh_database(server: str) -> Iterator[str]:
    """A new, empty database on the server for one test; dropped afterwards."""
    name = f"quiz_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


_SHARED: dict[str, object] = {}


def shared_server() -> str:
    """One server for the whole test process (started on first use, stopped at exit)."""
    require_postgres()
    if "url" not in _SHARED:
        import atexit

        manager = server_url()
        _SHARED["url"] = manager.__enter__()
        atexit.register(manager.__exit__, None, None, None)
    return str(_SHARED["url"])
