"""The store's schema as an ordered list of migrations.

History is never updated in place: every load, rate file and rejected row is appended with its
load id, and "current" data are views that skip superseded loads. This is what lets a later
release reproduce exactly what was published, and an as-of query see the store as it was.
A new schema version is a new entry at the end of `MIGRATIONS`; entries are never edited.
"""

from __future__ import annotations

from typing import Final

_V1: Final = """
CREATE TABLE loads (
    load_id INTEGER PRIMARY KEY,
    kind VARCHAR NOT NULL,              -- 'declarations' or 'rates'
    file_name VARCHAR NOT NULL,
    file_path VARCHAR NOT NULL,
    content_hash VARCHAR NOT NULL,      -- sha256 of the file's bytes
    file_bytes BIGINT NOT NULL,
    file_format VARCHAR NOT NULL,       -- csv, xlsx, parquet
    encoding VARCHAR,
    delimiter VARCHAR,
    decimal_mark VARCHAR,
    loaded_at TIMESTAMP NOT NULL,
    loaded_by VARCHAR NOT NULL,
    rows_read BIGINT NOT NULL,
    rows_accepted BIGINT NOT NULL,
    rows_rejected BIGINT NOT NULL,
    replaces INTEGER,                   -- the load this one supersedes, if any
    profile VARCHAR NOT NULL,
    codelists_version VARCHAR NOT NULL,
    digex_version VARCHAR NOT NULL
);

CREATE TABLE declarations (
    load_id INTEGER NOT NULL,
    line BIGINT NOT NULL,               -- line (CSV, Excel) or row (Parquet) in the source file
    declaration_id VARCHAR NOT NULL,
    period DATE NOT NULL,               -- first day of the reference month
    firm_id VARCHAR NOT NULL,
    segment VARCHAR NOT NULL,           -- ITO, CRM, ESO, BPO, KPO
    ebops VARCHAR,                      -- the EBOPS code as declared, when one was given
    partner VARCHAR NOT NULL,           -- ISO 3166-1 alpha-2
    currency VARCHAR NOT NULL,          -- ISO 4217
    amount DECIMAL(18, 4) NOT NULL,     -- in `currency`, as declared
    flow VARCHAR NOT NULL,              -- X (BPM6 credit) or M (debit)
    rate DECIMAL(18, 8) NOT NULL,       -- national currency per unit of `currency`
    value_minor BIGINT NOT NULL         -- round(amount * rate) in national-currency minor units
);

CREATE TABLE rejects (
    load_id INTEGER NOT NULL,
    line BIGINT NOT NULL,
    reasons VARCHAR NOT NULL,           -- reason codes joined by ';'
    message VARCHAR NOT NULL,
    declaration_id VARCHAR, period VARCHAR, firm_id VARCHAR, segment VARCHAR,
    partner VARCHAR, currency VARCHAR, amount VARCHAR, flow VARCHAR,
    raw VARCHAR                         -- the whole source line when it could not be split
);

CREATE TABLE rates (
    load_id INTEGER NOT NULL,
    line BIGINT NOT NULL,
    period DATE NOT NULL,
    currency VARCHAR NOT NULL,
    rate DECIMAL(18, 8) NOT NULL
);

CREATE TABLE rate_rejects (
    load_id INTEGER NOT NULL,
    line BIGINT NOT NULL,
    reasons VARCHAR NOT NULL,
    message VARCHAR NOT NULL,
    period VARCHAR, currency VARCHAR, rate VARCHAR, raw VARCHAR
);

-- The reconciliation of each load, by currency as declared: rows and amounts that went in.
CREATE TABLE load_totals (
    load_id INTEGER NOT NULL,
    currency VARCHAR,
    rows_accepted BIGINT NOT NULL,
    rows_rejected BIGINT NOT NULL,
    amount_accepted DECIMAL(38, 4),
    value_minor_accepted HUGEINT
);

CREATE VIEW active_loads AS
SELECT l.* FROM loads l
WHERE NOT EXISTS (SELECT 1 FROM loads r WHERE r.replaces = l.load_id);

CREATE VIEW current_declarations AS
SELECT d.* FROM declarations d JOIN active_loads a USING (load_id);

CREATE VIEW current_rejects AS
SELECT j.*, a.file_name FROM rejects j JOIN active_loads a USING (load_id);

-- The rate in force for a month and currency: from the newest active rates load that has it.
CREATE VIEW current_rates AS
SELECT period, currency, arg_max(rate, load_id) AS rate
FROM rates JOIN active_loads USING (load_id)
GROUP BY period, currency;
"""

_V2: Final = """
-- Auxiliary series by year and segment (e.g. jobs at the end of the year), for ratios such as
-- exports per job and progress toward a jobs target. Segment '_T' is the sector total.
CREATE TABLE auxiliary (
    load_id INTEGER NOT NULL,
    line BIGINT NOT NULL,
    series VARCHAR NOT NULL,
    year INTEGER NOT NULL,
    segment VARCHAR NOT NULL,
    value BIGINT NOT NULL
);

CREATE TABLE auxiliary_rejects (
    load_id INTEGER NOT NULL,
    line BIGINT NOT NULL,
    reasons VARCHAR NOT NULL,
    message VARCHAR NOT NULL,
    year VARCHAR, segment VARCHAR, value VARCHAR, raw VARCHAR
);

-- Facts about the store itself, e.g. synthetic = 'true' for a demo store (shown on every output).
CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);

CREATE VIEW current_auxiliary AS
SELECT series, year, segment, arg_max(value, load_id) AS value
FROM auxiliary JOIN active_loads USING (load_id)
GROUP BY series, year, segment;
"""

_V3: Final = """
-- Computed indicators, kept until the data change: `state` names the store's content (the
-- newest load and the software versions), so a new load makes every older entry unused.
CREATE TABLE indicator_cache (
    state VARCHAR NOT NULL,
    request VARCHAR NOT NULL,           -- frequency, cut and periods of the computation
    indicator VARCHAR NOT NULL,
    freq VARCHAR NOT NULL,
    period VARCHAR NOT NULL,
    cut VARCHAR NOT NULL,
    member VARCHAR NOT NULL,
    flow VARCHAR NOT NULL,
    value DOUBLE NOT NULL,
    unit VARCHAR NOT NULL,
    unit_mult INTEGER NOT NULL,
    status VARCHAR NOT NULL
);
CREATE TABLE indicator_cache_requests (state VARCHAR NOT NULL, request VARCHAR NOT NULL);
"""

_V4: Final = """
-- The coded columns of `declarations` become ENUM types that follow the code lists (see
-- digex.store.codes). The indicator engine on the store reads them as they are stored (its
-- groupings are cheaper on ENUM codes); every other reader keeps seeing text.
CREATE VIEW current_declarations_coded AS
SELECT d.* FROM declarations d JOIN active_loads a USING (load_id);

CREATE OR REPLACE VIEW current_declarations AS
SELECT load_id, line, declaration_id, period, firm_id,
       CAST(segment AS VARCHAR) AS segment, CAST(ebops AS VARCHAR) AS ebops,
       CAST(partner AS VARCHAR) AS partner, CAST(currency AS VARCHAR) AS currency,
       amount, CAST(flow AS VARCHAR) AS flow, rate, value_minor
FROM current_declarations_coded;
"""

_V5: Final = """
-- A load that should never have been made (the wrong month's file) is withdrawn: a row here
-- takes it out of every current view; nothing of it is deleted. A withdrawn load no longer
-- replaces the load it had replaced, which is then current again.
CREATE TABLE withdrawals (
    load_id INTEGER NOT NULL,           -- the load withdrawn (at most once)
    withdrawn_at TIMESTAMP NOT NULL,
    withdrawn_by VARCHAR NOT NULL,
    reason VARCHAR NOT NULL
);

CREATE OR REPLACE VIEW active_loads AS
SELECT l.* FROM loads l
WHERE l.load_id NOT IN (SELECT load_id FROM withdrawals)
  AND NOT EXISTS (
      SELECT 1 FROM loads r
      WHERE r.replaces = l.load_id AND r.load_id NOT IN (SELECT load_id FROM withdrawals)
  );

-- Rejected rows of every kind of file, with the columns of declaration rejects, the kind of
-- file, and the rates' and jobs' own fields (what `digex rejects` lists).
CREATE VIEW current_all_rejects AS
SELECT load_id, a.kind, a.file_name, j.line, j.reasons, j.message, j.declaration_id, j.period,
       j.firm_id, j.segment, j.partner, j.currency, j.amount, j.flow,
       CAST(NULL AS VARCHAR) AS rate, CAST(NULL AS VARCHAR) AS year,
       CAST(NULL AS VARCHAR) AS jobs, j.raw
FROM rejects j JOIN active_loads a USING (load_id)
UNION ALL
SELECT load_id, a.kind, a.file_name, j.line, j.reasons, j.message, NULL, j.period, NULL, NULL,
       NULL, j.currency, NULL, NULL, j.rate, NULL, NULL, j.raw
FROM rate_rejects j JOIN active_loads a USING (load_id)
UNION ALL
SELECT load_id, a.kind, a.file_name, j.line, j.reasons, j.message, NULL, NULL, NULL, j.segment,
       NULL, NULL, NULL, NULL, NULL, j.year, j.value, j.raw
FROM auxiliary_rejects j JOIN active_loads a USING (load_id);

CREATE VIEW current_load_totals AS
SELECT t.* FROM load_totals t JOIN active_loads USING (load_id);

-- Corrected rates reach the figures. When the rates in force change (a rates file loaded, a
-- rates load withdrawn), the current declarations converted at another rate than the one now
-- in force are converted again (digex.store.reconvert): one row per change in `conversions`,
-- the new values in `reconversions`; `declarations` keeps the values of the load.
CREATE TABLE conversions (
    conversion_id INTEGER PRIMARY KEY,
    made_at TIMESTAMP NOT NULL,
    made_by VARCHAR NOT NULL,
    cause VARCHAR NOT NULL,             -- 'rates' (load_id loaded) or 'withdrawal' (of load_id)
    load_id INTEGER NOT NULL,
    rows_converted BIGINT NOT NULL,
    months VARCHAR NOT NULL             -- the months (and currencies) whose rows changed
);
CREATE TABLE reconversions (
    conversion_id INTEGER NOT NULL,
    load_id INTEGER NOT NULL,           -- the declaration's load and line
    line BIGINT NOT NULL,
    rate DECIMAL(18, 8) NOT NULL,       -- the rate in force from this conversion on
    value_minor BIGINT NOT NULL         -- round(amount * rate), as the load converts
);

-- The newest conversion of each converted declaration.
CREATE VIEW current_reconversions AS
SELECT load_id, line, arg_max(rate, conversion_id) AS rate,
       arg_max(value_minor, conversion_id) AS value_minor
FROM reconversions GROUP BY load_id, line;

-- `current_declarations_coded` reads the declarations as stored until a first row is
-- converted again; `digex.store.reconvert` then redefines it to take each row's newest value.
"""

_CACHE_STATUS: Final = """
-- A kept indicator carries two status attributes instead of one (digex.indicators.status): the
-- SDMX observation status and digex's completeness. Results kept in the older layout are
-- dropped; they are recomputed on the next query.
DROP TABLE indicator_cache;
CREATE TABLE indicator_cache (
    state VARCHAR NOT NULL,
    request VARCHAR NOT NULL,
    indicator VARCHAR NOT NULL,
    freq VARCHAR NOT NULL,
    period VARCHAR NOT NULL,
    cut VARCHAR NOT NULL,
    member VARCHAR NOT NULL,
    flow VARCHAR NOT NULL,
    value DOUBLE NOT NULL,
    unit VARCHAR NOT NULL,
    unit_mult INTEGER NOT NULL,
    obs_status VARCHAR NOT NULL,        -- SDMX OBS_STATUS (A, P, F, E, B)
    completeness VARCHAR NOT NULL       -- complete, incomplete_base, incomplete_period
);
DELETE FROM indicator_cache_requests;
"""

_V6: Final = """
-- Releases (digex.releases): a release freezes, for one period, every indicator of every cut
-- for the period and the periods it is compared with, the loads it was computed from and a
-- copy of its inputs (profile, code lists, and what later steps attach). Rows are only ever
-- inserted: nothing in digex updates or deletes them, and `content_hash` (over the release's
-- rows in a canonical order, digex.store.releases) shows any change made from outside.
CREATE TABLE releases (
    release_id VARCHAR PRIMARY KEY,     -- '<period>.<vintage>', e.g. '2024.1', '2025-H1.2'
    period VARCHAR NOT NULL,            -- the period released: 2024, 2025-H1, 2024-Q3, 2024-03
    freq VARCHAR NOT NULL,              -- A, H, Q, M
    vintage INTEGER NOT NULL,           -- 1, 2, ... among the releases of the period
    status VARCHAR NOT NULL,            -- preliminary, revised, final
    note VARCHAR,
    created_at TIMESTAMP NOT NULL,      -- UTC
    created_by VARCHAR NOT NULL,
    published_at TIMESTAMP NOT NULL,    -- UTC; later than created_at for an embargoed release
    digex_version VARCHAR NOT NULL,
    profile VARCHAR NOT NULL,           -- profile code, version and sha256 of its TOML
    profile_version VARCHAR NOT NULL,
    profile_sha256 VARCHAR NOT NULL,
    codelists_version VARCHAR NOT NULL,
    last_load_id INTEGER,               -- the store's state the release was computed on
    last_conversion_id INTEGER,
    observations BIGINT NOT NULL,
    content_hash VARCHAR NOT NULL       -- sha256, see digex.store.releases.content_hash
);

-- The loads in force when the release was made (the declarations, rates and auxiliary files
-- it was computed from), as they were then.
CREATE TABLE release_loads (
    release_id VARCHAR NOT NULL,
    load_id INTEGER NOT NULL,
    kind VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    content_hash VARCHAR NOT NULL,
    rows_accepted BIGINT NOT NULL,
    rows_rejected BIGINT NOT NULL
);

-- A copy of each input the release was made with, by name: 'profile.toml', 'codelists.json',
-- later 'suppression.json', 'seasonal.json', ... (text; JSON or TOML as the name says).
CREATE TABLE release_inputs (
    release_id VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    content VARCHAR NOT NULL
);

-- The observations, in the layout of the indicator cache.
CREATE TABLE release_observations (
    release_id VARCHAR NOT NULL,
    indicator VARCHAR NOT NULL,
    freq VARCHAR NOT NULL,
    period VARCHAR NOT NULL,
    cut VARCHAR NOT NULL,
    member VARCHAR NOT NULL,
    flow VARCHAR NOT NULL,
    value DOUBLE,                       -- NULL where a value is not available (e.g. confidential)
    unit VARCHAR NOT NULL,
    unit_mult INTEGER NOT NULL,
    obs_status VARCHAR NOT NULL,        -- SDMX OBS_STATUS (A, P, F, E, B, ...)
    completeness VARCHAR NOT NULL
);

-- Who did what to the store, when and why: loads, replacements, withdrawals, releases.
CREATE TABLE audit_log (
    event_id INTEGER PRIMARY KEY,
    made_at TIMESTAMP NOT NULL,         -- UTC
    made_by VARCHAR NOT NULL,
    action VARCHAR NOT NULL,            -- load, replace, withdraw, release, ...
    subject VARCHAR NOT NULL,           -- what it acted on: a load id, a release id, a file name
    reason VARCHAR,                     -- the user's why, when given
    details VARCHAR                     -- JSON: what a reader needs beyond the subject
);

-- The history made before this table existed, from the load log and the withdrawals.
INSERT INTO audit_log
SELECT row_number() OVER (ORDER BY made_at, kind_order, CAST(subject AS INTEGER)) AS event_id,
       made_at, made_by,
       action, subject, reason, details
FROM (
    SELECT loaded_at AS made_at, loaded_by AS made_by, 0 AS kind_order,
           CASE WHEN replaces IS NULL THEN 'load' ELSE 'replace' END AS action,
           CAST(load_id AS VARCHAR) AS subject, NULL AS reason,
           json_object('kind', kind, 'file_name', file_name, 'replaces', replaces,
                       'rows_accepted', rows_accepted, 'rows_rejected', rows_rejected) AS details
    FROM loads
    UNION ALL
    SELECT withdrawn_at, withdrawn_by, 1, 'withdraw', CAST(load_id AS VARCHAR), reason, NULL
    FROM withdrawals
);
"""

_V7: Final = """
-- Disclosure control (digex.disclosure): a release's suppression pattern, the gate's runs
-- and the overrides made after review. The stored values stay the true ones: what is
-- suppressed is said by `conf_status`, and every public read (digex.store.published, the
-- snapshot file) shows value NULL and the one public mark 'C' in its place.

-- The internal CONF_STATUS of each observation: F free, A/O/T/M primary (the rule that
-- fired), D secondary or derived from a suppressed cell, C suppressed by an override. NULL
-- for the releases made before disclosure control (never served publicly).
ALTER TABLE release_observations ADD COLUMN conf_status VARCHAR;

-- The pattern: one row per published magnitude (label) of the release's cube, with what the
-- primary rules found and why it is suppressed or free. Internal: never in a snapshot file.
CREATE TABLE release_cells (
    release_id VARCHAR NOT NULL,
    flow VARCHAR NOT NULL,              -- the label (digex.disclosure.problem.LABEL_KEY)
    freq VARCHAR NOT NULL,
    period VARCHAR NOT NULL,
    cut VARCHAR NOT NULL,
    member VARCHAR NOT NULL,
    measure VARCHAR NOT NULL,           -- LEVEL or YTD_LEVEL
    cell INTEGER NOT NULL,              -- its cell in the cube (labels of one cell share it)
    value DOUBLE NOT NULL,              -- the true sum, national currency units
    contributors INTEGER NOT NULL,      -- enterprise groups in the cell
    x1 DOUBLE NOT NULL,                 -- the two largest groups' sums
    x2 DOUBLE NOT NULL,
    rule VARCHAR NOT NULL,              -- the primary rule that fired ('' when none)
    upl DOUBLE NOT NULL,                -- protection levels the gate checks
    lpl DOUBLE NOT NULL,
    conf_status VARCHAR NOT NULL,       -- F, A, O, T, M, D, C
    origin VARCHAR NOT NULL             -- rule, secondary, earlier, override, free
);

-- Every run of the release gate (the independent LP audit): at creation, and each
-- `digex disclosure audit`. The latest run decides whether the release may be served. Not
-- part of the release's content hash: a gate can be run again.
CREATE TABLE release_gates (
    release_id VARCHAR NOT NULL,
    audited_at TIMESTAMP NOT NULL,      -- UTC
    audited_by VARCHAR NOT NULL,
    passed BOOLEAN NOT NULL,
    cells BIGINT NOT NULL,              -- cells in the cube
    suppressed BIGINT NOT NULL,
    lps BIGINT NOT NULL,                -- linear programmes solved
    seconds DOUBLE NOT NULL,
    summary VARCHAR NOT NULL,           -- JSON: the public summary (counts only)
    report VARCHAR NOT NULL             -- JSON: the internal failures (cells, intervals)
);

-- Decisions made after review: a label forced suppressed, or published (a primary cell
-- judged safe), with who, when and why. Every later release reads them.
CREATE TABLE disclosure_overrides (
    override_id INTEGER PRIMARY KEY,
    made_at TIMESTAMP NOT NULL,         -- UTC
    made_by VARCHAR NOT NULL,
    flow VARCHAR NOT NULL,
    freq VARCHAR NOT NULL,
    period VARCHAR NOT NULL,
    cut VARCHAR NOT NULL,
    member VARCHAR NOT NULL,
    measure VARCHAR NOT NULL,
    action VARCHAR NOT NULL CHECK (action IN ('suppress', 'publish')),
    reason VARCHAR NOT NULL
);
"""

_V8: Final = """
-- The estimates frozen with a release (digex.releases.estimates): seasonally adjusted series,
-- seasonal factors, trends and the nowcast of the year, never observations. Covered by the
-- release's content hash and copied whole into its snapshot file (every row is public: only
-- series without a suppressed cell are estimated).
CREATE TABLE release_estimates (
    release_id VARCHAR NOT NULL,
    indicator VARCHAR NOT NULL,         -- LEVEL_SA, TREND, SEASONAL_FACTOR, NOWCAST_LEVEL, ...
    freq VARCHAR NOT NULL,
    period VARCHAR NOT NULL,
    cut VARCHAR NOT NULL,
    member VARCHAR NOT NULL,
    flow VARCHAR NOT NULL,
    value DOUBLE,
    lower_80 DOUBLE,                    -- intervals of a forecast (NULL for an adjusted value)
    upper_80 DOUBLE,
    lower_95 DOUBLE,
    upper_95 DOUBLE,
    unit VARCHAR NOT NULL,
    unit_mult INTEGER NOT NULL,
    obs_status VARCHAR NOT NULL,        -- E estimated, F forecast
    adjustment VARCHAR NOT NULL,        -- SDMX ADJUSTMENT: S seasonally adjusted, N not
    method VARCHAR NOT NULL             -- x13, stl, ratio, model
);

-- Each series' seasonal adjustment specification, fixed for a year: written by the first
-- release of the year that adjusts the series, read by every later one. Never updated.
CREATE TABLE seasonal_specs (
    year INTEGER NOT NULL,
    freq VARCHAR NOT NULL,
    cut VARCHAR NOT NULL,
    member VARCHAR NOT NULL,
    flow VARCHAR NOT NULL,
    spec VARCHAR NOT NULL,              -- JSON: digex.timeseries.adjust.AdjustmentSpec
    release_id VARCHAR NOT NULL,        -- the release that chose it
    PRIMARY KEY (year, freq, cut, member, flow)
);
"""

MIGRATIONS: Final[tuple[str, ...]] = (
    _V1,
    _V2,
    _V3,
    _V4,
    _V5 + _CACHE_STATUS,
    _V6,
    _V7,
    _V8,
)
"""Migration i (0-based) brings the store from schema version i to i + 1."""

SCHEMA_VERSION: Final = len(MIGRATIONS)
