"""`digex sdmx export`: a release's structure and data messages as files, from its snapshot.

The release is read with `open_release` (the public view; a release whose disclosure gate has
not passed is refused), so a file holds nothing a published table does not.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

from digex.errors import UsageError
from digex.sdmx.data import DataFormat, data_message, select
from digex.sdmx.ids import check_agency
from digex.sdmx.query import parse_query
from digex.sdmx.structures import StructureFormat, structures, write_structures

FileFormat = Literal["sdmx-ml", "sdmx-csv", "sdmx-json"]
FILES: Final[dict[str, tuple[tuple[str, StructureFormat], tuple[tuple[str, DataFormat], ...]]]] = {
    "sdmx-ml": (
        ("structure.xml", "xml"),
        (("data.xml", "structurespecific"), ("data-generic.xml", "generic")),
    ),
    "sdmx-csv": (
        ("structure.xml", "xml"),
        (("data.csv", "csv2"), ("data-v1.csv", "csv1")),
    ),
    "sdmx-json": (("structure.json", "json"), (("data.json", "json"),)),
}
"""Per --format: the structure file and the data files, with what each holds (SDMX-CSV has
no structure format of its own: its structures are SDMX-ML)."""


@dataclass(frozen=True)
class Exported:
    release_id: str
    agency: str
    files: tuple[Path, ...]
    observations: int


def export(
    store: Path, release_id: str, fmt: str, out_dir: Path, agency: str | None = None
) -> Exported:
    """Write `release_id`'s structure and data messages in `fmt` into `out_dir`."""
    from digex.publish.figures import open_release

    if fmt not in FILES:
        raise UsageError(f"format={fmt} is not one of {', '.join(FILES)}").naming(format=fmt)
    if agency is not None:
        check_agency(agency)
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"out={out_dir} is a file; give a folder").naming(out=out_dir)
    release = open_release(store, release_id, previous=False)
    found = structures(release, agency)
    frame = select(release, found, parse_query(f"{found.agency},DF_DIGITAL_EXPORTS,1.0"))
    (structure_name, structure_format), data_files = FILES[fmt]
    written = {structure_name: write_structures(found, structure_format)}
    for name, data_format in data_files:
        written[name], _ = data_message(release, found, frame, data_format)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        paths = []
        for name, body in written.items():
            path = out_dir / name
            path.write_bytes(body)
            paths.append(path)
    except OSError as error:
        raise UsageError(
            f"cannot write release {release_id}'s SDMX files into out={out_dir} ({error.strerror})"
        ).naming(out=out_dir) from None
    return Exported(release_id, found.agency, tuple(paths), len(frame))
