"""The secrets directory (`data_dir/secrets/`): keys that must not be readable by others.

Created 0700, every file in it 0600. At start-up the directory and its files are checked: a
key store or a key readable by the group or the world is refused with a message that says which
file and how to fix it, rather than silently served (a backup tool, a shared account or a
careless `cp -r` widens permissions without anyone noticing).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


class SecretsExposedError(Exception):
    pass


def secrets_directory(data_dir: Path) -> Path:
    """`data_dir/secrets`, made private if new, checked if not."""
    path = data_dir / "secrets"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    check_private(path)
    return path


def check_private(path: Path) -> None:
    """Refuse a directory (and the files in it, recursively) that others may read."""
    for entry in [path, *path.rglob("*")]:
        mode = stat.S_IMODE(entry.stat().st_mode)
        if mode & 0o077:
            wanted = "700" if entry.is_dir() else "600"
            raise SecretsExposedError(
                f"{entry} is readable by others (mode {mode:o}): secrets must be private. "
                f"Run: chmod {wanted} {entry}")


def write_private(path: Path, data: bytes) -> bool:
    """Create `path` 0600 with `data` unless it exists; False if another process made it."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    return True


def secret_in(directory: Path, name: str, size: int = 32) -> bytes:
    """A random secret made once in the secrets directory (development and single-host
    deployments; production may give it through a setting instead)."""
    path = directory / name
    if not path.exists():
        write_private(path, os.urandom(size))
    return path.read_bytes()


def destroy(path: Path) -> None:
    """Overwrite a key file with zeros, then remove it. On copy-on-write or wear-levelled
    storage the overwrite is best effort; what makes old copies useless is that nothing
    reads this key again."""
    try:
        size = path.stat().st_size
        with open(path, "r+b") as out:
            out.write(b"\0" * size)
            out.flush()
            os.fsync(out.fileno())
        path.unlink()
    except FileNotFoundError:
        pass
