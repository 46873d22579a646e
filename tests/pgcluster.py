"""A throwaway PostgreSQL 15 cluster around a command.

    python tests/pgcluster.py [--durable] -- COMMAND...

initdb and pg_ctl run as the `postgres` user (PostgreSQL refuses root) on a private port and
socket directory; the command runs with COMPTOIR_TEST_POSTGRES_DSN pointing at it; the cluster
is stopped and deleted afterwards, whatever happened. If it cannot start, this fails loudly:
the PostgreSQL suite is never skipped. Tests run with fsync off (speed); --durable keeps the
server's defaults, for benchmarks.
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

DATABASE = "comptoir_test"
FAST = ["fsync=off", "synchronous_commit=off", "full_page_writes=off"]


def find_bin_dir() -> Path:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for candidate in candidates:
        if (Path(candidate) / "initdb").exists():
            return Path(candidate)
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    sys.exit("pgcluster: no PostgreSQL server binaries (initdb) found; install postgresql-15")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def postgres_user() -> pwd.struct_passwd:
    """The `postgres` system user (the server package makes it; we do if it is missing)."""
    try:
        return pwd.getpwnam("postgres")
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "postgres"], check=True)
        return pwd.getpwnam("postgres")


def as_postgres(argv: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


@contextlib.contextmanager
def cluster(durable: bool = False) -> Iterator[dict[str, str]]:
    bin_dir = find_bin_dir()
    root = Path(tempfile.mkdtemp(prefix="comptoir-pg-"))
    data, sockets = root / "data", root / "sockets"
    sockets.mkdir()
    if os.geteuid() == 0:
        user = postgres_user()
        for path in (root, sockets):
            os.chown(path, user.pw_uid, user.pw_gid)
    port = free_port()
    options = ["listen_addresses=127.0.0.1", f"port={port}", f"unix_socket_directories={sockets}",
               "max_connections=400", "shared_buffers=256MB", "log_min_messages=warning"]
    if not durable:
        options += FAST
    log_file = root / "server.log"
    try:
        _run(as_postgres([str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres",
                          "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]))
        with open(data / "postgresql.auto.conf", "a") as conf:
            for option in options:
                name, _, value = option.partition("=")
                conf.write(f"{name} = '{value}'\n")
        _run(as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(log_file),
                          "-w", "-t", "60", "start"]))
        _run(as_postgres([str(bin_dir / "createdb"), "-h", str(sockets), "-p", str(port),
                          "-U", "postgres", DATABASE]))
        yield {
            "COMPTOIR_TEST_POSTGRES_DSN": f"postgresql://postgres@127.0.0.1:{port}/{DATABASE}",
            "COMPTOIR_TEST_PGDATA": str(data),
            "COMPTOIR_TEST_PGBIN": str(bin_dir),
            "COMPTOIR_TEST_PGLOG": str(log_file),
        }
    except subprocess.CalledProcessError as error:
        tail = log_file.read_text()[-2000:] if log_file.exists() else ""
        sys.exit(f"pgcluster: PostgreSQL could not start ({error}); server log:\n{tail}")
    finally:
        subprocess.run(as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate",
                                    "-w", "stop"]), capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


def _run(argv: list[str]) -> None:
    subprocess.run(argv, check=True, capture_output=True, text=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--durable", action="store_true", help="keep fsync on (benchmarks)")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("a command to run is required")
    started = time.monotonic()
    with cluster(durable=args.durable) as env:
        print(f"pgcluster: PostgreSQL ready at {env['COMPTOIR_TEST_POSTGRES_DSN']} "
              f"in {time.monotonic() - started:.1f}s", flush=True)
        child = subprocess.Popen(command, env={**os.environ, **env})
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda number, _frame: child.send_signal(number))
        return child.wait()


if __name__ == "__main__":
    sys.exit(main())
