"""The key file: made once on a fresh machine, replaced only when a rotation commits."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from records.keys import generate_key


def _write_private(path: Path, text: str) -> None:
    # O_EXCL: never over a file already there; 0600 from the start, never readable by
    # others even for a moment.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as file:
        file.write(text + "\n")
        file.flush()
        os.fsync(file.fileno())


def create_key_file(path: Path) -> bool:
    """Write a new random key to `path` (mode 0600; a folder it needs is made 0700) unless
    a file is there already. Returns whether it made one."""
    if path.exists():
        return False
    folder = path.parent
    if not folder.exists():
        folder.mkdir(parents=True, mode=0o700)
        folder.chmod(0o700)  # mkdir's mode passes through the umask
    try:
        _write_private(path, generate_key())
    except FileExistsError:  # made meanwhile by another process: keep that one
        return False
    return True


@contextlib.contextmanager
def staged_key_file(path: Path, key_text: str) -> Iterator[Path]:
    """Write the new key beside the key file first (`<name>.new`, 0600), run the block
    (the rotation's transaction), then put it in place with one rename; if the block
    fails, remove it. So the file never holds a key the database is not wrapped under,
    except between the commit and the rename, when the new key is in the `.new` file."""
    staged = path.with_name(path.name + ".new")
    staged.unlink(missing_ok=True)
    _write_private(staged, key_text)
    try:
        yield staged
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    os.replace(staged, path)
