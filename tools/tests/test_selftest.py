"""./dev.py selftest reads per-test results back from Odoo 11's test log."""
import io

import pytest

from devtools import selftest
from devtools.selftest import FAILED, PASSED, SKIPPED, LeftOut

MOD = "odoo.addons.m.tests.test_a"


def _log(*records):
    """Log lines as Odoo 11 writes them: 'date time pid LEVEL db logger: message'."""
    lines = []
    for record in records:
        if isinstance(record, str):         # a continuation line (traceback)
            lines.append(record)
            continue
        level, logger, message = record
        lines.append("2026-01-01 10:00:00,000 42 %s db %s: %s" % (level, logger, message))
    return [line + "\n" for line in lines]


def _running(module=MOD):
    return ("INFO", "odoo.modules.module", "%s running tests." % module)


def _test(name, cls="T", module=MOD):
    return ("INFO", module, "%s (%s.%s.%s)" % (name, module, cls, name))


def _parse(lines, returncode=0, left_out=None):
    parser = selftest.LogParser()
    for record in selftest.read_records(lines):
        parser.feed(record)
    results = selftest.apply_left_out(parser.finish(returncode), left_out or {})
    return {_short(r.test_id): r for r in results}, parser


def _short(test):
    return test if "/" in test or " " in test else test.rsplit(".", 1)[-1]


RUN = _log(
    _running(),
    _test("test_ok"),
    ("INFO", MOD, "` First line of the docstring"),
    ("INFO", "odoo.models", "something the test logs"),
    _test("test_fails"),
    ("ERROR", MOD, "FAIL"),
    _test("test_crashes"),
    ("ERROR", MOD, "ERROR"),
    _test("test_skipped"),
    ("INFO", MOD, "skipped 'PhantomJS not found'"),
    ("INFO", MOD, "=" * 70),
    ("ERROR", MOD, "ERROR: setUpClass (%s.Other)" % MOD),
    ("ERROR", MOD, "Traceback (most recent call last):"),
    ("ERROR", MOD, "` KeyError: 'x'"),
    ("ERROR", MOD, "FAIL: test_fails (%s.T.test_fails)" % MOD),
    ("ERROR", MOD, "Traceback (most recent call last):"),
    ("ERROR", MOD, "`   File \"t.py\", line 3, in test_fails"),
    ("ERROR", MOD, "` AssertionError: 1 != 2"),
    ("ERROR", MOD, "ERROR: test_crashes (%s.T.test_crashes)" % MOD),
    ("ERROR", MOD, "Traceback (most recent call last):"),
    ("ERROR", MOD, "` NameError: name 'xrange' is not defined"),
    ("INFO", MOD, "Ran 4 tests in 0.1s"),
    ("ERROR", MOD, "FAILED"),
    ("INFO", MOD, " (failures=1, errors=2, skipped=1)"),
    ("ERROR", "odoo.modules.module", "Module m: 1 failures, 2 errors"),
)


def test_each_test_gets_its_outcome_and_details():
    results, _ = _parse(RUN, returncode=1)
    assert {name: r.outcome for name, r in results.items()} == {
        "test_ok": PASSED, "test_fails": FAILED, "test_crashes": FAILED,
        "test_skipped": SKIPPED, "setUpClass": FAILED}
    assert results["test_fails"].summary_line() == "AssertionError: 1 != 2"
    assert results["test_crashes"].summary_line() == "NameError: name 'xrange' is not defined"
    assert results["setUpClass"].summary_line() == "KeyError: 'x'"
    assert results["test_skipped"].note.startswith("'PhantomJS not found'")
    assert "odoo" not in results          # exit status 1 is explained by the failures


def test_left_out_needs_the_expected_failure():
    left_out = {
        "%s.T.test_crashes" % MOD: LeftOut("Odoo's bug", expect="name 'xrange'"),
        "%s.T.test_fails" % MOD: LeftOut("other reason", expect="never matches"),
        "%s.T.test_ok" % MOD: LeftOut("was broken"),
        "%s.T.test_skipped" % MOD: LeftOut("no browser"),
    }
    results, _ = _parse(RUN, returncode=1, left_out=left_out)
    assert (results["test_crashes"].outcome, results["test_crashes"].note) == \
        (SKIPPED, "Odoo's bug")
    assert results["test_fails"].outcome == FAILED
    assert "passes now" in results["test_ok"].note and results["test_ok"].outcome == PASSED
    assert results["test_skipped"].note == "no browser"


def test_unlisted_skips_are_pointed_out():
    results, _ = _parse(RUN, returncode=1)
    assert "not in LEFT_OUT" in results["test_skipped"].note


def test_python_before_311_descriptions_are_understood():
    results, _ = _parse(_log(_running(), ("INFO", MOD, "test_old (%s.T)" % MOD),
                             ("INFO", MOD, "Ran 1 test in 0.1s"), ("INFO", MOD, "OK")))
    assert results["test_old"].test_id == "%s.T.test_old" % MOD


def test_a_run_that_stops_mid_test_fails_that_test():
    results, _ = _parse(_log(_running(), _test("test_ok"), _test("test_hangs")), returncode=-9)
    assert results["test_ok"].outcome == PASSED
    assert results["test_hangs"].outcome == FAILED
    assert "stopped" in results["test_hangs"].note


def test_fewer_tests_in_the_log_than_unittest_ran_is_a_failure():
    results, _ = _parse(_log(_running(), _test("test_ok"), ("INFO", MOD, "Ran 2 tests in 1s")))
    assert results[MOD.rsplit(".", 1)[-1]].outcome == FAILED


def test_yaml_test_files_count_one_test_each():
    results, _ = _parse(_log(
        ("INFO", "odoo.modules.loading", "loading stock/data/x.xml"),
        ("INFO", "odoo.modules.loading", "loading stock/test/a.yml"),
        ("INFO", "odoo.modules.loading", "loading stock/test/b.yml"),
        ("ERROR", "odoo.tests", "module stock: an exception occurred in a test"),
        "Traceback (most recent call last):",
        "ValueError: boom",
        _running(),
    ), returncode=1)
    assert results["stock/test/a.yml"].outcome == PASSED
    assert results["stock/test/b.yml"].outcome == FAILED
    assert results["stock/test/b.yml"].summary_line() == "ValueError: boom"


def test_errors_outside_tests_fail_unless_known_noise():
    lines = _log(
        ("ERROR", "odoo.modules.module", "Can not `import m`."),
        ("ERROR", "odoo.addons.base.ir.ir_qweb.assetsbundle", "Could not execute command 'lessc'"),
        ("ERROR", "odoo.addons.base.ir.ir_qweb.assetsbundle", "Could not execute command 'lessc'"),
        ("CRITICAL", "odoo.service.server", "Failed to initialize database `db`."),
    )
    results, parser = _parse(lines, returncode=1)
    failed = [r.test_id for r in results.values() if r.outcome == FAILED]
    assert failed == ["error logged by odoo.modules.module", "error logged by odoo.service.server"]
    assert list(parser.noise.values()) == [2]


def test_a_bad_exit_without_failures_is_a_failure():
    results, _ = _parse(_log(_running(), _test("test_ok"), ("INFO", MOD, "Ran 1 test in 1s")),
                        returncode=-11)
    assert results["odoo"].outcome == FAILED


@pytest.mark.parametrize("returncode, code", [(0, 0), (1, 1)])
def test_report_ends_with_the_totals(returncode, code):
    lines = RUN if returncode else RUN[:2] + _log(("INFO", MOD, "Ran 1 test in 1s"))
    results, parser = _parse(lines, returncode)
    out = io.StringIO()
    assert selftest.print_report(list(results.values()), parser.noise, "/tmp/x.log", 1, out) \
        == code
    last = out.getvalue().splitlines()[-1]
    expected = "1 passed, 3 failed, 1 skipped" if returncode else "1 passed, 0 failed, 0 skipped"
    assert last == expected


def test_every_left_out_entry_has_a_reason():
    for test, entry in selftest.LEFT_OUT.items():
        assert test.startswith("odoo.addons.") and test.count(".") >= 5
        assert len(entry.reason) > 20
