"""Who did it: the name the load log records for a load or a withdrawal."""

from __future__ import annotations

import getpass
import os


def current_user() -> str:
    """The operating-system user, else $USER, else "unknown" (a container may have no entry
    for its user id, where `getpass` fails)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return os.environ.get("USER", "unknown")
