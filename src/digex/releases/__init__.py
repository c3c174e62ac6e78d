"""Releases: vintages of the published figures and what is computed from them.

The modules here are pure (no store, no CLI): revision analysis over a revision triangle
(`revisions`), the advance release calendar and its iCalendar file (`calendar`, `ical`),
series breaks (`breaks`). The store supplies their inputs and the edges render their results.
"""
