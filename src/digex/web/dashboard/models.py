"""The dashboard's data answer as Pydantic models: what `GET /api/dashboard` sends, stated in
the OpenAPI document (the page's script reads exactly these fields; dashboard-contract.md).

Every text is plain text, already worded and number-formatted in the view's language: the page
escapes it and never formats a figure itself (but inside a Vega chart, which gets the locale).
A confidential figure has `value` null and the confidential mark as its text, never 0.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class Query(BaseModel):
    """The view, every parameter resolved (the defaults filled in)."""

    release: str
    lang: str
    period: str
    segment: str
    area: str
    flow: str
    unit: str


class ReleaseInfo(BaseModel):
    id: str
    period: str
    status: str = Field(description="preliminary, revised or final.")
    status_label: str
    published_at: str = Field(description="UTC, ISO 8601 with a Z.")
    published_label: str = Field(description="The publication day as the language writes it.")
    previous: str | None = Field(description="The release this one revises, if served.")


class ReleaseOption(BaseModel):
    id: str
    label: str
    status_label: str
    selected: bool


class Option(BaseModel):
    value: str
    label: str


class Filter(BaseModel):
    name: str = Field(description="period, segment, area, flow or unit.")
    label: str
    value: str
    options: list[Option] = Field(description="Only values the release holds for the view.")


class Card(BaseModel):
    id: str = Field(
        description="annual, half_year, ytd, nowcast (a forecast, status F), target_exports or "
        "target_jobs."
    )
    title: str
    period: str
    value: float | None = Field(description="Unscaled; null when confidential or unavailable.")
    value_text: str
    confidential: bool
    change_text: str | None
    change_label: str | None
    lines: list[str] = Field(default_factory=list)
    status: str = Field(
        description="The figure's OBS_STATUS (A normal, P provisional, B..., F forecast)."
    )
    status_label: str = Field(description="The release's status in words.")
    release_label: str


class Table(BaseModel):
    columns: list[str]
    rows: list[list[str]]


class Downloads(BaseModel):
    csv: str
    xlsx: str


class Chart(BaseModel):
    id: str = Field(description="annual, monthly, segments, partners or concentration.")
    title: str
    description: str = Field(description="One sentence for screen readers.")
    spec: dict[str, Any] = Field(description="A Vega-Lite v6 spec, its data inline.")
    table: Table
    download: Downloads
    sdmx: str | None = Field(description="The same figures from the SDMX REST API.")


class ChangeRow(BaseModel):
    label: str
    before: str
    after: str
    change: str


class Changes(BaseModel):
    previous: str | None
    title: str | None
    rows: list[ChangeRow]


class CalendarNext(BaseModel):
    next_label: str | None


class Locale(BaseModel):
    number: dict[str, Any] = Field(description="A d3-format locale.")
    time: dict[str, Any] = Field(description="A d3-time-format locale.")


class Dashboard(BaseModel):
    query: Query
    lang: str
    dir: str = Field(description="ltr, or rtl for Arabic.")
    release: ReleaseInfo
    releases: list[ReleaseOption]
    filters: list[Filter]
    cards: list[Card]
    charts: list[Chart]
    changes: Changes
    calendar: CalendarNext
    locale: Locale
    confidential_mark: str
    confidential_label: str
    notes: list[str]
