"""bench.meter.Breakdown: where a phase's time and queries go, by wrapped method."""
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, ROOT)

from bench import meter  # noqa: E402

TABLE = (
    ("stock moves", "stock.move", "_action_done"),
    ("valuation", "stock.move", "_run_valuation"),
    ("valuation", "stock.move", "_account_entry_move"),   # not defined: skipped
    ("logs", "backflush.log", "_record"),                 # no such model: skipped
)


class BaseMove:
    def _run_valuation(self, breakdown):
        breakdown.count_query()
        breakdown.count_query()
        time.sleep(0.05)
        return "valued"


class Move(BaseMove):
    def _action_done(self, breakdown, depth=0):
        breakdown.count_query()
        if depth == 0:
            self._action_done(breakdown, depth=1)   # nested on other moves: its own call
        return self._run_valuation(breakdown)


def test_time_and_queries_go_to_the_innermost_wrapped_call():
    breakdown = meter.Breakdown({"stock.move": Move}, TABLE)
    with breakdown:
        assert Move()._action_done(breakdown) == "valued"
        breakdown.count_query()   # outside any wrapped call
    result = breakdown.result()
    # every bucket of the report, in its order, whatever the table wraps
    assert list(result) == ["reservation release", "stock moves", "valuation", "settlement",
                            "logs", "other"]
    assert {bucket: row["queries"] for bucket, row in result.items()} == {
        "reservation release": 0, "stock moves": 2, "valuation": 4, "settlement": 0,
        "logs": 0, "other": 1}
    assert result["stock moves"]["calls"] == 2 and result["valuation"]["calls"] == 2
    # the two valuations slept 0.1 s: theirs, not their callers'
    assert result["valuation"]["seconds"] >= 0.1
    assert result["stock moves"]["seconds"] < 0.05
    assert sum(row["seconds"] for row in result.values()) >= 0.1


def test_classes_are_restored_on_exit():
    own, inherited = Move.__dict__["_action_done"], BaseMove.__dict__["_run_valuation"]
    with meter.Breakdown({"stock.move": Move}, TABLE):
        assert Move.__dict__["_action_done"] is not own
        assert "_run_valuation" in Move.__dict__
    assert Move.__dict__["_action_done"] is own
    assert "_run_valuation" not in Move.__dict__
    assert Move._run_valuation is inherited


def test_a_bucket_of_a_table_only_comes_before_other():
    table = TABLE + (("conversion", "stock.move", "_run_valuation"),)
    assert list(meter.Breakdown({}, table).result())[-2:] == ["conversion", "other"]


def _touch(megabytes):
    block = bytearray(megabytes * 1024 * 1024)
    for index in range(0, len(block), 4096):
        block[index] = 1
    return block


def _peak_growth(sampler, megabytes):
    with sampler as rss:
        block = _touch(megabytes)
        time.sleep(0.05)
        del block
    return (rss.peak - rss.before) / 1024 ** 2


def test_the_peak_is_the_kernels_and_counts_what_was_freed_before_exit():
    sampler = meter.RssSampler()
    growth = _peak_growth(sampler, 64)
    if not sampler.kernel_peak:   # no VmHWM to reset here: the sampling thread's figure
        assert sampler.interval == meter.RssSampler.SAMPLE_EVERY
    else:
        assert sampler.interval == meter.RssSampler.LOAD_EVERY
    assert 60 <= growth <= 200


def test_without_the_kernels_peak_the_thread_samples(monkeypatch):
    monkeypatch.setattr(meter, "_reset_peak_rss", lambda: False)
    sampler = meter.RssSampler()
    growth = _peak_growth(sampler, 64)
    assert not sampler.kernel_peak
    assert sampler.interval == meter.RssSampler.SAMPLE_EVERY
    assert 60 <= growth <= 200
