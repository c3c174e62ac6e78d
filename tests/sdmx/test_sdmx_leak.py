"""`digex sdmx export` on a protected release (a canary firm alone in KPO, its cell
suppressed): no suppressed value in any file of any format, the withheld cells there with no
value and CONF_STATUS C; the command's usage errors."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from tests.disclosure.test_leak import RID, Released, leaks, released
from tests.inprocess import run_here

import sdmx

__all__ = ["released"]  # the leak tests' protected release, made again for this module

FORMATS = ("sdmx-ml", "sdmx-csv", "sdmx-json")


@pytest.fixture(scope="module")
def exported(released: Released, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("sdmx-export")
    folders = {}
    for fmt in FORMATS:
        folder = out / fmt
        r = run_here(
            ["sdmx", "export", RID, "--format", fmt, "--out", folder, "--db", released.path],
            released.path.parent,
        )
        assert r.code == 0, r.stderr
        assert f"release {RID}:" in r.stdout
        folders[fmt] = folder
    return folders


def test_every_format_writes_its_files(exported: dict[str, Path]) -> None:
    names = {fmt: sorted(p.name for p in folder.iterdir()) for fmt, folder in exported.items()}
    assert names == {
        "sdmx-ml": ["data-generic.xml", "data.xml", "structure.xml"],
        "sdmx-csv": ["data-v1.csv", "data.csv", "structure.xml"],
        "sdmx-json": ["data.json", "structure.json"],
    }


def test_no_file_shows_a_suppressed_value(released: Released, exported: dict[str, Path]) -> None:
    texts = {
        f"{fmt}/{p.name}": p.read_text(encoding="utf-8")
        for fmt, folder in exported.items()
        for p in folder.iterdir()
    }
    assert len(texts) == 8
    found = {name: leaks(text, released.secrets) for name, text in texts.items()}
    assert not any(found.values()), found


def test_the_withheld_cells_are_there_without_a_value(exported: dict[str, Path]) -> None:
    with (exported["sdmx-ml"] / "structure.xml").open("rb") as f:
        structure = sdmx.read_sdmx(f)
    flow = structure.dataflow["DF_DIGITAL_EXPORTS"]
    with (exported["sdmx-ml"] / "data.xml").open("rb") as f:
        ml = sdmx.to_pandas(sdmx.read_sdmx(f, structure=flow), attributes="o").reset_index()
    withheld = ml[ml["CONF_STATUS"].astype(str) == "C"]
    assert len(withheld) > 0
    assert withheld["value"].isna().all()
    assert (ml[ml["CONF_STATUS"].astype(str) != "C"]["value"].notna()).all()
    with (exported["sdmx-json"] / "data.json").open("rb") as f:
        js = sdmx.to_pandas(sdmx.read_sdmx(f), attributes="o").reset_index()
    assert len(js[js["CONF_STATUS"].astype(str) == "C"]) == len(withheld)
    with (exported["sdmx-csv"] / "data.csv").open("rb") as f:
        csv = sdmx.to_pandas(sdmx.read_sdmx(io.BytesIO(f.read()), format="csv", structure=flow))
    assert int(csv.isna().sum()) == len(withheld)
    assert len(csv) == len(ml)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--format", "sdmx-xls"], "--format sdmx-xls is not one of sdmx-ml"),
        (["--format", "sdmx-ml", "--agency", "9X"], "is not an SDMX agency id"),
    ],
)
def test_usage_errors(released: Released, tmp_path: Path, args: list[str], words: str) -> None:
    r = run_here(
        ["sdmx", "export", RID, *args, "--out", tmp_path / "x", "--db", released.path],
        released.path.parent,
    )
    assert r.code == 2, r.stderr
    assert words in r.stderr.replace("\n", " ")
    assert "Traceback" not in r.stderr
    assert not (tmp_path / "x").exists()


def test_an_unknown_release_is_a_usage_error(released: Released, tmp_path: Path) -> None:
    r = run_here(
        [
            "sdmx",
            "export",
            "2031.1",
            "--format",
            "sdmx-ml",
            "--out",
            tmp_path,
            "--db",
            released.path,
        ],
        released.path.parent,
    )
    assert r.code == 2
    assert "2031.1" in r.stderr


def test_no_data_format_shows_a_suppressed_value(released: Released) -> None:
    """Every format a server may answer with, series or flat, and a query of the withheld
    cells alone (the canary's segment)."""
    from digex.publish.figures import open_release
    from digex.sdmx.data import DATA_TYPES, data_message, select
    from digex.sdmx.query import parse_query
    from digex.sdmx.structures import structures

    release = open_release(released.path, RID, previous=False)
    found = structures(release, "MA1")
    whole = select(release, found, parse_query("DF_DIGITAL_EXPORTS"))
    withheld = whole[whole["CONF_STATUS"] == "C"]
    assert len(withheld) > 0
    assert withheld["OBS_VALUE"].isna().all()
    only = select(release, found, parse_query("DF_DIGITAL_EXPORTS", "...KPO....."))
    asked = [
        (frame, fmt, at)
        for frame, layouts in ((whole, ("TIME_PERIOD", "AllDimensions")), (only, ("TIME_PERIOD",)))
        for fmt in DATA_TYPES
        for at in (layouts if not fmt.startswith("csv") else ("TIME_PERIOD",))  # CSV is flat
    ]
    for frame, fmt, at in asked:
        body, _ = data_message(
            release,
            found,
            frame,
            fmt,  # type: ignore[arg-type]
            dimension_at_observation=at,
        )
        found_leaks = leaks(body.decode("utf-8"), released.secrets)
        assert not found_leaks, (fmt, at, found_leaks)
