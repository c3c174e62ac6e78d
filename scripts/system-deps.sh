#!/usr/bin/env bash
# Install the Debian system packages the test suite needs (idempotent; a no-op when present).
#
#   sudo scripts/system-deps.sh
#
# Today: Java 17 for Spark's local mode when it is missing; PostgreSQL (Debian's `postgresql`,
# 15 on Debian 12) with its `main` cluster, for the PostgreSQL backend tests; poppler-utils
# (pdftotext, pdftoppm, pdffonts, pdfimages), with which the publication tests read the PDFs
# back; Chromium for the dashboard's browser tests; and HarfBuzz's subsetter (libharfbuzz-subset0), with which WeasyPrint subsets the fonts
# it embeds in about 40 ms per PDF instead of about 1 s through fontTools (the PDFs look the
# same). The PDFs themselves are made by WeasyPrint from PyPI: `make demo` needs none of this.
# Run as root. As a normal user it only reports what is missing and exits 0, so the tests that
# need no system package still run (the PostgreSQL and PDF tests then skip outside CI; in CI,
# where $CI is set, they fail).
set -euo pipefail

missing=()      # Debian packages to install
need_cluster=0  # the `main` PostgreSQL cluster must be created

# PostgreSQL: the cluster tools and a `main` cluster.
if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! command -v pg_lsclusters >/dev/null 2>&1; then
    missing+=(postgresql)
elif ! pg_lsclusters --no-header 2>/dev/null | awk '$2 == "main" { found = 1 } END { exit !found }'; then
    # Tools are there but no `main` cluster (e.g. create_main_cluster = false, or it was dropped).
    need_cluster=1
fi

# Java for Spark's local mode (the `spark` extra's tests); the machine image usually has it.
if ! command -v java >/dev/null 2>&1; then
    missing+=(openjdk-17-jre-headless)
fi

# Poppler's command-line tools, to check the publication's PDFs (tests only).
if ! command -v pdftotext >/dev/null 2>&1 || ! command -v pdftoppm >/dev/null 2>&1 \
    || ! command -v pdffonts >/dev/null 2>&1 || ! command -v pdfimages >/dev/null 2>&1; then
    missing+=(poppler-utils)
fi
if ! ldconfig -p 2>/dev/null | grep 'libharfbuzz-subset\.so\.0' >/dev/null; then
    missing+=(libharfbuzz-subset0)
fi

# Debian's Chromium, which the dashboard's browser tests drive through Playwright (never a
# browser Playwright downloads). The page serves its own fonts (the vendored Noto), so no font
# package is needed for it.
if ! command -v chromium >/dev/null 2>&1; then
    missing+=(chromium)
fi

if [[ ${#missing[@]} -eq 0 && $need_cluster -eq 0 ]]; then
    echo "system-deps: all system packages present"
    exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
    echo "system-deps: not root, installing nothing. Missing:" >&2
    if [[ ${#missing[@]} -gt 0 ]]; then
        echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    fi
    if [[ $need_cluster -eq 1 ]]; then
        echo "  sudo pg_createcluster <version> main   (no PostgreSQL 'main' cluster)" >&2
    fi
    echo "system-deps: or run this script as root. Tests needing these will skip (fail in CI)." >&2
    exit 0
fi

if [[ ${#missing[@]} -gt 0 ]]; then
    export DEBIAN_FRONTEND=noninteractive
    echo "system-deps: installing ${missing[*]}"
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${missing[@]}"
    # The package normally creates the `main` cluster itself; check again below.
fi

if ! pg_lsclusters --no-header 2>/dev/null | awk '$2 == "main" { found = 1 } END { exit !found }'; then
    # Newest installed server version (directories under /usr/lib/postgresql).
    version=$(find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -n | tail -n 1)
    if [[ -z $version ]]; then
        echo "system-deps: no PostgreSQL server found under /usr/lib/postgresql" >&2
        exit 1
    fi
    echo "system-deps: creating PostgreSQL cluster $version/main"
    pg_createcluster "$version" main
fi

echo "system-deps: done"
