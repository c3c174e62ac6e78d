"""Shared helpers of the SDMX tests: the tiny release's structures, read back by sdmx1."""

from __future__ import annotations

import io

import pytest
from sdmx.message import StructureMessage
from tests.sdmx.tiny import tiny_sdmx_release

import sdmx
from digex.publish.figures import ReleaseFigures
from digex.sdmx.structures import Structures, structures, write_structures


@pytest.fixture(scope="module")
def tiny() -> ReleaseFigures:
    return tiny_sdmx_release()


@pytest.fixture(scope="module")
def tiny_structures(tiny: ReleaseFigures) -> Structures:
    return structures(tiny, "MA1")


@pytest.fixture(scope="module")
def read_structures(tiny_structures: Structures) -> StructureMessage:
    """The structure message as sdmx1 reads it."""
    message = sdmx.read_sdmx(io.BytesIO(write_structures(tiny_structures, "xml")))
    assert isinstance(message, StructureMessage)
    return message
