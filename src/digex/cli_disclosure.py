"""`digex disclosure ...`: the release gate run again, overrides, a release's pattern and its
information loss. Everything here but `audit --public` is for the office's own staff: it
shows values, rules and cells that no public output may show."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Final

import typer  # noqa: TID251 (a command-line module: part of the CLI layer)

from digex.cli import DbOption, _print_table, _table, err, out

if TYPE_CHECKING:
    import pandas as pd

disclosure_app: typer.Typer = typer.Typer(
    help="Disclosure control: no published figure may reveal a firm's.\n\n"
    "Every release is protected when it is made (`digex release create`): cells with too "
    "few firms, or dominated by one or two (the primary rules: minimum frequency, p% rule, "
    "optionally (n,k) and pq), are suppressed, and so are the complementary cells that "
    "would let them be derived from totals; an independent audit (the release gate: linear "
    "programmes over every table of the release) must then prove that no suppressed cell "
    "can be narrowed down, by an outsider or by a firm that knows its own figures. A "
    "release whose gate fails is refused, and one is served publicly only while its latest "
    "gate run passed. Public outputs show a suppressed value as C, never its value.\n\n"
    "The parameters (thresholds, p, the enterprise groups) come from the TOML file "
    "$DIGEX_DISCLOSURE names (or `release create --disclosure FILE`), else the documented "
    "defaults (3 firms, p = 10 %). Keep that file out of the data's repository.\n\n"
    "Commands: `audit RELEASE` runs the gate again (`--public`: the counts only); "
    "`override add` forces a cell suppressed or published after review (with a reason); "
    "`override list`; `cells RELEASE` the pattern; `loss RELEASE` what it hides, by "
    "table. All but `audit --public` print internal, unprotected information.",
    no_args_is_help=True,
)
override_app: typer.Typer = typer.Typer(
    help="Decisions after review: force a cell suppressed (--suppress), or publish a cell "
    "the rules flagged (--publish), with a --reason. Releases made afterwards follow them, "
    "and the gate still audits them.",
    no_args_is_help=True,
)
disclosure_app.add_typer(override_app, name="override")

INTERNAL: Final = "internal: unprotected disclosure information, never publish this output"

ReleaseArgument = Annotated[str, typer.Argument(help="The release, e.g. 2024.1.")]
FormatOption = Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")]
OutputOption = Annotated[
    Path | None, typer.Option("--output", "-o", help="File to write (csv or json).")
]


def _internal() -> None:
    err().print(f"warning: {INTERNAL}", style="bold yellow", highlight=False, soft_wrap=True)


def _frame_out(frame: pd.DataFrame, title: str, fmt: str, output: Path | None) -> None:
    from digex.cli_history import _check_format, _emit_frame

    _check_format(fmt, output)
    if fmt != "table":
        _emit_frame(frame, fmt, output)
        return
    table = _table(title)
    for column in frame.columns:
        table.add_column(
            str(column), justify="right" if frame[column].dtype.kind in "iuf" else "left"
        )
    for row in frame.itertuples(index=False):
        table.add_row(*(_cell(v) for v in row))
    _print_table(table, wide=True)


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        if value != value:
            return "-"
        return f"{value:,.2f}"
    return str(value)


@disclosure_app.command("audit")
def audit(
    release_id: ReleaseArgument,
    public: Annotated[
        bool, typer.Option("--public", help="Print only the public summary (counts).")
    ] = False,
    db: DbOption = None,
) -> None:
    """Run the release gate again on RELEASE's stored pattern (the cube rebuilt from the
    declarations it was computed from) and record the run. Prints the per-cell report
    (internal: values, intervals, the enterprise group whose knowledge was used) and the
    public summary (counts only). Exit code 3 when the gate fails: the release is then no
    longer served publicly."""
    from digex.api import Digex

    if not public:
        _internal()
    with Digex.open(db) as store:
        found = store.audit_release(release_id)
    report = found.report
    if not public:
        frame = found.frame()
        _frame_out(frame, f"Release gate of {release_id}: every audited cell", "table", None)
    summary = report.summary()
    verdict = "passed" if report.passed else "FAILED"
    out().print(
        f"release {release_id}: gate {verdict}; {summary['suppressed']:,} of "
        f"{summary['cells']:,} cells suppressed (with the cells earlier releases showed for "
        f"the same years), {summary['audited']:,} audited, "
        f"{summary['failed']:,} failed, {summary['lps']:,} LPs ({report.seconds:.2f} s)",
        highlight=False,
    )
    if not report.passed:
        raise found.refusal()


@override_app.command("add")
def override_add(
    period: Annotated[str, typer.Option("--period", "-p", help="2024, 2024-Q3, 2024-03, ...")],
    cut: Annotated[str, typer.Option("--cut", help="The cut: total, segment, partner, ...")],
    member: Annotated[str, typer.Option("--member", help="The member: KPO, FR, KPO.FR, _T.")],
    reason: Annotated[
        str, typer.Option("--reason", help="Why (required: kept with it and in the log).")
    ],
    suppress: Annotated[
        bool, typer.Option("--suppress", help="Force the cell suppressed.")
    ] = False,
    publish: Annotated[
        bool, typer.Option("--publish", help="Publish a cell the rules flagged.")
    ] = False,
    flow: Annotated[str, typer.Option("--flow", help="X (exports) or M (imports).")] = "X",
    measure: Annotated[
        str, typer.Option("--measure", help="LEVEL (the period's) or YTD_LEVEL.")
    ] = "LEVEL",
    db: DbOption = None,
) -> None:
    """Record an override of one published cell (flow, period, cut, member, measure): every
    release made afterwards follows it. Example: `digex disclosure override add -p 2024
    --cut partner --member ES --suppress --reason "the firm asked"`."""
    from digex.api import Digex
    from digex.errors import UsageError

    if suppress == publish:
        raise UsageError("give one of --suppress or --publish")
    with Digex.open(db) as store:
        number = store.add_override(
            period=period,
            cut=cut,
            member=member,
            flow=flow,
            measure=measure,
            action="suppress" if suppress else "publish",
            reason=reason,
        )
    out().print(
        f"override {number}: {flow} {period} {cut} {member} {measure} "
        f"{'suppressed' if suppress else 'published'} in releases made from now on",
        highlight=False,
    )


@override_app.command("list")
def override_list(
    fmt: FormatOption = "table", output: OutputOption = None, db: DbOption = None
) -> None:
    """The overrides recorded, oldest first (the latest of a cell is in force)."""
    from digex.api import Digex

    with Digex.open(db, read_only=True) as store:
        frame = store.overrides()
    _frame_out(frame, "Disclosure overrides", fmt, output)


@disclosure_app.command("cells")
def cells(
    release_id: ReleaseArgument,
    suppressed_only: Annotated[
        bool, typer.Option("--suppressed-only", help="Only the suppressed cells.")
    ] = False,
    fmt: FormatOption = "table",
    output: OutputOption = None,
    db: DbOption = None,
) -> None:
    """RELEASE's suppression pattern, one row per published magnitude: its value, the number
    of contributors and the two largest, the rule that fired, the protection levels, the
    internal CONF_STATUS (A small count, O/T dominance, M p%/pq, D secondary, C manual) and
    why (rule, secondary, earlier, override, free). Internal."""
    from digex.api import Digex

    _internal()
    with Digex.open(db, read_only=True) as store:
        frame = store.release_cells(release_id, suppressed_only=suppressed_only)
    _frame_out(frame, f"Suppression pattern of {release_id}", fmt, output)


@disclosure_app.command("loss")
def loss(
    release_id: ReleaseArgument,
    fmt: FormatOption = "table",
    output: OutputOption = None,
    db: DbOption = None,
) -> None:
    """The information loss of RELEASE's pattern, by table (flow, cut, frequency, measure):
    cells, suppressed (primary, secondary, manual), value hidden and their shares. A table
    that loses most of its cells is one to publish on a coarser grid (the profile's
    [[table]] `coarser`). Internal (it sums hidden values)."""
    from digex.api import Digex

    _internal()
    with Digex.open(db, read_only=True) as store:
        frame = store.information_loss(release_id)
    _frame_out(frame, f"Information loss of {release_id}", fmt, output)
