"""`digex publish RELEASE --out DIR`: the release's notes, charts, workbooks and manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer  # noqa: TID251 (a command-line module: part of the CLI layer)

from digex.cli import DbOption, err, out


def publish(
    release_id: Annotated[str, typer.Argument(help="The release, e.g. 2024.2.")],
    out_dir: Annotated[
        Path,
        typer.Option(
            "--out",
            help="Folder to write into: new, empty, or one an earlier `digex publish` wrote "
            "(its files are replaced together).",
        ),
    ],
    lang: Annotated[
        str | None,
        typer.Option("--lang", help="Languages, comma-separated (default: the profile's)."),
    ] = None,
    commentary: Annotated[
        list[Path] | None,
        typer.Option(
            "--commentary",
            help="A statistician's paragraph, one file per language named <name>.<lang>.md "
            "(repeat the option); its numbers are checked against the release too.",
        ),
    ] = None,
    templates: Annotated[
        Path | None,
        typer.Option(
            "--templates",
            help="A folder of the office's own note templates (<lang>.md.j2, Jinja2; start "
            "from the packaged ones in digex/data/templates/note). Their numbers are checked "
            "like the packaged ones'.",
        ),
    ] = None,
    no_pdf: Annotated[
        bool, typer.Option("--no-pdf", help="Skip the PDFs (the slowest output).")
    ] = False,
    db: DbOption = None,
) -> None:
    """Write RELEASE's publication from its public (protected) view: per language a note
    (Markdown, HTML, PDF), charts (SVG, PNG), an Excel workbook, and a manifest.json with
    every file's SHA-256.

    Every number in a note is checked before anything is written: each enters the text
    through a tag naming its figure, and is read back and compared with the release's value,
    unit and currency; an untagged number, a mismatch or a stray currency sign stops the
    publication (exit 3). A release whose disclosure gate has not passed is refused."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from digex import settings
    from digex.publish.publication import publish as write

    store = db or settings.default_path()
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=err(),
        transient=True,
    ) as bar:
        task = bar.add_task("publishing", total=None)
        done = write(
            store,
            release_id,
            out_dir,
            langs=lang,
            commentary=commentary or (),
            pdf=not no_pdf,
            templates=templates,
            progress=lambda what: bar.update(task, description=f"publishing: {what}"),
        )
    timing = ", ".join(f"{k} {v:.1f} s" for k, v in done.seconds.items())
    out().print(
        f"release {done.release_id}: {len(done.files)} files in {done.out} ({timing}); "
        f"the manifest is {done.out / 'manifest.json'}",
        highlight=False,
        soft_wrap=True,
    )
