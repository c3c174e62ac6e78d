"""The tidy columns of a figure, in one place for every layer that lists them.

Kept apart from `suite` (which needs the engine and Ibis) so that the web service and the
publication can name the columns without importing the engine.
"""

from __future__ import annotations

from typing import Final

KEY: Final = ("indicator", "freq", "period", "cut", "member", "flow")
"""What names one figure (the key of an observation, an estimate or a query's filter)."""
COLUMNS: Final = (
    *KEY,
    "value",
    "unit",
    "unit_mult",
    "obs_status",
    "completeness",
)
"""An indicator row as the engine answers it."""
PUBLIC_COLUMNS: Final = (*COLUMNS, "conf_status")
"""A published observation: the engine's row and its confidentiality status (C withheld)."""
