"""The runtimes of ./dev.py: which Python each one is, found on the machine, and
what is kept apart between them (issue 12)."""
import os
import subprocess
import sys
import sysconfig

import pytest

from devtools import DevError, cli, venv

NATIVE_TAG = "%d.%d" % venv.NATIVE.version


def _fake_python(path, version_output, status=0):
    path.parent.mkdir(parents=True)
    path.write_text("#!/bin/sh\necho '%s'\nexit %d\n" % (version_output, status))
    path.chmod(0o755)
    return str(path)


# -- the runtime this very test run is on ----------------------------------------------
def test_this_run_is_on_the_runtime_it_names():
    runtime = venv.current()
    assert tuple(sys.version_info[:2]) == runtime.version
    assert os.path.realpath(sys.prefix) == os.path.realpath(runtime.venv)
    if "BACKFLUSH_RUNTIME" in os.environ:     # set by ./dev.py test
        assert os.environ["BACKFLUSH_RUNTIME"] == runtime.name


def test_the_layer_is_loaded_on_py311_only():
    runtime = venv.current()
    pth = os.path.join(sysconfig.get_paths()["purelib"], venv.PTH_NAME)
    assert os.path.exists(pth) is runtime.compat
    assert ("odoo_py311" in sys.modules) is runtime.compat
    import odoo.tools.safe_eval  # noqa: F401  (imports on either runtime)


@pytest.mark.parametrize("name", [n for n, r in venv.RUNTIMES.items() if not r.compat])
def test_native_environment_has_no_layer(name):
    """Built or not by this run: when the environment exists, nothing in it loads the layer."""
    runtime = venv.RUNTIMES[name]
    if not os.path.exists(runtime.python):
        pytest.skip("%s is not set up here (./dev.py setup --runtime %s)"
                    % (os.path.relpath(runtime.venv, venv.ROOT), name))
    assert not os.path.exists(os.path.join(venv.site_packages(runtime), venv.PTH_NAME))
    out = subprocess.check_output(
        [runtime.python, "-c", "import sys, odoo; print('%d.%d' % sys.version_info[:2], "
         "odoo.release.version, 'odoo_py311' in sys.modules)"], universal_newlines=True)
    assert out.split() == [runtime.tag, "11.0", "False"]


# -- finding a base interpreter -------------------------------------------------------
def test_interpreter_is_found_under_pyenv_newest_release_first(tmp_path, monkeypatch):
    tag = NATIVE_TAG
    root = tmp_path / "pyenv"
    older = _fake_python(root / "versions" / (tag + ".2") / "bin" / ("python" + tag),
                         "%s %s" % tuple(tag.split(".")))
    newer = _fake_python(root / "versions" / (tag + ".10") / "bin" / ("python" + tag),
                         "%s %s" % tuple(tag.split(".")))
    monkeypatch.setenv("PYENV_ROOT", str(root))
    candidates = venv.interpreter_candidates(venv.NATIVE.version)
    assert candidates.index(newer) < candidates.index(older)
    assert venv.find_interpreter(venv.NATIVE.version) == newer


def test_interpreter_that_does_not_run_is_passed_over(tmp_path, monkeypatch):
    """A pyenv shim of a version that is not selected exits 127: not an interpreter."""
    tag = NATIVE_TAG
    root = tmp_path / "pyenv"
    broken = _fake_python(root / "versions" / (tag + ".99") / "bin" / ("python" + tag),
                          "pyenv: python%s: command not found" % tag, status=127)
    wrong = _fake_python(root / "versions" / (tag + ".98") / "bin" / ("python" + tag), "3 99")
    monkeypatch.setenv("PYENV_ROOT", str(root))
    assert broken in venv.interpreter_candidates(venv.NATIVE.version)
    assert venv.find_interpreter(venv.NATIVE.version) not in (broken, wrong)


def test_no_interpreter_is_one_clear_line(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))
    runtime = venv.Runtime("py30", (3, 0), str(tmp_path / "venv"), ("requirements-py37.txt",),
                           compat=False, suffix="_py30", http_port=1, description="none")
    assert venv.find_interpreter(runtime.version) is None
    with pytest.raises(DevError, match=r"no Python 3\.0 found for the py30 runtime \(looked in "):
        venv.ensure(runtime)
    assert not os.path.exists(runtime.venv)


def test_real_native_interpreter_is_found_when_the_machine_has_one():
    found = venv.find_interpreter(venv.NATIVE.version)
    if found is None:
        pytest.skip("no Python %s here (%s)" % (NATIVE_TAG, venv.where_looked(venv.NATIVE.version)))
    out = subprocess.check_output([found, "-c", "import sys; print(sys.prefix == sys.base_prefix)"],
                                  universal_newlines=True)
    assert out.strip() == "True"      # a base interpreter, never a virtual environment's


# -- choosing runtimes and keeping their state apart ------------------------------------
def test_runtime_choice(monkeypatch):
    monkeypatch.delenv("BACKFLUSH_RUNTIME", raising=False)
    names = lambda runtimes: [r.name for r in runtimes]  # noqa: E731
    assert names(cli.choose_runtimes("test", None)) == ["py37", "py311"]
    assert names(cli.choose_runtimes("setup", None)) == ["py37", "py311"]
    assert names(cli.choose_runtimes("test", "py311")) == ["py311"]
    assert names(cli.choose_runtimes("lint", "py37")) == ["py311"]
    with pytest.raises(DevError, match="py38 is not a runtime"):
        cli.choose_runtimes("run", "py38")


def test_run_falls_back_to_py311_when_there_is_no_python37(monkeypatch, capsys):
    monkeypatch.setattr(venv, "find_interpreter", lambda version: None)
    monkeypatch.setattr(venv, "in_venv", lambda runtime=None: False)
    assert cli.choose_runtimes("run", None) == [venv.LAYERED]
    assert "no Python 3.7 found" in capsys.readouterr().err


def test_runtime_option_before_or_after_the_command():
    parser = cli.parser()
    assert parser.parse_known_args(["--runtime", "py37", "test", "-x"])[0].runtime == "py37"
    args, extra = parser.parse_known_args(["test", "--runtime", "py311", "-x", "-k", "a"])
    assert (args.runtime, extra) == ("py311", ["-x", "-k", "a"])
    assert getattr(parser.parse_known_args(["test"])[0], "runtime", None) is None


def test_state_is_kept_apart_per_runtime(monkeypatch):
    monkeypatch.delenv("BACKFLUSH_TEST_DB", raising=False)
    monkeypatch.delenv("BACKFLUSH_DB", raising=False)
    runtimes = list(venv.RUNTIMES.values())
    for attribute in ("venv", "http_port"):
        assert len({getattr(r, attribute) for r in runtimes}) == len(runtimes)
    assert len({cli.test_db(r) for r in runtimes}) == len(runtimes)
    assert len({cli.demo_db(r) for r in runtimes}) == len(runtimes)
    assert len({r.config_name("odoo-test") for r in runtimes}) == len(runtimes)
    # py311 keeps the names it had before there were runtimes
    assert cli.test_db(venv.LAYERED) == "backflush_test"
    assert venv.LAYERED.config_name("odoo-test") == "odoo-test.conf"
    assert cli.test_db(venv.NATIVE) == "backflush_test_py37"
    monkeypatch.setenv("BACKFLUSH_TEST_DB", "mine")
    assert cli.test_db(venv.NATIVE) == "mine"


@pytest.mark.parametrize("output, counts", [
    ("..\n===== 12 passed, 1 failed, 3 skipped, 2 warnings in 40.10s =====\n",
     {"passed": 12, "failed": 1, "skipped": 3}),
    ("x\n5 passed, 2 errors in 1.23s\n", {"passed": 5, "errors": 2}),
    ("\x1b[32m===== \x1b[32m\x1b[1m7 passed\x1b[0m\x1b[32m in 0.50s\x1b[0m =====\n",
     {"passed": 7}),
    ("===== no tests ran in 0.01s =====\n", {}),
    ("error: no Python 3.7 found\n", None),
])
def test_pytest_closing_line_is_read(output, counts):
    assert cli.pytest_counts(output) == counts
