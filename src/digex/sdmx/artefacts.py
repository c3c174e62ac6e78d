"""Which structures a REST structure query asks for: `/dataflow`, `/datastructure`,
`/codelist` and `/conceptscheme` with an agency, an id and a version (each possibly `all`,
`latest` for the version) and `references`.

The graph is small: the dataflow uses the DSD, which uses the concept scheme and the code
lists. `references` follows it as SDMX-REST says: `parents` are the artefacts that use the
asked ones, `children` those they use, `descendants` the children's children too, `all`
every one of these (parents, siblings, descendants); `detail` is checked, and every value
answered in full. sdmx1 asks
`/dataflow/{AG}/{DF}/latest?references=all` and expects the DSD, the code lists and the
concepts in the same message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from digex.errors import NoResults, QueryError
from digex.sdmx import ids

if TYPE_CHECKING:
    from pysdmx.model.__base import MaintainableArtefact

    from digex.sdmx.structures import Structures

RESOURCES: Final = ("dataflow", "datastructure", "codelist", "conceptscheme")
REFERENCES: Final = (
    "none",
    "parents",
    "parentsandsiblings",
    "children",
    "descendants",
    "all",
    "dataflow",
    "datastructure",
    "codelist",
    "conceptscheme",
)

DETAILS: Final = (
    "full",
    "allstubs",
    "referencestubs",
    "allcompletestubs",
    "referencecompletestubs",
    "referencepartial",
    "raw",
)
"""SDMX-REST's `detail` values of a structure query. Every one is answered in full: a stub
or a partial list holds less than the whole artefact, never something else, and the
structures are small (.Stat Data Explorer asks `referencepartial`)."""


def _kind(found: Structures, resource: str) -> list[MaintainableArtefact]:
    if resource == "dataflow":
        return [found.dataflow]
    if resource == "datastructure":
        return [found.dsd]
    if resource == "conceptscheme":
        return [found.concepts]
    return list(found.codelists)


def artefacts(
    found: Structures,
    resource: str,
    agency: str = "all",
    resource_id: str = "all",
    version: str = "latest",
    references: str = "none",
    detail: str = "full",
) -> list[MaintainableArtefact]:
    """The artefacts a structure query names, with the references it asks, in the order a
    structure message lists them; `QueryError` for an unknown resource, references or detail
    value, `NoResults` when nothing matches."""
    if resource not in RESOURCES:
        raise QueryError(f"structure resource {resource!r} is not one of {', '.join(RESOURCES)}")
    if references not in REFERENCES:
        raise QueryError(f"references={references} is not one of {', '.join(REFERENCES)}")
    if detail not in DETAILS:
        raise QueryError(f"detail={detail} is not one of {', '.join(DETAILS)}")
    asked = [
        a
        for a in _kind(found, resource)
        if agency in ("all", found.agency)
        and resource_id in ("all", a.id)
        and version in ("all", "latest", "~", "*", ids.VERSION)
    ]
    if not asked:
        raise NoResults(
            f"No results found: no {resource} {agency},{resource_id},{version}; this service "
            f"has {found.agency},{ids.DATAFLOW},{ids.VERSION} and its structures"
        )
    level = {"dataflow": 0, "datastructure": 1, "codelist": 2, "conceptscheme": 2}[resource]
    depth = {id(found.dataflow): 0, id(found.dsd): 1}
    every = found.artefacts()
    chosen = {id(a) for a in asked}
    if references in RESOURCES:
        chosen |= {id(a) for a in _kind(found, references)}
    else:
        chosen |= {id(a) for a in every if _referenced(depth.get(id(a), 2) - level, references)}
    return [a for a in every if id(a) in chosen]


def _referenced(steps: int, references: str) -> bool:
    """Whether an artefact `steps` levels below the asked one (above it when negative) is one
    of the `references` asked (siblings are at 0)."""
    if references == "children":
        return steps == 1
    if references == "descendants":
        return steps >= 1
    if references == "parents":
        return steps == -1
    if references == "parentsandsiblings":
        return steps in (-1, 0)
    return references == "all"  # parents and siblings, and descendants
