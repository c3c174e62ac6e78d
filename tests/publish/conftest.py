"""The publication tests share the demo's releases (`tests.conftest.demo_releases`)."""

from __future__ import annotations

from tests.conftest import DemoReleases

__all__ = ["DemoReleases"]
