"""A load checks its files without holding the store, and refuses to store them when the store
changed meanwhile in something the checks read (rates, earlier loads of the same content, the
load it replaces); another process's unrelated load meanwhile is no reason to refuse.

The other write happens for real (a second loader committing to the same file) at a chosen
moment: when the first load reports that it begins checking its declarations, i.e. after it read
the store and staged the file, before its final transaction.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.conftest import FIRM, TODAY, counts, write_csv

import digex
from digex.errors import StoreError
from digex.ingest.load import Loader, LoadOptions, LoadResult
from digex.profile import load_profile
from digex.store import codes
from digex.store.append import attached
from digex.store.codes import current_types
from digex.store.offline import connect

MAY = [
    ("M1", "2024-05", FIRM, "ITO", "FR", "EUR", "1000.50", "X"),
    ("M2", "2024-05", FIRM, "CRM", "US", "MAD", "250", "X"),
]
APRIL = [("A1", "2024-04", FIRM, "ITO", "FR", "EUR", "10", "X")]
JUNE = [("J1", "2024-06", FIRM, "BPO", "FR", "MAD", "42", "X")]
RATES = [(f"2024-{m:02d}", "EUR", "10.80") for m in range(1, 13)]
CORRECTED = [("2024-05", "EUR", "10.90")]


def load(
    db: Path, files: list[Path], *, hook: Callable[[], None] | None = None, **kw: object
) -> list[LoadResult]:
    """Load into the store file `db` as `digex load` does (the store not held meanwhile);
    `hook` runs once, when the declarations begin to be checked."""
    ran: list[bool] = []

    def progress(description: str, done: float, total: int) -> None:
        if hook is not None and not ran and description.endswith(": checking"):
            ran.append(True)
            hook()

    progress.polls = False  # type: ignore[attr-defined]
    loader = Loader(db, load_profile("MA"), LoadOptions(today=TODAY))
    result = loader.run(files, progress=progress, **kw)  # type: ignore[arg-type]
    assert hook is None or ran, "the hook never ran"
    return result


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The store every test starts from, built once (copied, never written)."""
    folder = tmp_path_factory.mktemp("template")
    path = folder / "store.duckdb"
    digex.init(path).close()
    rates = write_csv(folder / "rates.csv", RATES, header=("period", "currency", "rate"))
    load(path, [write_csv(folder / "april.csv", APRIL)], rates=[rates])
    return path


@pytest.fixture
def db(template: Path, tmp_path: Path) -> Path:
    """A store holding the rates and April's declarations (two loads): the test's own copy."""
    return Path(shutil.copy(template, tmp_path / "store.duckdb"))


def _state(db: Path) -> dict[str, int]:
    with digex.connect(db, read_only=True) as store:
        return counts(store)


def test_rates_corrected_meanwhile_refuse_the_load(db: Path, tmp_path: Path) -> None:
    """The declarations were converted at the rates read before; a rates file committed by
    another load meanwhile changes them: the load is refused and writes nothing."""
    corrected = write_csv(tmp_path / "fix.csv", CORRECTED, header=("period", "currency", "rate"))
    after: dict[str, int] = {}

    def other_process() -> None:
        load(db, [], rates=[corrected])
        after.update(_state(db))

    with pytest.raises(StoreError, match=r"changed while the files were being checked.*rates"):
        load(db, [write_csv(tmp_path / "may.csv", MAY)], hook=other_process)
    assert after["loads"] == 3
    assert _state(db) == after  # nothing of the refused load


def test_the_replaced_load_replaced_meanwhile_refuses_the_load(db: Path, tmp_path: Path) -> None:
    [first] = load(db, [write_csv(tmp_path / "may.csv", MAY)])
    fix = [(*MAY[0][:6], "1000.60", "X")]
    fix_again = [(*MAY[0][:6], "1000.70", "X")]
    after: dict[str, int] = {}

    def other_process() -> None:
        load(db, [write_csv(tmp_path / "b.csv", fix)], replace=[first.load_id])
        after.update(_state(db))

    with pytest.raises(StoreError, match=r"changed.*`replace`"):
        load(
            db,
            [write_csv(tmp_path / "c.csv", fix_again)],
            replace=[first.load_id],
            hook=other_process,
        )
    assert _state(db) == after
    # run again, it is checked against the store as it now is: that load was replaced
    with pytest.raises(Exception, match="already replaced"):
        load(db, [write_csv(tmp_path / "c.csv", fix_again)], replace=[first.load_id])


def test_the_same_content_loaded_meanwhile_refuses_the_load(db: Path, tmp_path: Path) -> None:
    may = write_csv(tmp_path / "may.csv", MAY)
    after: dict[str, int] = {}

    def other_process() -> None:
        load(db, [may])
        after.update(_state(db))

    with pytest.raises(StoreError, match=r"changed.*same content"):
        load(db, [may], hook=other_process)
    assert _state(db) == after


def test_an_unrelated_load_meanwhile_is_no_reason_to_refuse(db: Path, tmp_path: Path) -> None:
    """Another file of declarations committed meanwhile changes nothing the checks read: both
    are stored, with load ids in commit order."""
    before = _state(db)
    june = write_csv(tmp_path / "june.csv", JUNE)
    [mine] = load(
        db, [write_csv(tmp_path / "may.csv", MAY)], hook=lambda: load(db, [june]) and None
    )
    assert mine.load_id == before["loads"] + 2
    # the loads' own spill folders beside the store are gone
    assert sorted(p.name for p in db.parent.iterdir() if ".load-" in p.name) == []
    with digex.connect(db, read_only=True) as store:
        ids = set(store.declarations()["declaration_id"])
        assert {"M1", "M2", "J1"} <= ids
        assert store.loads()["status"].tolist().count("current") == before["loads"] + 2


def test_a_store_this_process_holds_open_is_loaded_through_it(db: Path, tmp_path: Path) -> None:
    """DuckDB will not attach a file the process has open: a clear error, nothing stored."""
    with digex.connect(db) as held:
        before = counts(held)
        with pytest.raises(StoreError, match="open in this process"):
            load(db, [write_csv(tmp_path / "may.csv", MAY)])
        assert counts(held) == before
        [result] = held.load(write_csv(tmp_path / "may.csv", MAY), today=TODAY)
        assert result.rows_accepted == len(MAY)


def test_a_store_held_by_another_process_at_the_end_is_waited_for_then_refused(
    db: Path,
) -> None:
    """The final write waits for a reader in another process to let go of the file, and past
    its wait says so, with nothing stored (the staging connection is left as it was)."""
    hold = (
        "import sys, duckdb; c = duckdb.connect(sys.argv[1], read_only=True); "
        "print('held', flush=True); sys.stdin.readline()"
    )
    with subprocess.Popen(
        [sys.executable, "-c", hold, str(db)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as reader:
        assert reader.stdin is not None
        assert reader.stdout is not None
        assert reader.stdout.readline() == "held\n"
        con = connect()
        busy = r"used by another process.*nothing was stored"
        with pytest.raises(StoreError, match=busy), attached(con, db, wait=0.2):
            pass
        assert con.execute("SELECT current_database()").fetchone() == ("memory",)
        # told to go (it held the file until now), the reader goes and the write goes through
        reader.stdin.write("go\n")
        reader.stdin.flush()
        with attached(con, db, wait=30) as store:
            assert store.execute("SELECT count(*) FROM loads").fetchone() == (2,)
    assert _state(db)["loads"] == 2


TN = Path(__file__).parent.parent / "fixtures" / "profiles" / "TN.toml"


def test_another_profile_recorded_meanwhile_refuses_the_load(tmp_path: Path) -> None:
    """`digex init --profile TN` is allowed while a store holds no load: made while an MA load
    is being checked, the load (checked with MA's rules) is refused, nothing stored."""
    path = tmp_path / "empty.duckdb"
    digex.init(path).close()

    def other_process() -> None:
        digex.init(path, profile=str(TN)).close()

    with pytest.raises(StoreError, match=r"changed.*country profile"):
        load(path, [write_csv(tmp_path / "may.csv", MAY)], hook=other_process)
    with digex.connect(path, read_only=True) as store:
        assert store.profile.code == "TN"
        assert counts(store)["loads"] == 0


@pytest.mark.parametrize("how", ["moved", "deleted"])
def test_the_store_moved_or_deleted_meanwhile_refuses_the_load(
    db: Path, tmp_path: Path, how: str
) -> None:
    """ATTACH would make a new, empty store at the path (and the re-check then failed with
    DuckDB's CatalogException): the load is refused in one line, no file is left there."""
    before = _state(db)
    moved = tmp_path / "elsewhere.duckdb"

    def other_process() -> None:
        if how == "moved":
            db.rename(moved)
        else:
            db.unlink()

    with pytest.raises(StoreError, match=r"moved, replaced or deleted.*nothing was stored"):
        load(db, [write_csv(tmp_path / "may.csv", MAY)], hook=other_process)
    assert not db.exists()
    assert not Path(str(db) + ".wal").exists()
    if how == "moved":
        assert _state(moved) == before


def test_code_lists_changed_on_disk_meanwhile_change_nothing_stored(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The shipped code lists gain a code while the files are checked (an upgrade): the final
    transaction reads the types as they are (it used to widen them there, a rewrite of the
    column, and then refuse the load); nothing the checks used changed, the load is stored."""
    with digex.connect(db, read_only=True) as store, store.store.reading() as con:
        types = current_types(con)
    partner = codes.CODED["partner"]

    def upgrade() -> None:
        monkeypatch.setitem(codes.CODED, "partner", lambda: partner() | {"ZZ"})

    [result] = load(db, [write_csv(tmp_path / "may.csv", MAY)], hook=upgrade)
    assert result.rows_accepted == len(MAY)
    with digex.connect(db, read_only=True) as store, store.store.reading() as con:
        assert current_types(con) == types


def test_code_list_types_widened_meanwhile_refuse_the_load(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another load widened a type meanwhile (a code list gained a code): the codes were
    checked against the older type, the load is refused."""
    partner = codes.CODED["partner"]
    after: dict[str, int] = {}

    def other_process() -> None:
        monkeypatch.setitem(codes.CODED, "partner", lambda: partner() | {"ZZ"})
        load(db, [write_csv(tmp_path / "june.csv", JUNE)])
        after.update(_state(db))

    with pytest.raises(StoreError, match=r"changed.*code-list types"):
        load(db, [write_csv(tmp_path / "may.csv", MAY)], hook=other_process)
    assert _state(db) == after


def test_the_replaced_load_withdrawn_meanwhile_refuses_the_load(db: Path, tmp_path: Path) -> None:
    [first] = load(db, [write_csv(tmp_path / "may.csv", MAY)])
    fix = [(*MAY[0][:6], "1000.60", "X")]
    after: dict[str, int] = {}

    def other_process() -> None:
        with digex.connect(db) as store:
            store.withdraw(first.load_id, reason="wrong file")
        after.update(_state(db))

    with pytest.raises(StoreError, match=r"changed.*`replace`"):
        load(db, [write_csv(tmp_path / "b.csv", fix)], replace=[first.load_id], hook=other_process)
    assert _state(db) == after
