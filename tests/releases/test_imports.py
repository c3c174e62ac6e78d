"""The releases package loads without Ibis and SciPy (each about a second to import): the
store and the CLI will import it for calendars and breaks that need neither."""

from __future__ import annotations

import subprocess
import sys

MODULES = ("breaks", "calendar", "dates", "ical", "revisions", "triangle")
PROBE = f"""import sys
import {", ".join(f"digex.releases.{m}" for m in MODULES)}
print(",".join(sorted({{m.split(".")[0] for m in sys.modules}} & {{"ibis", "scipy"}})))
"""


def test_no_ibis_nor_scipy_on_import() -> None:
    """One fresh interpreter: this process has long imported both."""
    r = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120, check=True
    )
    assert r.stdout.strip() == ""
