"""`digex serve`: the web service (the JSON API and the SDMX REST API) under
uvicorn, from the store's release snapshots and served-release index (`digex.web`).

The store is opened only when its index is missing (a store whose releases were made before
the index existed) or `--reindex` asks, briefly and read-only, to write the index; the server
itself never opens it, so loads and releases run while it serves.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer  # noqa: TID251 (a command-line module: part of the CLI layer)

from digex.cli import DbOption, err


def serve(
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on (0.0.0.0: every interface).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port to listen on.")] = 8000,
    reindex: Annotated[
        bool,
        typer.Option(
            "--reindex",
            help="Write the served-release index again from the store first (after a failed "
            "write of it, or for releases made before it existed).",
        ),
    ] = False,
    db: DbOption = None,
) -> None:
    """Serve the store's published releases over HTTP: the JSON API under /api (releases,
    indicators, revisions, codelists, calendar; its OpenAPI document at /openapi.json) and
    the SDMX REST API under /sdmx/rest (dataflow, datastructure, codelist, conceptscheme,
    data; SDMX-ML, SDMX-CSV or SDMX-JSON by the Accept header or format=), which sdmx1,
    pysdmx and .Stat read directly. Only the public view of releases whose gate passed and
    whose publication time has come; a release made while the server runs is served without
    a restart.

    Example: `digex serve --port 8080`, then `curl localhost:8080/api/releases`, or (every
    segment's half-year exports as SDMX-CSV, from the latest release; `&release=ID` another)
    `curl localhost:8080/sdmx/rest/data/DF_DIGITAL_EXPORTS/S.MA.W1..C._T.LEVEL.MAD.N?format=csv`.
    """
    from digex import settings
    from digex.errors import UsageError
    from digex.web.index import index_path, rebuild_index

    if not 0 < port < 65536:
        raise UsageError(f"port={port}: give a TCP port from 1 to 65535").naming(port=port)
    store_path = Path(db) if db is not None else settings.default_path()
    if reindex or not index_path(store_path).is_file():
        written = rebuild_index(store_path)
        err().print(f"served-release index written: {written}", highlight=False, soft_wrap=True)

    import uvicorn

    from digex.web.app import create_app

    app = create_app(store_path)
    err().print(
        f"serving {store_path} at http://{host}:{port}/api/releases (Ctrl-C stops)",
        highlight=False,
        soft_wrap=True,
    )
    uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False)
