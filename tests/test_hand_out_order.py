"""The order `make test` hands the files to its two workers (`tests.conftest.hand_out_order`):
a wrong one leaves a worker waiting on the other's build of the demo fixtures, or idle at the
end, and the suite over its time budget with every test passing."""

from __future__ import annotations

from tests.conftest import DEMO_RUN_SECONDS, FileCost, hand_out_order


def test_the_demo_run_first_then_spark_then_longest_first_without_waiting_on_the_demo() -> None:
    files = {
        "a.py": FileCost(5.0),
        "releases_short.py": FileCost(2.0, releases=True),
        "releases_long.py": FileCost(9.0, releases=True),
        "releases_mid.py": FileCost(8.0, releases=True),
        "store_only.py": FileCost(30.0),
        "other.py": FileCost(DEMO_RUN_SECONDS - 71.0),
        "spark.py": FileCost(40.0, spark=True),
        "b.py": FileCost(7.0),
    }
    assert hand_out_order(files) == [
        "releases_long.py",  # the first worker runs the demo (builds `demo_releases`)
        "spark.py",  # the other builds `demo_store` for Spark meanwhile
        "store_only.py",
        "other.py",  # DEMO_RUN_SECONDS - 1 handed out: a file using the demo would still wait
        "b.py",
        "releases_mid.py",  # then longest first again
        "a.py",
        "releases_short.py",
    ]


def test_without_demo_files_it_is_spark_then_longest_first() -> None:
    files = {"a.py": FileCost(1.0), "b.py": FileCost(3.0), "s.py": FileCost(2.0, spark=True)}
    assert hand_out_order(files) == ["s.py", "b.py", "a.py"]
    alone = {"s.py": FileCost(2.0, spark=True), "r.py": FileCost(1.0)}
    assert hand_out_order(alone) == ["s.py", "r.py"]
    demo_only = {"r.py": FileCost(1.0, releases=True), "q.py": FileCost(5.0, releases=True)}
    assert hand_out_order(demo_only) == ["q.py", "r.py"]  # nothing else to hand out meanwhile
