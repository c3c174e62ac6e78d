"""The same job in idiomatic pandas: what a statistician writes today.

Everything read as text (`dtype=str, keep_default_na=False`, or Namibia's `NA` becomes a missing
value and ICE numbers lose their leading zeros), one boolean Series per check, `duplicated()`
and `drop_duplicates()` for the ids, a `merge` for the rates, amounts through `pd.to_numeric`
(floats: values are rounded to the centime row by row, so totals may differ from exact
arithmetic by a few centimes), `groupby` for the aggregates.

    python bench/impl_pandas.py declarations.csv --rates rates.csv
"""

from __future__ import annotations

from pathlib import Path

import _common as common
import numpy as np
import pandas as pd


def read_codes(path: Path, column: str = "code") -> pd.Series[str]:
    return pd.read_csv(path, dtype=str, keep_default_na=False)[column]


def main() -> None:
    args = common.arguments(__doc__.splitlines()[0])
    cl = args.codelists
    if args.declarations.suffix == ".parquet":
        df = pd.read_parquet(args.declarations).fillna("")
    else:
        df = pd.read_csv(args.declarations, dtype=str, keep_default_na=False)
    rates = pd.read_csv(args.rates, dtype=str, keep_default_na=False)
    rates["rate"] = rates["rate"].astype(float)
    segments = pd.read_csv(cl / "segments.csv", dtype=str, keep_default_na=False)
    ebops = pd.read_csv(cl / "ebops.csv", dtype=str, keep_default_na=False)
    ebops = ebops[ebops["segment"] != ""]
    segment_of = {**dict(zip(segments["code"], segments["code"], strict=True))}
    segment_of.update(zip(ebops["ebops_code"], ebops["segment"], strict=True))
    countries = set(read_codes(cl / "countries.csv"))
    currencies = set(read_codes(cl / "currencies.csv"))

    df = df.merge(rates, on=["period", "currency"], how="left")
    df.loc[df["currency"] == common.NATIONAL_CURRENCY, "rate"] = 1.0
    period = pd.to_datetime(df["period"], format="%Y-%m", errors="coerce")
    amount = pd.to_numeric(df["amount"], errors="coerce")
    df["segment_code"] = df["segment"].map(segment_of)
    month = pd.Timestamp(common.current_month(args.today))
    # copies of an id that differ in any field are all rejected; identical ones count once
    keyed = df["declaration_id"] != ""
    fields = ["period", "firm_id", "segment", "partner", "currency", "amount", "flow"]
    variants = df[keyed].drop_duplicates(["declaration_id", *fields])["declaration_id"]
    conflict = keyed & df["declaration_id"].isin(variants[variants.duplicated()])
    checks = {
        "ID_MISSING": df["declaration_id"] == "",
        "ID_DUPLICATE": keyed & df["declaration_id"].duplicated(keep="first") & ~conflict,
        "ID_CONFLICT": conflict,
        "PERIOD_MISSING": df["period"] == "",
        "PERIOD_INVALID": (df["period"] != "") & period.isna(),
        "PERIOD_FUTURE": period > month,
        "FIRM_ID_MISSING": df["firm_id"] == "",
        "FIRM_ID_INVALID": (df["firm_id"] != "")
        & ~df["firm_id"].str.fullmatch(common.FIRM_PATTERN),
        "SEGMENT_MISSING": df["segment"] == "",
        "SEGMENT_UNKNOWN": (df["segment"] != "") & df["segment_code"].isna(),
        "PARTNER_MISSING": df["partner"] == "",
        "PARTNER_UNKNOWN": (df["partner"] != "") & ~df["partner"].isin(countries),
        "CURRENCY_MISSING": df["currency"] == "",
        "CURRENCY_UNKNOWN": (df["currency"] != "") & ~df["currency"].isin(currencies),
        "RATE_MISSING": df["currency"].isin(currencies) & (period <= month) & df["rate"].isna(),
        "AMOUNT_MISSING": df["amount"] == "",
        "AMOUNT_INVALID": (df["amount"] != "") & amount.isna(),
        "AMOUNT_NOT_POSITIVE": amount <= 0,
        "FLOW_MISSING": df["flow"] == "",
        "FLOW_UNKNOWN": (df["flow"] != "") & ~df["flow"].isin(["X", "M"]),
    }
    bad = pd.concat(checks, axis=1)
    is_bad = bad.any(axis=1) | period.isna() | df["rate"].isna()
    rejected = df[is_bad].copy()
    rejected["reasons"] = bad[is_bad].apply(lambda r: ";".join(r.index[r]), axis=1)
    accepted = df[~is_bad].copy()
    accepted["value_minor"] = (amount[~is_bad] * accepted["rate"] * 100).round()
    accepted["year"] = period[~is_bad].dt.year
    accepted["half"] = np.where(period[~is_bad].dt.month <= 6, 1, 2)

    out: list[tuple[str, str, str, str, object]] = []
    for freq, keys in (("A", ["year"]), ("H", ["year", "half"])):
        by_segment = accepted.groupby(["flow", *keys, "segment_code"])["value_minor"].sum()
        total = accepted.groupby(["flow", *keys])["value_minor"].sum()
        levels = pd.concat(
            [
                by_segment.reset_index().rename(columns={"segment_code": "member"}),
                total.reset_index().assign(member="_T"),
            ]
        )
        levels["period"] = (
            levels["year"].astype(str)
            if freq == "A"
            else levels["year"].astype(str) + "-H" + levels["half"].astype(str)
        )
        previous = levels.assign(year=levels["year"] + 1)[["flow", *keys, "member", "value_minor"]]
        levels = levels.merge(
            previous, on=["flow", *keys, "member"], how="left", suffixes=("", "_py")
        )
        levels["growth"] = (levels["value_minor"] / levels["value_minor_py"] - 1) * 100
        totals = levels[levels["member"] == "_T"][["flow", *keys, "value_minor"]]
        levels = levels.merge(totals, on=["flow", *keys], suffixes=("", "_total"))
        levels["share"] = levels["value_minor"] / levels["value_minor_total"] * 100
        for r in levels.to_dict("records"):
            cell = (str(r["flow"]), str(r["period"]), str(r["member"]))
            out.append(("LEVEL", *cell, int(r["value_minor"])))
            out.append(("GROWTH_YOY", *cell, float(r["growth"])))
            if r["member"] != "_T":
                out.append(("SHARE", *cell, float(r["share"])))
        partners = (
            accepted.groupby(["flow", *keys, "partner"])["value_minor"]
            .sum()
            .reset_index()
            .sort_values(["value_minor", "partner"], ascending=[False, True])
        )
        for group, top in partners.groupby(["flow", *keys], sort=False):
            flow, year, *half = (str(g) for g in group)
            label = f"{year}-H{half[0]}" if half else year
            for rank, r in enumerate(top.head(common.TOP).to_dict("records"), start=1):
                out.append(("TOP", flow, label, str(rank), str(r["partner"])))
                out.append(("TOPV", flow, label, str(rank), int(r["value_minor"])))
    common.emit(
        "pandas",
        rows_read=len(df),
        rows_accepted=len(accepted),
        rows_rejected=len(rejected),
        exact=False,
        rows=out,
    )


if __name__ == "__main__":
    main()
