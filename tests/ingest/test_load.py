"""Loading: reconciliation, quarantine, formats, encodings, duplicates and replacement."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from tests.conftest import FIRM, HEADER, TODAY, counts, write_csv

from digex.api import Digex
from digex.errors import DuplicateLoad, InvalidFile, NotReconciled, OutOfMemory, UnknownLoad

GOOD = [
    ("D1", "2024-01", FIRM, "ITO", "FR", "EUR", "1000.50", "X"),
    ("D2", "2024-02", FIRM, "CRM", "NA", "MAD", "2500", "X"),
    ("D3", "2024-03", "000000000000001", "SI2", "US", "USD", "10.01", "M"),
]


def test_valid_rows_are_converted_exactly(store: Digex, rates_file: Path, tmp_path: Path) -> None:
    f = write_csv(tmp_path / "d.csv", GOOD)
    [rates, result] = store.load(f, rates=rates_file, today=TODAY)
    assert (rates.kind, rates.rows_accepted, rates.rows_rejected) == ("rates", 36, 0)
    assert (result.rows_read, result.rows_accepted, result.rows_rejected) == (3, 3, 0)
    rows = store.declarations().sort_values("line")
    assert rows["value_minor"].tolist() == [1080540, 250000, 10010]
    assert rows["partner"].tolist() == ["FR", "NA", "US"]  # Namibia is not a missing value
    assert rows["firm_id"].tolist()[2] == "000000000000001"  # leading zeros kept
    assert rows["segment"].tolist() == ["ITO", "CRM", "ITO"]
    assert rows["ebops"].tolist()[2] == "SI2"
    assert rows["line"].tolist() == [2, 3, 4]


BAD = {
    "ID_MISSING": ("", "2024-01", FIRM, "ITO", "FR", "EUR", "1", "X"),
    "PERIOD_MISSING": ("B2", "", FIRM, "ITO", "FR", "EUR", "1", "X"),
    "PERIOD_INVALID": ("B3", "2024-13", FIRM, "ITO", "FR", "EUR", "1", "X"),
    "PERIOD_FUTURE": ("B4", "2031-01", FIRM, "ITO", "FR", "EUR", "1", "X"),
    "FIRM_ID_MISSING": ("B5", "2024-01", "", "ITO", "FR", "EUR", "1", "X"),
    "FIRM_ID_INVALID": ("B6", "2024-01", "12345678901234", "ITO", "FR", "EUR", "1", "X"),
    "SEGMENT_MISSING": ("B7", "2024-01", FIRM, "", "FR", "EUR", "1", "X"),
    "SEGMENT_UNKNOWN": ("B8", "2024-01", FIRM, "XYZ", "FR", "EUR", "1", "X"),
    "PARTNER_MISSING": ("B9", "2024-01", FIRM, "ITO", "", "EUR", "1", "X"),
    "PARTNER_UNKNOWN": ("B10", "2024-01", FIRM, "ITO", "ZZ", "EUR", "1", "X"),
    "CURRENCY_MISSING": ("B11", "2024-01", FIRM, "ITO", "FR", "", "1", "X"),
    "CURRENCY_UNKNOWN": ("B12", "2024-01", FIRM, "ITO", "FR", "ABC", "1", "X"),
    "RATE_MISSING": ("B13", "2024-01", FIRM, "ITO", "FR", "JPY", "1", "X"),
    "AMOUNT_MISSING": ("B14", "2024-01", FIRM, "ITO", "FR", "EUR", "", "X"),
    "AMOUNT_INVALID": ("B15", "2024-01", FIRM, "ITO", "FR", "EUR", "12O0", "X"),
    "AMOUNT_NOT_POSITIVE": ("B17", "2024-01", FIRM, "ITO", "FR", "EUR", "-5", "X"),
    "FLOW_MISSING": ("B18", "2024-01", FIRM, "ITO", "FR", "EUR", "1", ""),
    "FLOW_UNKNOWN": ("B19", "2024-01", FIRM, "ITO", "FR", "EUR", "1", "E"),
    "ID_DUPLICATE": GOOD[0],
    "ROW_MALFORMED": ("B21", "2024-01", FIRM),
}


def test_each_fault_is_rejected_with_its_own_reason(
    store: Digex, rates_file: Path, tmp_path: Path
) -> None:
    f = write_csv(tmp_path / "d.csv", [*GOOD, *BAD.values()])
    [_, result] = store.load(f, rates=rates_file, today=TODAY)
    assert result.rows_read == len(GOOD) + len(BAD)
    assert result.rows_accepted == len(GOOD)
    assert result.reconciles
    rejected = store.rejects().set_index("line")
    for line, code in enumerate(BAD, start=len(GOOD) + 2):
        assert rejected.loc[line, "reasons"] == code, code
        assert rejected.loc[line, "file_name"] == "d.csv"
    assert result.reasons == dict.fromkeys(sorted(BAD), 1)
    # original values are kept verbatim for the office to fix
    assert rejected.loc[len(GOOD) + 2 + list(BAD).index("AMOUNT_INVALID"), "amount"] == "12O0"
    assert (
        rejected.loc[len(GOOD) + 2 + list(BAD).index("ROW_MALFORMED"), "raw"]
        == "B21,2024-01," + FIRM
    )


def test_several_faults_on_one_row_are_all_reported(
    store: Digex, rates_file: Path, tmp_path: Path
) -> None:
    f = write_csv(tmp_path / "d.csv", [("X1", "2024-13", "12", "XYZ", "ZZ", "EUR", "-1", "Q")])
    [_, result] = store.load(f, rates=rates_file, today=TODAY)
    reasons = store.rejects()["reasons"].iloc[0].split(";")
    assert set(reasons) == {
        "PERIOD_INVALID",
        "FIRM_ID_INVALID",
        "SEGMENT_UNKNOWN",
        "PARTNER_UNKNOWN",
        "AMOUNT_NOT_POSITIVE",
        "FLOW_UNKNOWN",
    }
    assert result.rows_rejected == 1


def test_reconciliation_totals_by_currency(store: Digex, rates_file: Path, tmp_path: Path) -> None:
    f = write_csv(tmp_path / "d.csv", [*GOOD, BAD["AMOUNT_INVALID"]])
    [_, result] = store.load(f, rates=rates_file, today=TODAY)
    by = {t.currency: t for t in result.totals}
    assert by["EUR"].amount == Decimal("1000.5")
    assert by["EUR"].rows_rejected == 1
    assert by["MAD"].value_minor == 250000
    assert sum(t.rows_accepted + t.rows_rejected for t in result.totals) == result.rows_read
    stored = store.loads()
    assert stored["rows_read"].tolist() == [36, 4]


def french_file(path: Path) -> Path:
    header = ("numero_declaration", "période", "ICE", "segment_activite", "pays", "devise")
    header += ("montant", "flux")
    rows = [
        ("F1", "2024-01", FIRM, "ITO", "FR", "EUR", "1234,56", "X"),
        ("F2", "2024-01", FIRM, "ESO", "ES", "EUR", "1 234,50", "X"),
    ]
    return write_csv(path, rows, header=header, delimiter=";", encoding="cp1252")


ARABIC_HEADER = ("رقم_التصريح", "الفترة", "المعرف_الموحد", "القطاع", "البلد_الشريك", "العملة")
ARABIC_HEADER += ("المبلغ", "الاتجاه")


def arabic_file(path: Path) -> Path:
    rows = [("A1", "2024-01", FIRM, "BPO", "BE", "EUR", "123.45", "X")]
    return write_csv(path, rows, header=ARABIC_HEADER, delimiter="\t", encoding="cp1256")


def arabic_digits_file(path: Path) -> Path:
    """Windows-1256 has no Arabic-Indic digits: files that use them come as UTF-8."""
    rows = [("A1", "٢٠٢٤-٠١", FIRM, "BPO", "BE", "EUR", "١٢٣٫٤٥", "X")]
    return write_csv(path, rows, header=ARABIC_HEADER, delimiter="|", encoding="utf-8")


@pytest.mark.parametrize(
    ("maker", "encoding", "values"),
    [
        (french_file, "cp1252", [1333325, 1333260]),
        (arabic_file, "cp1256", [133326]),
        (arabic_digits_file, "utf-8", [133326]),
    ],
)
def test_national_encodings_and_headers(
    store: Digex, rates_file: Path, tmp_path: Path, maker: object, encoding: str, values: list[int]
) -> None:
    f = maker(tmp_path / "d.csv")  # type: ignore[operator]
    [_, result] = store.load(f, rates=rates_file, today=TODAY)
    assert result.encoding == encoding
    assert result.rows_rejected == 0
    assert store.declarations().sort_values("line")["value_minor"].tolist() == values


def test_utf8_with_bom_and_crlf(store: Digex, rates_file: Path, tmp_path: Path) -> None:
    body = "\r\n".join([",".join(HEADER), *(",".join(r) for r in GOOD)]) + "\r\n"
    f = tmp_path / "bom.csv"
    f.write_bytes(b"\xef\xbb\xbf" + body.encode())
    [_, result] = store.load(f, rates=rates_file, today=TODAY)
    assert (result.encoding, result.rows_accepted, result.rows_rejected) == ("utf-8-sig", 3, 0)
    assert sorted(store.declarations()["line"].tolist()) == [2, 3, 4]


def test_excel_and_parquet(store: Digex, rates_file: Path, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    sheet.append(["E1", "2024-01", FIRM, "ITO", "FR", "EUR", 1000.5, "X"])
    sheet.append(["E2", "2024-02", FIRM, "CRM", "NA", "MAD", 2500, "X"])
    book.save(tmp_path / "d.xlsx")
    table = pa.table({name: [r[i] for r in GOOD] for i, name in enumerate(HEADER)})
    pq.write_table(table, tmp_path / "d.parquet")
    results = store.load([tmp_path / "d.xlsx", tmp_path / "d.parquet"], rates=rates_file)
    assert [(r.file_format, r.rows_accepted, r.rows_rejected) for r in results[1:]] == [
        ("xlsx", 2, 0),
        ("parquet", 3, 0),
    ]
    values = store.declarations().sort_values(["load_id", "line"])["value_minor"].tolist()
    assert values == [1080540, 250000, 1080540, 250000, 10010]


def test_same_content_twice_is_refused_then_replace_replaces(
    store: Digex, rates_file: Path, tmp_path: Path
) -> None:
    f = write_csv(tmp_path / "d.csv", GOOD)
    [rates, first] = store.load(f, rates=rates_file, today=TODAY)
    before = counts(store)
    copy = tmp_path / "copy.csv"
    copy.write_bytes(f.read_bytes())
    with pytest.raises(DuplicateLoad, match=f"already loaded as load {first.load_id}"):
        store.load(copy, rates=rates_file, today=TODAY)
    assert counts(store) == before
    [again, second] = store.load(copy, rates=rates_file, replace=first.load_id, today=TODAY)
    assert again.reused
    assert again.load_id == rates.load_id
    assert second.replaces == first.load_id
    current = store.declarations()
    assert len(current) == 3
    assert set(current["load_id"]) == {second.load_id}
    log = store.loads().set_index("load_id")
    assert not log.loc[first.load_id, "current"]
    assert log.loc[second.load_id, "current"]
    # history is kept: the replaced rows are still in the store
    assert counts(store)["declarations"] == 6
    with pytest.raises(InvalidFile, match="already replaced"):
        store.load(copy, replace=first.load_id, today=TODAY)
    with pytest.raises(UnknownLoad, match="no load 99"):
        store.load(copy, replace=99, today=TODAY)


def test_reload_after_fixing_rates_accepts_the_rows(
    store: Digex, rates_file: Path, tmp_path: Path
) -> None:
    f = write_csv(tmp_path / "d.csv", [BAD["RATE_MISSING"]])
    [_, first] = store.load(f, rates=rates_file, today=TODAY)
    assert first.rows_rejected == 1
    jpy = write_csv(
        tmp_path / "jpy.csv", [("2024-01", "JPY", "0.066")], header=("period", "currency", "rate")
    )
    [_, second] = store.load(f, rates=jpy, replace=first.load_id, today=TODAY)
    assert (second.rows_accepted, second.rows_rejected) == (1, 0)
    assert store.rejects().empty


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x00\x01\x02binary\x00" * 20, "not a CSV, Excel"),
        (b"", "the file is empty"),
        (b"a,b,c\n1,2,3\n", "missing column(s) declaration_id, period"),
        ("période;montant\n".encode("cp1252"), "missing column(s) declaration_id, firm_id"),
    ],
)
def test_unreadable_files_fail_clearly_and_change_nothing(
    store: Digex, rates_file: Path, tmp_path: Path, content: bytes, message: str
) -> None:
    good = write_csv(tmp_path / "good.csv", GOOD)
    bad = tmp_path / "bad.csv"
    bad.write_bytes(content)
    before = counts(store)
    with pytest.raises(InvalidFile, match=re.escape(message)) as info:
        store.load([good, bad], rates=rates_file, today=TODAY)
    assert "bad.csv" in str(info.value)
    assert counts(store) == before


def test_truncated_workbook(store: Digex, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.append(HEADER)  # type: ignore[union-attr]
    book.save(tmp_path / "full.xlsx")
    data = (tmp_path / "full.xlsx").read_bytes()
    (tmp_path / "cut.xlsx").write_bytes(data[: len(data) // 2])
    with pytest.raises(InvalidFile, match=r"cut\.xlsx: not a readable \.xlsx workbook"):
        store.load(tmp_path / "cut.xlsx")


@pytest.mark.parametrize(
    ("damage", "message"),
    [("footer", "bad.parquet: not a readable Parquet file"), ("page", "cannot be read to the end")],
)
def test_damaged_parquet_fails_clearly_and_changes_nothing(
    store: Digex, rates_file: Path, tmp_path: Path, damage: str, message: str
) -> None:
    """A Parquet file is decoded as validation reads it: a page that cannot be decoded stops
    the load like a missing footer does, naming the file."""
    n = 50_000
    rows = [(f"P{i}", "2024-01", FIRM, "ITO", "FR", "EUR", f"{i}.5", "X") for i in range(n)]
    table = pa.table({name: [r[i] for r in rows] for i, name in enumerate(HEADER)})
    pq.write_table(table, tmp_path / "ok.parquet", compression="snappy", row_group_size=10_000)
    data = bytearray((tmp_path / "ok.parquet").read_bytes())
    if damage == "footer":
        data = data[: len(data) - 100]
    else:
        middle = len(data) // 2
        data[middle : middle + 200] = b"\xff" * 200
    (tmp_path / "bad.parquet").write_bytes(bytes(data))
    before = counts(store)
    with pytest.raises(InvalidFile, match=re.escape(message)) as info:
        store.load(
            [write_csv(tmp_path / "good.csv", GOOD), tmp_path / "bad.parquet"],
            rates=rates_file,
            today=TODAY,
        )
    assert "bad.parquet" in str(info.value)
    assert counts(store) == before


def test_an_amount_too_large_for_the_store_is_a_rejected_row(store: Digex, tmp_path: Path) -> None:
    """A value beyond what the store keeps (a BIGINT of minor units) rejects its row with a
    reason, rather than failing the whole load; just below the limit it is stored exactly."""
    rates = write_csv(
        tmp_path / "rates.csv",
        [("2024-01", "USD", "1000000")],
        header=("period", "currency", "rate"),
    )
    rows = [
        ("BIG", "2024-01", FIRM, "ITO", "FR", "USD", "99999999999999", "X"),
        ("EDGE", "2024-01", FIRM, "ITO", "FR", "USD", "90000000000.01", "X"),
    ]
    [_, result] = store.load(write_csv(tmp_path / "d.csv", rows), rates=rates, today=TODAY)
    assert (result.rows_accepted, result.reasons) == (1, {"AMOUNT_TOO_LARGE": 1})
    assert store.declarations()["value_minor"].tolist() == [9_000_000_000_001_000_000]
    [message] = store.rejects()["message"].tolist()
    assert message == (
        'amount "99999999999999" in USD converts to more than 92,000,000,000,000,000 MAD, '
        "more than the store holds; check the amount and its currency"
    )


def test_a_load_that_does_not_reconcile_stores_nothing(
    store: Digex, rates_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Read = accepted + rejected is enforced, not only reported: were a row ever lost between
    staging and storing, the whole load would be refused."""
    from digex.ingest import load

    counted = load._rows_read
    monkeypatch.setattr(load, "_rows_read", lambda con, staged: counted(con, staged) + 1)
    before = counts(store)
    with pytest.raises(NotReconciled, match=r"rates\.csv: 37 rows read but 36 accepted"):
        store.load(write_csv(tmp_path / "d.csv", GOOD), rates=rates_file, today=TODAY)
    assert counts(store) == before


def test_running_out_of_memory_is_a_digex_error_and_stores_nothing(
    rates_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the engine's memory limit a load stops with advice (a larger DIGEX_MEMORY_LIMIT),
    not a traceback, and the store is as it was."""
    db_path = tmp_path / "small-memory.duckdb"
    Digex.create(db_path).close()
    rows = [(f"M{i}", "2024-01", FIRM, "ITO", "FR", "EUR", f"{i}.5", "X") for i in range(20_000)]
    big = write_csv(tmp_path / "d.csv", rows)
    monkeypatch.setenv("DIGEX_MEMORY_LIMIT", "1MB")
    with Digex.open(db_path) as db, pytest.raises(OutOfMemory, match="DIGEX_MEMORY_LIMIT"):
        db.load(big, rates=rates_file, today=TODAY)
    monkeypatch.delenv("DIGEX_MEMORY_LIMIT")
    with Digex.open(db_path, read_only=True) as db:
        assert counts(db)["loads"] == 0


def test_codes_are_read_in_any_case_of_their_letters(
    store: Digex, rates_file: Path, tmp_path: Path
) -> None:
    """The check looks each code up among its spellings (`code_spellings`): any mix of upper
    and lower case is the code; a letter that only upper-cases to an ASCII one (the long s,
    the dotless i) is not, and neither is a code padded inside."""
    rows = [
        ("C1", "2024-01", FIRM, "iTo", "fR", "eUr", "1", "x"),
        ("C2", "2024-01", FIRM, "si2", "Us", "usd", "1", "m"),
        ("C3", "2024-01", FIRM, "Crm", "na", "Mad", "1", "X"),
        ("C4", "2024-01", FIRM, "ITO", "ſE", "EUR", "1", "X"),  # long s
        ("C5", "2024-01", FIRM, "ıTO", "FR", "EUR", "1", "X"),  # dotless i
        ("C6", "2024-01", FIRM, "I TO", "FR", "EUR", "1", "X"),
    ]
    f = write_csv(tmp_path / "d.csv", rows)
    [_, result] = store.load(f, rates=rates_file, today=TODAY)
    assert (result.rows_accepted, result.rows_rejected) == (3, 3)
    kept = store.declarations().sort_values("line")
    assert kept["segment"].tolist() == ["ITO", "ITO", "CRM"]
    assert kept["ebops"].tolist()[1] == "SI2"
    assert kept["partner"].tolist() == ["FR", "US", "NA"]
    assert kept["currency"].tolist() == ["EUR", "USD", "MAD"]
    assert kept["flow"].tolist() == ["X", "M", "X"]
    assert kept["value_minor"].tolist()[2] == 100
    reasons = dict(zip(store.rejects()["line"], store.rejects()["reasons"], strict=True))
    assert reasons == {5: "PARTNER_UNKNOWN", 6: "SEGMENT_UNKNOWN", 7: "SEGMENT_UNKNOWN"}
