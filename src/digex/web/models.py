"""The JSON API's answers as Pydantic models: the OpenAPI document states exactly what is sent
(every answer is serialised through these models, so the two cannot drift apart)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field


class ErrorBody(BaseModel):
    """Every error the API answers (400, 404, 405, 413, 503): what went wrong, and what to do."""

    error: str = Field(description="A short name of the error, e.g. 'not found'.")
    detail: str = Field(description="What was wrong with the request and how to correct it.")


class Release(BaseModel):
    release_id: str = Field(description="e.g. 2024.2: the period and the vintage.")
    period: str = Field(description="The reference period: 2024, 2025-H1, 2025-Q1, 2025-03.")
    freq: str = Field(description="A (year), H (half-year), Q (quarter) or M (month).")
    vintage: int = Field(description="1 for the period's first release, 2 for its revision...")
    status: str = Field(description="preliminary, revised or final.")
    created_at: dt.datetime
    published_at: dt.datetime
    content_hash: str = Field(
        description="sha256 of the release's public view (what its snapshot file gives)."
    )
    note: str | None = None
    default: bool = Field(
        description="The release a query that names none reads: the latest published."
    )


class Releases(BaseModel):
    synthetic: bool = Field(description="True when the figures are generated demo data.")
    default: str | None = Field(description="The id of the default release (None: none yet).")
    releases: list[Release] = Field(description="The published releases, oldest first.")


class Observation(BaseModel):
    """One figure of a release's public view (values unscaled: MAD, not bn MAD; per cents as
    40.3). A confidential cell has `value` null and `conf_status` C."""

    indicator: str
    freq: str
    period: str
    cut: str
    member: str
    flow: str
    value: float | None
    unit: str
    unit_mult: int
    obs_status: str
    completeness: str
    conf_status: str | None = Field(description="F free, C confidential (value withheld).")


class Indicators(BaseModel):
    release: Release
    synthetic: bool
    count: int = Field(description="Rows in this answer.")
    max_rows: int = Field(description="The most rows one answer may hold (beyond it: 413).")
    rows: list[Observation]


class Revision(BaseModel):
    """A figure as one release states it."""

    release_id: str
    status: str
    vintage: int
    published_at: dt.datetime
    freq: str
    value: float | None
    unit: str
    unit_mult: int
    obs_status: str
    completeness: str
    conf_status: str | None


class Revisions(BaseModel):
    indicator: str
    period: str
    cut: str
    member: str
    flow: str
    synthetic: bool
    rows: list[Revision] = Field(description="One per published release holding the figure.")


class Names(BaseModel):
    ar: str
    fr: str
    en: str


class Code(BaseModel):
    code: str
    name: Names
    parent: str | None = Field(default=None, description="The parent code in a hierarchy.")
    attributes: dict[str, str | int | bool] = Field(
        default_factory=dict, description="The code list's other columns (e.g. alpha3, region)."
    )


class Codelists(BaseModel):
    release: str | None = Field(description="The release whose frozen code lists these are.")
    version: str
    codelists: dict[str, list[Code]] = Field(
        description="segments, ebops, flows, regions, countries (partners), currencies."
    )


class CalendarEntry(BaseModel):
    period: str
    status: str
    kind: str | None = Field(description="The calendar rule that schedules it (None: unscheduled).")
    due: dt.date | None = Field(description="The last day on which it is on time.")
    published_at: dt.datetime | None
    state: str = Field(description="due, published, published-late or late.")
    release: str | None


class Calendar(BaseModel):
    title: dict[str, str]
    timezone: str
    release: str | None = Field(description="The release whose frozen profile states the rules.")
    entries: list[CalendarEntry]
