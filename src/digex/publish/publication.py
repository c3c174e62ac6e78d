"""`digex publish`: every file of one release's publication, written together or not at all.

For each language: the note (Markdown, standalone HTML, PDF), the charts (SVG, PNG and their
Vega-Lite specs) and the Excel workbook; then a manifest listing every file with its SHA-256
and the release it was made from. Everything is read from the release's snapshot (its public
view: a release whose gate has not passed is refused), and every note is checked number by
number (`digex.publish.tagging`) before anything is written.

The files are first written into a temporary folder beside the target and moved into place
only once all of them exist, so that a failed check or a crash leaves the target as it was. A
target that holds files not made by `digex publish` (no manifest) is refused: publishing
never deletes a user's files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from digex import __version__
from digex.errors import UsageError
from digex.publish.figures import ReleaseFigures, open_release
from digex.publish.tagging import Checked, same_figures

MANIFEST: Final = "manifest.json"
LANGUAGES: Final = ("ar", "fr", "en")
TITLES: Final = {
    "en": "{country}: exports of digital services and outsourcing, {period}",
    "fr": "{country} : exportations des services numériques et de l'offshoring, {period}",
    "ar": "{country}: صادرات الخدمات الرقمية وترحيل الخدمات، {period}",
}


@dataclass
class Published:
    release_id: str
    out: Path
    files: list[Path]
    seconds: dict[str, float] = field(default_factory=dict)
    """Time spent per kind of output (notes, charts, pdf, workbooks)."""


def languages(asked: str | Sequence[str] | None, release: ReleaseFigures) -> tuple[str, ...]:
    """The languages asked (`ar,fr,en`), each one the profile publishes; all by default."""
    offered = release.profile.languages or LANGUAGES
    if asked is None:
        return tuple(offered)
    wanted = [x.strip() for x in (asked.split(",") if isinstance(asked, str) else asked)]
    wrong = [x for x in wanted if x not in offered]
    if wrong or not wanted:
        raise UsageError(
            f"lang={','.join(wanted)}: the profile {release.profile.code} publishes in "
            f"{', '.join(offered)}; give a comma-separated list of those"
        ).naming(lang=",".join(wanted))
    return tuple(dict.fromkeys(wanted))


def read_commentary(paths: Sequence[Path], langs: Sequence[str]) -> dict[str, str]:
    """Commentary files named `<anything>.<lang>.md` (or `.txt`), one per language."""
    found: dict[str, str] = {}
    for path in paths:
        parts = path.name.split(".")
        lang = parts[-2] if len(parts) >= 3 else ""
        if lang not in langs:
            raise UsageError(
                f"commentary={path}: name the file after its language, e.g. "
                f"commentary.{langs[0]}.md (one of {', '.join(langs)})"
            ).naming(commentary=str(path))
        if lang in found:
            raise UsageError(f"commentary={path}: a second commentary in {lang}").naming(
                commentary=str(path)
            )
        try:
            found[lang] = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise UsageError(f"commentary={path}: cannot be read as UTF-8 text ({e})").naming(
                commentary=str(path)
            ) from e
    return found


def read_templates(folder: Path | None, langs: Sequence[str]) -> dict[str, str]:
    """The note templates `folder` holds (`<lang>.md.j2`), by language."""
    if folder is None:
        return {}
    if not folder.is_dir():
        raise UsageError(f"templates={folder}: no such folder").naming(templates=str(folder))
    found = {lang: folder / f"{lang}.md.j2" for lang in langs}
    texts = {lang: p.read_text(encoding="utf-8") for lang, p in found.items() if p.is_file()}
    if not texts:
        names = ", ".join(p.name for p in found.values())
        raise UsageError(f"templates={folder} holds no note template ({names})").naming(
            templates=str(folder)
        )
    return texts


def publish(
    store_path: Path,
    release_id: str,
    out: Path,
    *,
    langs: str | Sequence[str] | None = None,
    commentary: Sequence[Path] = (),
    pdf: bool = True,
    templates: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> Published:
    """Write the publication of `release_id` into `out` (see the module's head).
    `templates`: a folder of the office's own note templates (`<lang>.md.j2`), used for the
    languages it has one for, the packaged ones for the others."""
    release = open_release(store_path, release_id)
    chosen = languages(langs, release)
    texts = read_commentary(commentary, chosen)
    wording = read_templates(templates, chosen)
    _check_target(out)
    say = progress or (lambda _: None)
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    seconds: dict[str, float] = {}
    try:
        files = _write_all(release, chosen, texts, wording, work, pdf=pdf, say=say, seconds=seconds)
        manifest = _manifest(release, work, files)
        files.append(manifest)
        _move_into(work, out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return Published(release.release_id, out, [out / f.relative_to(work) for f in files], seconds)


def _check_target(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise UsageError(f"out={out} is a file; give a folder").naming(out=str(out))
    if out.is_dir() and any(out.iterdir()) and not (out / MANIFEST).is_file():
        raise UsageError(
            f"out={out} holds files that `digex publish` did not write (no {MANIFEST}); "
            "give a new or empty folder, nothing there is replaced"
        ).naming(out=str(out))


def _timed(seconds: dict[str, float], kind: str, start: float) -> None:
    seconds[kind] = seconds.get(kind, 0.0) + time.perf_counter() - start


def _write_all(
    release: ReleaseFigures,
    langs: Sequence[str],
    commentary: Mapping[str, str],
    wording: Mapping[str, str],
    work: Path,
    *,
    pdf: bool,
    say: Callable[[str], None],
    seconds: dict[str, float],
) -> list[Path]:
    from digex.publish import charts, document, note, workbook

    files: list[Path] = []
    notes: dict[str, Checked] = {}
    specs: dict[str, Mapping[str, charts.Spec]] = {}
    for lang in langs:  # every note checked before anything is drawn or written
        say(f"note ({lang})")
        start = time.perf_counter()
        specs[lang] = charts.chart_specs(release, lang)
        _timed(seconds, "charts", start)
        start = time.perf_counter()
        notes[lang] = note.render(
            release,
            lang,
            commentary=commentary.get(lang),
            charts={name: f"{name}.{lang}.svg" for name in specs[lang]},
            template=wording.get(lang),
        )
        _timed(seconds, "notes", start)
    same_figures(notes)
    for lang in langs:
        say(f"charts ({lang})")
        start = time.perf_counter()
        files += charts.write_specs(release, lang, specs[lang], work)
        _timed(seconds, "charts", start)
    for lang in langs:
        title = _title(release, lang)
        markdown = work / f"note.{lang}.md"
        markdown.write_text(notes[lang].text, encoding="utf-8")
        start = time.perf_counter()
        html = document.to_html(notes[lang].text, lang=lang, title=title)
        page = document.write_html(notes[lang].text, lang, title, work / f"note.{lang}.html")
        _timed(seconds, "notes", start)
        files += [markdown, page]
        if pdf:
            say(f"PDF ({lang})")
            from digex.publish import pdf as pdf_writer

            start = time.perf_counter()
            files.append(pdf_writer.write_pdf(html, work / f"note.{lang}.pdf", base_url=work))
            _timed(seconds, "pdf", start)
        say(f"workbook ({lang})")
        start = time.perf_counter()
        files.append(workbook.write_workbook(release, lang, work / f"tables.{lang}.xlsx"))
        _timed(seconds, "workbooks", start)
    extra = sorted(p for p in work.rglob("*") if p.is_file() and p not in files)
    return files + extra  # e.g. the fonts an HTML page links to


def _title(release: ReleaseFigures, lang: str) -> str:
    from digex.publish.note import period_words
    from digex.publish.tagging import Tags, _shown

    country = release.profile.names.get(lang, release.profile.code)
    period = _shown(period_words(Tags(release, lang), release.period))
    return TITLES.get(lang, TITLES["en"]).format(country=country, period=period)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _manifest(release: ReleaseFigures, work: Path, files: Sequence[Path]) -> Path:
    entries = [
        {"path": p.relative_to(work).as_posix(), "sha256": sha256(p), "bytes": p.stat().st_size}
        for p in sorted(set(files))
    ]
    body = {
        "release_id": release.release_id,
        "period": release.period.label,
        "status": release.status,
        "release_content_hash": release.metadata.get("content_hash"),
        "published_at": release.published_at.isoformat(),
        "made_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "digex_version": __version__,
        "files": entries,
    }
    path = work / MANIFEST
    path.write_text(json.dumps(body, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def verify_manifest(folder: Path) -> list[str]:
    """The problems of a publication folder against its manifest (none: every file listed is
    there with its hash, and no other file is)."""
    body = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    problems = []
    listed = set()
    for entry in body["files"]:
        path = folder / entry["path"]
        listed.add(path)
        if not path.is_file():
            problems.append(f"{entry['path']}: missing")
        elif sha256(path) != entry["sha256"]:
            problems.append(f"{entry['path']}: changed since it was published")
    for path in folder.rglob("*"):
        if path.is_file() and path.name != MANIFEST and path not in listed:
            problems.append(f"{path.relative_to(folder).as_posix()}: not in the manifest")
    return problems


def _move_into(work: Path, out: Path) -> None:
    """Replace `out` (absent, empty or an earlier publication) by `work`'s files."""
    if out.exists():
        old = out.with_name(f".{out.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        out.rename(old)
        try:
            work.rename(out)
        except OSError:
            old.rename(out)
            raise
        shutil.rmtree(old, ignore_errors=True)
    else:
        work.rename(out)
