"""`POST /api/claims`: the claim checker in the JSON API (a journalist pastes a paragraph).

The one route of the API that takes a body, and the one that is not kept: its answer depends
on the text sent, so it never goes through `digex.web.caching` (whose middleware answers GET
only), and it says `Cache-Control: no-store`. The body is read by this route itself, counted
as it comes, and refused with 413 past `MAX_BYTES` (before it is parsed): a text is checked
sentence by sentence against every published release, which costs time in its length.
"""

from __future__ import annotations

from typing import Any, Final

from fastapi import APIRouter, Request  # noqa: TID251 (the web layer)
from fastapi.concurrency import run_in_threadpool  # noqa: TID251
from fastapi.exceptions import RequestValidationError  # noqa: TID251
from fastapi.responses import JSONResponse  # noqa: TID251
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from digex.errors import ClaimsTextTooLarge
from digex.web.catalogue import Catalogue
from digex.web.models import ErrorBody

MAX_BYTES: Final = 65_536
"""The largest body `POST /api/claims` reads (64 KiB: a long article)."""


class ClaimsRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(
        min_length=1,
        description=f"The text to check (at most {MAX_BYTES:,} bytes of JSON in all).",
    )
    release: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9_.\-]{1,40}$",
        description="A published release id (e.g. 2024.2); default: each claim against the "
        "latest published release that holds its figure.",
    )
    lang: str = Field(
        default="auto", pattern="^(auto|ar|fr|en)$", description="auto, ar, fr or en."
    )


class Subject(BaseModel):
    cut: str = Field(description="total, segment, partner or region.")
    member: str = Field(description="_T for the total, else a segment, country or region code.")


class ClaimVerdict(BaseModel):
    sentence: str = Field(description="The sentence the claim is in, as written.")
    text: str = Field(description="The claim's number as written (with its qualifier, unit).")
    start: int = Field(description="Where the number starts in the text (characters).")
    end: int
    kind: str = Field(
        description="level, growth, share, points, count, ratio, progress or rate_needed."
    )
    subject: Subject
    period: str | None = Field(description="The period the claim is read as being of.")
    base: str | None = Field(description="The base period of a change, when the text names it.")
    verdict: str = Field(description="consistent, inconsistent or not checkable.")
    official: str | None = Field(
        description="The official value, written as the claim writes it (its scale, unit); "
        "null when not checkable (a confidential figure is never shown)."
    )
    release: str | None = Field(description="The release it was checked against.")
    figure: str | None = Field(description="The figure's id, or how it is computed from figures.")
    cause: str | None = Field(
        description="For an inconsistent claim: currency, magnitude, period, base period, "
        "rounding, segment, perimeter, direction or value."
    )
    explanation: str = Field(description="Why, in a sentence.")


class Counts(BaseModel):
    consistent: int
    inconsistent: int
    not_checkable: int


class ClaimsAnswer(BaseModel):
    lang: str = Field(description="The language the text was read in.")
    release: str | None = Field(description="The release named, or null.")
    counts: Counts
    claims: list[ClaimVerdict]


router = APIRouter(prefix="/api")


async def _body(request: Request) -> bytes:
    """The request's body, refused (413) past `MAX_BYTES` whether or not its length is
    announced."""
    too_large = ClaimsTextTooLarge(
        f"the body of POST /api/claims is over {MAX_BYTES:,} bytes (64 KiB): send a shorter "
        "text, or split it into parts of at most that size"
    )
    announced = request.headers.get("content-length")
    if announced is not None and announced.isdigit() and int(announced) > MAX_BYTES:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BYTES:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def _answer(catalogue: Catalogue, asked: ClaimsRequest) -> dict[str, Any]:
    from digex.claims.check import check_text

    if asked.release is not None:
        catalogue.entry(asked.release)  # 404 naming the served releases
    releases = [catalogue.release(e.release_id).figures for e in catalogue.published()]
    report = check_text(asked.text, releases, release=asked.release, lang=asked.lang)
    found = report.as_json()
    counts = found["counts"]
    found["counts"] = {
        "consistent": counts["consistent"],
        "inconsistent": counts["inconsistent"],
        "not_checkable": counts["not checkable"],
    }
    return found


@router.post(
    "/claims",
    response_model=ClaimsAnswer,
    responses={
        400: {"model": ErrorBody, "description": "A body that is not the JSON described."},
        404: {"model": ErrorBody, "description": "No such published release."},
        413: {"model": ErrorBody, "description": f"A body over {MAX_BYTES:,} bytes."},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": ClaimsRequest.model_json_schema()}},
        }
    },
    summary="Check the figures a text quotes",
)
async def claims(request: Request) -> JSONResponse:
    """Every quantitative claim of the text (levels, growth, shares, points, counts), each
    checked against the published releases' public figures: consistent (within the rounding
    of the figure quoted), inconsistent (with the official value and the likely cause), or
    not checkable (no such figure, or a confidential one). Never kept nor cached."""
    body = await _body(request)
    try:
        asked = ClaimsRequest.model_validate_json(body)
    except ValidationError as e:
        raise RequestValidationError(
            [{**err, "loc": ("body", *err.get("loc", ()))} for err in e.errors()]
        ) from None
    catalogue: Catalogue = request.app.state.catalogue
    found = await run_in_threadpool(_answer, catalogue, asked)
    answer = ClaimsAnswer.model_validate(found)
    return JSONResponse(answer.model_dump(mode="json"), headers={"Cache-Control": "no-store"})
