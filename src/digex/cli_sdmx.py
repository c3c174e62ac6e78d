"""`digex sdmx export RELEASE --format sdmx-ml|sdmx-csv|sdmx-json --out DIR`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer  # noqa: TID251 (a command-line module: part of the CLI layer)

sdmx_app: typer.Typer = typer.Typer(
    help="SDMX: a release's structures and data as SDMX messages (SDMX-ML 2.1, SDMX-CSV, "
    "SDMX-JSON), read from its snapshot: the public view only.",
    no_args_is_help=True,
)

from digex.cli import DbOption, out  # noqa: E402


@sdmx_app.command()
def export(
    release_id: Annotated[str, typer.Argument(help="The release, e.g. 2024.2.")],
    fmt: Annotated[
        str,
        typer.Option("--format", help="sdmx-ml, sdmx-csv or sdmx-json."),
    ],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write into.")],
    agency: Annotated[
        str | None,
        typer.Option(
            "--agency",
            help="The SDMX agency id (default: $DIGEX_SDMX_AGENCY, else the profile's "
            "country code and 1, e.g. MA1).",
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Write RELEASE's SDMX structure message (the dataflow DF_DIGITAL_EXPORTS, its DSD,
    concepts and code lists in ar, fr and en) and its data: sdmx-ml gives structure.xml,
    data.xml (structure-specific) and data-generic.xml; sdmx-csv structure.xml, data.csv
    (SDMX-CSV 2.0) and data-v1.csv (1.0); sdmx-json structure.json (SDMX-JSON 2.0) and
    data.json (SDMX-JSON 1.0). A confidential figure has no value and CONF_STATUS C."""
    from digex import settings
    from digex.sdmx.export import export as write

    done = write(db or settings.default_path(), release_id, fmt, out_dir, agency)
    names = ", ".join(p.name for p in done.files)
    out().print(
        f"release {done.release_id}: {done.observations} observations, agency "
        f"{done.agency}: {names} in {out_dir}",
        highlight=False,
        soft_wrap=True,
    )
