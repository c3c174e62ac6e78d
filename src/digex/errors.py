"""Errors a user can meet. Each message says what went wrong and what to do next.

The CLI turns every `DigexError` into a one-line message and its `exit_code` (never a
traceback): 0 success; 1 an error in the data, the store or the environment; 2 a usage error,
refused before any work; 3 a check that ran and found problems;
the API will map `status` to an HTTP status. Subclasses also derive from the builtin that
callers would expect (`ValueError`, `KeyError`, `FileNotFoundError`) so plain Python code can
catch them idiomatically.
"""

from __future__ import annotations

from typing import Self


class DigexError(Exception):
    """Base of every error digex reports to a user (the CLI exits 1 on it, without a traceback)."""

    status: int = 400
    exit_code: int = 1
    parameters: dict[str, str | None] | None = None
    """The parameters the message names, as the core spells them: `name=value` (value given)
    or `` `name` `` (None); None when the raiser did not say. An edge rewrites exactly these
    spellings in its own words (the command line: `--option value`) and nothing else."""

    def naming(self, *bare: str, **given: object) -> Self:
        """Declare the parameters the message names (`` `name` `` for `bare`, `name=value`
        for `given`), so that an edge can rename them without searching the text; returns
        the error, to raise it in the same expression."""
        self.parameters = {**dict.fromkeys(bare), **{k: str(v) for k, v in given.items()}}
        return self

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else self.__class__.__name__


class CodelistNotFound(KeyError, DigexError):
    """A codelist name that digex does not ship."""

    status = 404

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "codelist not found"


class ProfileError(ValueError, DigexError):
    """A country profile file that is missing or lacks a required key."""


class InvalidFile(ValueError, DigexError):
    """An input file that cannot be read as declarations or rates (format, columns, encoding).

    Retrying does not help: the file must be fixed or the right option given.
    """


class DuplicateLoad(DigexError):
    """The same file content is already in the store; `replace=LOAD_ID` says it supersedes."""

    status = 409


class StoreError(DigexError):
    """The store file is missing, locked by another writer, or of an unknown schema version."""

    status = 503


class StoreLocked(StoreError):
    """Another process holds the store's write lock (DuckDB allows one writer): waiting for
    it to finish helps."""


class StoreBusy(StoreError):
    """A read-only store could not be made writable for a moment: another process writes it,
    or this process is still reading it (its connections are never closed under a reader)."""


class UnknownLoad(KeyError, DigexError):
    """A load id that is not in the store's load log."""

    status = 404

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown load"


class OutOfMemory(MemoryError, DigexError):
    """The engine needed more memory than its limit allows, even spilling to disk; a larger
    DIGEX_MEMORY_LIMIT (or more free disk beside the store) lets the same work finish."""

    status = 507


class NotReconciled(DigexError):
    """A file's rows read are not its rows accepted plus rejected: a row would be lost or
    counted twice, so the load is refused (a defect of digex, never of the file)."""

    status = 500


class UsageError(ValueError, DigexError):
    """An option or argument outside what is allowed (an unknown frequency, a negative limit):
    refused before any work, as the command line refuses an unknown option (exit code 2)."""

    exit_code = 2


class ChecksFailed(DigexError):
    """A check ran to its end and found problems (`digex check`, the claim checker): the run
    worked, the data did not pass (exit code 3)."""

    status = 422
    exit_code = 3


class ProfileWarning(UserWarning):
    """The installed country profile differs from the one a store records: the store's data
    keep being read with the recorded one until init records another (retrying changes
    nothing); the CLI prints it as a warning line on stderr."""


# -- the query: indicators, cuts, periods ------------------------------------------------------
class UnknownIndicator(UsageError):
    """An indicator id that is not in the definitions (a usage error: exit code 2)."""


class UnknownCut(UsageError):
    """A cut (`by`) digex does not know (a usage error: exit code 2)."""


class InvalidPeriod(UsageError):
    """A period label that is not YYYY, YYYY-Qn, YYYY-Hn or YYYY-MM (a usage error: exit
    code 2, whichever command is given it)."""


# -- SDMX data queries (digex.sdmx: the REST API's statuses and SDMX error codes) ---------------
class QueryError(UsageError):
    """An SDMX data query the REST API does not allow (a key of the wrong length, a period that
    is no SDMX period, a parameter with a wrong value): HTTP 400, SDMX error code 140; the
    message names the part at fault."""

    status = 400
    sdmx_code = 140


class NoResults(DigexError):
    """A valid SDMX query that finds nothing (an unknown dataflow, no matching observation):
    HTTP 404, SDMX error code 100."""

    status = 404
    sdmx_code = 100


class NotImplementedQuery(UsageError):
    """A standard SDMX query value digex does not serve (includeHistory=true; detail=nodata
    or serieskeysonly outside SDMX-ML): HTTP 501, SDMX error code 501."""

    status = 501
    sdmx_code = 501


class ConsistencyError(DigexError):
    """An identity that must hold does not: publication is stopped."""

    status = 500


# -- loads and their corrections ---------------------------------------------------------------
class MixedDecimalMarks(InvalidFile):
    """A file whose amounts show both decimal marks (the loader adds the file's name)."""


class RatesWouldVanish(DigexError):
    """A change of the rates in force would leave current declarations with no rate for their
    month and currency (their value could then be neither kept nor converted)."""

    status = 409


class AlreadyWithdrawn(DigexError):
    """The load was withdrawn before; a load is withdrawn once."""

    status = 409


# -- other engines (PostgreSQL, Spark) ---------------------------------------------------------
class EngineURLError(ValueError, DigexError):
    """An engine URL digex cannot use (unknown scheme, missing path, unknown option): retrying
    does not help, the URL must change."""


class SparkUnavailable(DigexError):
    """PySpark (or Java) is missing: install the `spark` extra and a Java 17 runtime."""

    status = 503


class EngineUnavailable(DigexError):
    """The engine a URL names cannot be reached or refused the connection (a PostgreSQL server
    down, a wrong password): retrying helps once the server is up or the URL is corrected."""

    status = 503


class SourceNotFound(FileNotFoundError, DigexError):
    """An engine's source data is not where its URL says (a Spark folder without the Parquet
    files `export_parquet` writes, a PostgreSQL schema without the store's views)."""

    status = 404

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "source not found"


def first_line(error: BaseException) -> str:
    """The first line of a third-party error's message (psycopg, PySpark and DuckDB add hints
    and context on further lines), or its class name when it has none: what a translated
    error quotes, so that digex's own message stays one line."""
    text = str(error).strip()
    return text.splitlines()[0].strip() if text else type(error).__name__


# -- the indicator registry and the releases' data (appended in one block) ---------------------
class RegistryError(ValueError, DigexError):
    """The indicator registry (`data/indicators.toml`) is inconsistent: an unknown or missing
    key, a value of the wrong type. The packaged file is checked by the tests, so meeting this
    means a registry edited by hand; the message names the indicator and the key."""


class ReleaseDataError(ValueError, DigexError):
    """Releases or their values that cannot be compared: a publication time without a time
    zone, one release id with two publication times, periods of two frequencies in one
    revision triangle. The releases given must be corrected; retrying does not help."""

    status = 422


class NotAValue(TypeError, DigexError):
    """A cell of a revision triangle that is not a number (a boolean, a string)."""

    status = 422


# -- release creation (appended in one block) -----------------------------------------------------
class ReleaseRefused(DigexError):
    """A release the store's data cannot make: a period with no declarations, or one whose
    months are not all loaded yet (the message names the period and what to load)."""

    status = 409


class SnapshotExists(DigexError):
    """A release's snapshot file is there already: a snapshot is never replaced."""

    status = 409


class UnknownRelease(KeyError, DigexError):
    """A release id that is not in the store (`digex release list` shows them)."""

    status = 404

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown release"


class NotPublished(DigexError):
    """What was asked had not been published: a release still under embargo (its staff see it
    with `embargoed=True`), or an as-of time before the first publication."""

    status = 404


# -- the web service (one block, the serve part's) ---------------------------------------------
class NotHeld(UsageError):
    """A query naming a value (an indicator, a period, a member...) the release does not hold:
    HTTP 404, with the values it holds."""

    status = 404


class AnswerTooLarge(DigexError):
    """A query matching more rows than one answer holds: HTTP 413, naming the filters that
    narrow it."""

    status = 413


# -- publication documents: HTML and PDF (one block, the document part's) ---------------------
class DocumentAssetMissing(FileNotFoundError, DigexError):
    """A file a note's page or PDF refers to (a chart) is missing, or is not a local file:
    the note is not written with a broken image; write the charts first."""

    status = 500

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "document asset missing"


class UnprintableText(ValueError, DigexError):
    """A note's text holds characters none of the vendored fonts draws (an emoji, a script
    other than Arabic and Latin): printed, they would come from whatever font the machine has,
    or as empty boxes. The message names them; the text must change."""

    status = 422


class PdfEngineUnavailable(DigexError):
    """WeasyPrint cannot start: it is not installed, or the system lacks the Pango library
    it draws text with (Debian: libpango-1.0-0 and libpangoft2-1.0-0). Installing them
    helps; retrying does not."""

    status = 503


# -- disclosure control ---------------------------------------------------------------------------
class DisclosureConfigError(ValueError, DigexError):
    """The deployment's disclosure parameters (the file `DIGEX_DISCLOSURE` names) or the
    enterprise groups it links firms with cannot be read: the message names the file, the key
    and what is allowed."""


class GateFailed(ChecksFailed):
    """The release gate (the independent LP audit) found a cell that the pattern does not
    protect: the release cannot be published or served until the pattern does."""

    status = 409


class ConfidentialRefused(DigexError):
    """Unprotected values were asked for a public output; only an explicit internal request
    (`confidential=True`, `--confidential`) reads them."""

    status = 403


# -- publication ----------------------------------------------------------------------------------
class PublicationCheckFailed(ChecksFailed):
    """A rendered text states a number that is not the release's (or not tagged as one): the
    publication writes nothing."""


# -- seasonal adjustment --------------------------------------------------------------------------
class X13Failed(DigexError):
    """X-13ARIMA-SEATS could not adjust a series (its error report, a failed fit, or no output):
    seasonal adjustment falls back on STL and records this message as the reason."""


class AdjustmentFailed(ValueError, DigexError):
    """A series that no method can adjust (shorter than two years, or with missing or
    non-finite values): the message names the series and what it needs."""


# -- time series: the nowcast of the full year (one block, the nowcast part's) ----------------
class NowcastError(ValueError, DigexError):
    """A full-year nowcast that the store's series cannot give: too few past complete years
    (the ratio estimator reads at least two) or months of history (the model reads at least
    two years), or months of the year missing. The message names the series and what it
    lacks; loading more history helps, retrying does not."""

    status = 422


# -- the claim checker ----------------------------------------------------------------------------
class ClaimsInconsistent(ChecksFailed):
    """A text quotes figures the releases contradict (`digex claims`): each is listed with
    the official value and the likely cause; the check ran, the text did not pass (exit 3)."""


class ClaimsTextTooLarge(DigexError):
    """A text sent to `POST /api/claims` over the size the service reads: HTTP 413, naming
    the limit; a shorter text, or the text in parts, is checked."""

    status = 413
