"""The reference as first written: the job in DuckDB SQL, straightforward, nothing persisted.

The same job and rules as `impl_sql.py` (the tuned version), written the way one writes it the
first time, as the issue's benchmark table describes its "straightforward" row (its 1.00
reference, which the tuned SQL beat by a fifth):

- one wide validated table: every text field kept, every parsed value, every codelist join,
  the reasons of every row (the tuned version keeps a narrow table and computes reasons only
  for the rejected rows);
- repeated ids found with a window function over all rows (the tuned version: one aggregate);
- one GROUP BY query per breakdown, stacked (the tuned version: one GROUPING SETS scan).

Money is exact DECIMAL, rounded half away from zero to the centime per row, as in the tuned
version, so that the two agree with digex to the centime.

    python bench/impl_sqlplain.py declarations.csv --rates rates.csv
"""

from __future__ import annotations

import _common as common
from impl_sql import AMOUNT, DUP, PERIOD, REASONS, _q, codelist, connect, source, summary_rows


def main() -> None:
    args = common.arguments(__doc__.splitlines()[0])
    con = connect(args)
    cl = args.codelists
    month = _q(common.current_month(args.today))
    firm = _q(common.FIRM_PATTERN)
    nc = _q(common.NATIONAL_CURRENCY)
    reasons = ", ".join(
        f"CASE WHEN coalesce({cond}, false) THEN '{code}' END" for code, cond in REASONS.items()
    )
    reasons = reasons.replace("$month", month).replace("$firm", firm)
    countries = ", ".join(
        _q(c)
        for (c,) in con.execute(f"SELECT code FROM {codelist(cl / 'countries.csv')}").fetchall()
    )
    currencies = ", ".join(
        _q(c)
        for (c,) in con.execute(f"SELECT code FROM {codelist(cl / 'currencies.csv')}").fetchall()
    )
    con.execute(
        f"""
        CREATE TABLE segments AS
            SELECT code, code AS segment FROM {codelist(cl / "segments.csv")}
            UNION ALL
            SELECT ebops_code, segment FROM {codelist(cl / "ebops.csv")}
            WHERE segment IS NOT NULL;
        CREATE TABLE rates AS
            SELECT CAST(period || '-01' AS DATE) AS period, currency,
                   CAST(rate AS DECIMAL(18, 8)) AS rate
            FROM {codelist(args.rates)};
        CREATE TABLE raw AS SELECT * FROM {source(args.declarations)};
        CREATE TABLE dup AS {DUP};
        CREATE TABLE checked AS
        WITH p AS (
            SELECT rowid AS line, *, {PERIOD} AS v_period, {AMOUNT} AS v_amount FROM raw
        ), j AS (
            SELECT p.*, s.segment AS v_segment,
                CASE WHEN p.partner IN ({countries}) THEN p.partner END AS v_partner,
                CASE WHEN p.currency IN ({currencies}) THEN p.currency END AS v_currency,
                d.first_line, d.conflict,
                CASE WHEN p.currency = {nc} THEN CAST(1 AS DECIMAL(18, 8)) ELSE x.rate END
                    AS v_rate
            FROM p
            LEFT JOIN segments s ON s.code = p.segment
            LEFT JOIN dup d ON d.declaration_id = p.declaration_id
            LEFT JOIN rates x ON x.period = p.v_period AND x.currency = p.currency
        )
        SELECT *, concat_ws(';', {reasons}) AS reasons,
            CAST(round(CAST(v_amount AS DECIMAL(38, 4)) * v_rate * 100) AS BIGINT) AS value_minor
        FROM j;
        CREATE TABLE accepted AS SELECT * FROM checked WHERE reasons = '';
        CREATE TABLE rejected AS
        SELECT line + 2 AS line, declaration_id, period, firm_id, segment, partner, currency,
               amount, flow, reasons
        FROM checked WHERE reasons <> '';
        """
    )
    # one query per breakdown: year and half-year, in total, by segment and by partner
    half = "CASE WHEN month(v_period) <= 6 THEN 1 ELSE 2 END"
    parts = []
    for h in (False, True):
        for cut in ("total", "segment", "partner"):
            member = "'_T'" if cut == "total" else f"v_{cut}"
            period = f"year(v_period) || '-H' || {half}" if h else "CAST(year(v_period) AS VARCHAR)"
            parts.append(
                f"""SELECT flow, year(v_period) AS y, {half if h else 0} AS h, {period} AS period,
                    '{cut}' AS cut, {member} AS member, CAST(sum(value_minor) AS BIGINT) AS v
                FROM accepted GROUP BY ALL"""
            )
    con.execute("CREATE TABLE levels AS " + " UNION ALL ".join(parts))
    out = summary_rows(con)
    counts = con.execute(
        "SELECT (SELECT count(*) FROM checked), (SELECT count(*) FROM accepted), "
        "(SELECT count(*) FROM rejected)"
    ).fetchone()
    assert counts is not None
    common.emit(
        "sqlplain",
        rows_read=counts[0],
        rows_accepted=counts[1],
        rows_rejected=counts[2],
        exact=True,
        rows=out,
    )


if __name__ == "__main__":
    main()
