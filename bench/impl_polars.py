"""The same job in Polars, lazily: one query plan from the scan to the aggregates.

Every column scanned as text (Polars' type inference aborts on the first bad amount), checks as
expressions, codelists and rates as small frames joined in, `is_first_distinct()` and a
distinct count over each id for the ids, amounts cast to Decimal(18, 4) and rates to
Decimal(18, 8) so money stays exact, rounded half away from zero to the centime per row.

    python bench/impl_polars.py declarations.csv --rates rates.csv
"""

from __future__ import annotations

import os

import _common as common

FIELDS = ("period", "firm_id", "segment", "partner", "currency", "amount", "flow")


def main() -> None:
    args = common.arguments(__doc__.splitlines()[0])
    if args.threads:
        os.environ["POLARS_MAX_THREADS"] = str(args.threads)
    import polars as pl

    cl = args.codelists

    def codes(name: str) -> pl.LazyFrame:
        return pl.scan_csv(cl / name, infer_schema=False)

    segments = pl.concat(
        [
            codes("segments.csv").select(code="code", segment_code="code"),
            codes("ebops.csv")
            .filter(pl.col("segment").is_not_null())
            .select(code="ebops_code", segment_code="segment"),
        ]
    )
    countries = codes("countries.csv").select(partner="code", partner_ok=pl.lit(True))
    currencies = codes("currencies.csv").select(currency="code", currency_ok=pl.lit(True))
    rates = pl.scan_csv(args.rates, infer_schema=False).select(
        "period", "currency", rate=pl.col("rate").cast(pl.Decimal(18, 8))
    )

    if args.declarations.suffix == ".parquet":
        raw = pl.scan_parquet(args.declarations)
    else:
        raw = pl.scan_csv(args.declarations, infer_schema=False)
    month = common.current_month(args.today)
    amount_ok = pl.col("amount").str.contains(r"^-?[0-9]{1,14}(\.[0-9]{1,4})?$")
    period_ok = pl.col("period").str.contains(r"^(19|2[0-9])[0-9][0-9]-(0[1-9]|1[0-2])$")
    rows = (
        raw.with_row_index("line")
        .join(segments, left_on="segment", right_on="code", how="left", maintain_order="left")
        .join(countries, on="partner", how="left", maintain_order="left")
        .join(currencies, on="currency", how="left", maintain_order="left")
        .join(rates, on=["period", "currency"], how="left", maintain_order="left")
        .with_columns(
            v_period=pl.when(period_ok).then((pl.col("period") + "-01").str.to_date("%Y-%m-%d")),
            v_amount=pl.when(amount_ok).then(pl.col("amount").cast(pl.Decimal(18, 4))),
            v_rate=pl.when(pl.col("currency") == common.NATIONAL_CURRENCY)
            .then(pl.lit(1).cast(pl.Decimal(18, 8)))
            .otherwise(pl.col("rate")),
            first=pl.col("declaration_id").is_first_distinct(),
            # copies of an id that differ in any field are all rejected
            conflict=pl.col("declaration_id").is_not_null()
            & (pl.struct(FIELDS).n_unique().over("declaration_id") > 1),
        )
    )
    checks = {
        "ID_MISSING": pl.col("declaration_id").is_null(),
        "ID_DUPLICATE": pl.col("declaration_id").is_not_null()
        & ~pl.col("first")
        & ~pl.col("conflict"),
        "ID_CONFLICT": pl.col("conflict"),
        "PERIOD_MISSING": pl.col("period").is_null(),
        "PERIOD_INVALID": pl.col("period").is_not_null() & pl.col("v_period").is_null(),
        "PERIOD_FUTURE": pl.col("v_period") > month,
        "FIRM_ID_MISSING": pl.col("firm_id").is_null(),
        "FIRM_ID_INVALID": ~pl.col("firm_id").str.contains(f"^{common.FIRM_PATTERN}$"),
        "SEGMENT_MISSING": pl.col("segment").is_null(),
        "SEGMENT_UNKNOWN": pl.col("segment").is_not_null() & pl.col("segment_code").is_null(),
        "PARTNER_MISSING": pl.col("partner").is_null(),
        "PARTNER_UNKNOWN": pl.col("partner").is_not_null() & pl.col("partner_ok").is_null(),
        "CURRENCY_MISSING": pl.col("currency").is_null(),
        "CURRENCY_UNKNOWN": pl.col("currency").is_not_null() & pl.col("currency_ok").is_null(),
        "RATE_MISSING": pl.col("currency_ok").is_not_null()
        & (pl.col("v_period") <= month)
        & pl.col("v_rate").is_null(),
        "AMOUNT_MISSING": pl.col("amount").is_null(),
        "AMOUNT_INVALID": pl.col("amount").is_not_null() & pl.col("v_amount").is_null(),
        "AMOUNT_NOT_POSITIVE": pl.col("v_amount") <= 0,
        "FLOW_MISSING": pl.col("flow").is_null(),
        "FLOW_UNKNOWN": ~pl.col("flow").is_in(["X", "M"]),
    }
    bad = pl.any_horizontal([c.fill_null(False) for c in checks.values()]) | pl.any_horizontal(
        pl.col("v_period").is_null(), pl.col("v_rate").is_null(), pl.col("v_amount").is_null()
    )
    checked = rows.with_columns(bad=bad)
    accepted = checked.filter(~pl.col("bad")).select(
        "flow",
        "partner",
        member="segment_code",
        year=pl.col("v_period").dt.year(),
        half=pl.when(pl.col("v_period").dt.month() <= 6).then(1).otherwise(2),
        value_minor=(pl.col("v_amount").cast(pl.Decimal(38, 4)) * pl.col("v_rate") * 100)
        .round(0, mode="half_away_from_zero")
        .cast(pl.Int64),
    )
    reasons = pl.concat_str(
        [pl.when(c.fill_null(False)).then(pl.lit(code)) for code, c in checks.items()],
        separator=";",
        ignore_nulls=True,
    )
    rejected = checked.filter(pl.col("bad")).select(
        pl.col("line") + 2,
        *common_columns(),
        reasons=reasons,
    )
    # One pass over the rows: the accepted narrow table and the quarantine, sharing the scan.
    accepted_df, rejected_df = pl.collect_all([accepted, rejected])
    # Everything else from the small cube flow x year x half x segment x partner.
    cube = (
        accepted_df.lazy()
        .group_by(["flow", "year", "half", "member", "partner"])
        .agg(pl.col("value_minor").sum())
    )

    def levels(keys: list[str], label: pl.Expr) -> pl.LazyFrame:
        by_segment = cube.group_by(["flow", *keys, "member"]).agg(pl.col("value_minor").sum())
        total = cube.group_by(["flow", *keys]).agg(pl.col("value_minor").sum())
        lv = pl.concat([by_segment, total.with_columns(member=pl.lit("_T"))], how="diagonal")
        prev = lv.select(
            "flow",
            "member",
            *(k for k in keys if k != "year"),
            year=pl.col("year") + 1,
            py=pl.col("value_minor"),
        )
        tot = total.select("flow", *keys, total=pl.col("value_minor"))
        return (
            lv.join(prev, on=["flow", *keys, "member"], how="left")
            .join(tot, on=["flow", *keys])
            .select(
                "flow",
                "member",
                "value_minor",
                period=label,
                growth=(pl.col("value_minor") / pl.col("py") - 1) * 100,
                share=pl.col("value_minor") / pl.col("total") * 100,
            )
        )

    def partners(keys: list[str], label: pl.Expr) -> pl.LazyFrame:
        return (
            cube.group_by(["flow", *keys, "partner"])
            .agg(pl.col("value_minor").sum())
            .sort(["value_minor", "partner"], descending=[True, False])
            .group_by(["flow", *keys], maintain_order=True)
            .head(common.TOP)
            .with_columns(rank=pl.int_range(1, pl.len() + 1).over(["flow", *keys]), period=label)
            .select("flow", "period", "rank", "partner", "value_minor")
        )

    by_year = pl.col("year").cast(pl.String)
    by_half = pl.format("{}-H{}", pl.col("year"), pl.col("half"))
    annual = levels(["year"], by_year)
    halves = levels(["year", "half"], by_half)
    tops = pl.concat([partners(["year"], by_year), partners(["year", "half"], by_half)])
    annual_df, halves_df, partners_df = pl.collect_all([annual, halves, tops])
    out: list[tuple[str, str, str, str, object]] = []
    for r in pl.concat([annual_df, halves_df]).iter_rows(named=True):
        out.append(("LEVEL", r["flow"], r["period"], r["member"], int(r["value_minor"])))
        if r["growth"] is not None:
            out.append(("GROWTH_YOY", r["flow"], r["period"], r["member"], r["growth"]))
        if r["member"] != "_T":
            out.append(("SHARE", r["flow"], r["period"], r["member"], r["share"]))
    for r in partners_df.iter_rows(named=True):
        out.append(("TOP", r["flow"], r["period"], str(r["rank"]), r["partner"]))
        out.append(("TOPV", r["flow"], r["period"], str(r["rank"]), int(r["value_minor"])))
    common.emit(
        "polars",
        rows_read=accepted_df.height + rejected_df.height,
        rows_accepted=accepted_df.height,
        rows_rejected=rejected_df.height,
        exact=True,
        rows=out,
    )


def common_columns() -> list[str]:
    return [
        "declaration_id",
        "period",
        "firm_id",
        "segment",
        "partner",
        "currency",
        "amount",
        "flow",
    ]


if __name__ == "__main__":
    main()
