"""The order `make test` hands the files to its two workers (`tests.conftest.hand_out_order`):
a wrong one leaves a worker waiting on the other's build of the demo fixtures, or idle at the
end, and the suite over its time budget with every test passing."""

from __future__ import annotations

from tests.conftest import FileCost, hand_out_order


def test_the_demo_builder_first_then_a_long_file_without_the_demo_then_spark() -> None:
    files = {
        "a.py": FileCost(5.0),
        "releases_short.py": FileCost(2.0, releases=True, demo=True),
        "releases_long.py": FileCost(9.0, releases=True, demo=True),
        "store_only.py": FileCost(30.0, demo=True),
        "terminal.py": FileCost(100.0),
        "spark.py": FileCost(70.0, spark=True, demo=True),
        "b.py": FileCost(7.0),
    }
    assert hand_out_order(files) == [
        "releases_long.py",  # the first worker builds the store and the releases at once
        "terminal.py",  # the other runs what needs neither meanwhile
        "spark.py",
        "store_only.py",
        "b.py",
        "a.py",
        "releases_short.py",
    ]


def test_without_demo_files_it_is_spark_then_longest_first() -> None:
    files = {"a.py": FileCost(1.0), "b.py": FileCost(3.0), "s.py": FileCost(2.0, spark=True)}
    assert hand_out_order(files) == ["b.py", "s.py", "a.py"]
    alone = {"s.py": FileCost(2.0, spark=True, demo=True), "r.py": FileCost(1.0, demo=True)}
    assert hand_out_order(alone) == ["s.py", "r.py"]
