"""What the browser tests need on the machine, installed when missing.

- chromium, which the tests drive with Playwright's Python package
  (requirements-dev.txt); Playwright never downloads a browser of its own;
- lessc: Odoo 11 compiles the web client's LESS styles with it and, without
  it, serves the backend unstyled with a "Style error" dialog. From npm
  (pinned) when Node's npm is there: Debian's node-less only runs on Debian's
  own nodejs, not on the NodeSource build some machines have; else Debian's.

When they cannot be had here (not root, no apt-get or npm, no answer from
the package registry), the browser tests are skipped, and the reason is printed
and handed to them.
"""
import os
import shutil
import subprocess
import sys

CHROMIUM = "/usr/bin/chromium"
LESS_NPM = "less@3.13.1"    # the LESS 3 that Debian 12 packages as node-less
# read by backflush_mrp/tests/test_browser.py
PATH_VAR = "BACKFLUSH_CHROMIUM"
SKIP_VAR = "BACKFLUSH_BROWSER_SKIP"
APT_TIMEOUT = 900  # seconds, for each apt-get call


def _chromium():
    return CHROMIUM if os.access(CHROMIUM, os.X_OK) else None


def _lessc():
    """True when lessc runs (Debian's may be installed yet fail to find its modules)."""
    if not shutil.which("lessc"):
        return False
    try:
        return subprocess.run(["lessc", "--version"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, timeout=60).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def _run(cmd, timeout=APT_TIMEOUT, **kwargs):
    """None when cmd succeeded, else what went wrong (one line)."""
    try:
        result = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                universal_newlines=True, timeout=timeout, **kwargs)  # noqa: UP021 (3.6)
    except subprocess.TimeoutExpired:
        return "%s took more than %d s" % (" ".join(cmd[:3]), timeout)
    except OSError as error:
        return "%s: %s" % (cmd[0], error)
    if result.returncode:
        last = (result.stdout.strip().splitlines() or ["no output"])[-1]
        return "%s failed: %s" % (" ".join(cmd[:3]), last)
    return None


def _apt(*args):
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    return _run(["apt-get", "-q", "-o", "Acquire::Retries=1", "-o",
                 "Acquire::http::Timeout=30"] + list(args), env=env)


class _Installer:
    """apt-get update once, then installs; remembers the first problem."""

    def __init__(self):
        self.updated = False
        self.problem = None

    def apt_install(self, package):
        if not self.updated:
            self.problem = self.problem or _apt("update")
            self.updated = True
        self.problem = self.problem or _apt("install", "-y", package)

    def npm_install(self, package):
        self.problem = self.problem or _run(["npm", "install", "-g", "--no-audit",
                                             "--no-fund", package])


def _ensure(names):
    """None when the programs named are there or could be installed, else why not."""
    present = {"chromium": _chromium, "lessc": _lessc}
    missing = [name for name in names if not present[name]()]
    if not missing:
        return None
    if os.geteuid() != 0:
        return "%s not installed, and installing needs root" % " and ".join(missing)
    print("dev: installing %s ..." % " and ".join(missing), file=sys.stderr, flush=True)
    installer = _Installer()
    if "chromium" in missing:
        installer.apt_install("chromium")
    if "lessc" in missing:
        if shutil.which("npm"):
            installer.npm_install(LESS_NPM)
        else:
            installer.apt_install("node-less")
    still = [name for name in names if not present[name]()]
    if still:
        return "%s: %s" % (" and ".join(still) + " still missing",
                           installer.problem or "installed, yet it does not run")
    return None


def ensure_programs():
    """(chromium's path, None) when chromium and lessc are there or could be
    installed, else (None, reason)."""
    reason = _ensure(("chromium", "lessc"))
    return (None, reason) if reason else (CHROMIUM, None)


def ensure_lessc():
    """Odoo 11 compiles the web client's styles with lessc: None when it runs, else why not."""
    return _ensure(("lessc",))


def environment_for_tests():
    """Environment variables that tell the browser tests where chromium is, or why not."""
    path, reason = ensure_programs()
    if path:
        return {PATH_VAR: path}
    print("dev: the browser tests will be skipped: %s" % reason, file=sys.stderr, flush=True)
    return {SKIP_VAR: reason}
