"""Create and keep up to date the project's virtual environments, one per runtime.

- ``py37``: the native runtime, what Odoo 11 servers run (Debian 10): the
  machine's Python 3.7 with the libraries of Odoo 11.0's own era
  (requirements-py37.txt), in ``.venv-py37/``, without the compatibility layer.
- ``py36``: the same on Python 3.6 (Ubuntu 18.04), in ``.venv-py36/``.
- ``py311``: Python 3.11 with the compatibility layer (compat/odoo_py311,
  loaded by a .pth file), in ``.venv/``; lint tools live there.

The base interpreter is found on the machine (pyenv's versions, then PATH),
never at one fixed path. Each environment carries a stamp of what was
installed into it: a second run only checks that it imports and goes.
"""
import glob
import hashlib
import os
import re
import shutil
import subprocess
import sys

from . import ROOT, DevError

COMPAT_DIR = os.path.join(ROOT, "compat")
PTH_NAME = "odoo_py311.pth"
ODOO_REQUIREMENTS = "requirements-odoo.txt"
STAMP_NAME = ".backflush-installed"
# what must import for an environment to count as healthy
HEALTH_CHECK = "import odoo, psycopg2, pytest_odoo, odoo.tools.safe_eval"
# ... and, for a native runtime, what must not
NO_LAYER_CHECK = ("import importlib.util, sys; "
                  "sys.exit(importlib.util.find_spec('odoo_py311') is not None)")
RUNTIME_VAR = "BACKFLUSH_RUNTIME"


class Runtime:
    """One Python with its virtual environment and its per-runtime state."""

    def __init__(self, name, version, venv_dir, requirements, compat, suffix, http_port,
                 description, pip=None, health_check=HEALTH_CHECK, pytest_plugins=()):
        self.name = name
        self.version = version                  # (major, minor)
        self.venv = os.path.join(ROOT, venv_dir)
        self.python = os.path.join(self.venv, "bin", "python")
        self.stamp = os.path.join(self.venv, STAMP_NAME)
        self.requirements = requirements        # installed with their dependencies
        self.compat = compat                    # the compatibility layer is loaded
        self.suffix = suffix                    # of databases and config files
        self.http_port = http_port              # of the test configuration
        self.description = description
        self.pip = pip                          # a pip to install first, when the bundled
                                                # one is too old for the wheels
        self.health_check = health_check        # what must import in the environment
        self.pytest_plugins = pytest_plugins    # of tools/devtools, loaded by ./dev.py test

    def __repr__(self):
        return "<runtime %s>" % self.name

    @property
    def tag(self):
        return "%d.%d" % self.version

    def config_name(self, stem):
        """``odoo-test.conf`` for py311 (as before runtimes), ``odoo-test-py37.conf``..."""
        return "%s%s.conf" % (stem, "-" + self.name if self.suffix else "")

    def database(self, base):
        return base + self.suffix


RUNTIMES = {
    "py37": Runtime("py37", (3, 7), ".venv-py37",
                    ("requirements-py37.txt", "requirements-dev-py37.txt"), compat=False,
                    suffix="_py37", http_port=8179,
                    description="Python 3.7 with Odoo 11 libraries, no patch"),
    "py36": Runtime("py36", (3, 6), ".venv-py36",
                    ("requirements-py36.txt", "requirements-dev-py36.txt"), compat=False,
                    suffix="_py36", http_port=8189,
                    description="Python 3.6 with Odoo 11 libraries, no patch",
                    # 3.6's own pip 18.1 knows no manylinux2010 wheels
                    pip="pip==21.3.1", pytest_plugins=("devtools.pytest_py36",)),
    "py311": Runtime("py311", (3, 11), ".venv", ("requirements.txt", "requirements-dev.txt"),
                     compat=True, suffix="", http_port=8169,
                     description="Python 3.11 with the compatibility layer"),
}
NATIVE = RUNTIMES["py37"]
LAYERED = RUNTIMES["py311"]
# what ./dev.py test runs when no runtime is chosen, in this order
TESTED = ("py37", "py311")

# the 3.11 environment, where the lint tools are
VENV = LAYERED.venv
PYTHON = LAYERED.python


# -- finding the base interpreters ------------------------------------------------
def _pyenv_roots():
    roots = []
    if os.environ.get("PYENV_ROOT"):
        roots.append(os.environ["PYENV_ROOT"])
    if shutil.which("pyenv"):
        try:
            out = subprocess.run(["pyenv", "root"], stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL, universal_newlines=True,  # noqa: UP021 (3.6)
                                 timeout=30).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            out = ""
        if out:
            roots.append(out)
    roots.append(os.path.expanduser("~/.pyenv"))
    unique = []
    for root in roots:
        if os.path.realpath(root) not in [os.path.realpath(r) for r in unique]:
            unique.append(root)
    return unique


def _release(path):
    """(3, 7, 16) from .../versions/3.7.16/bin/python3.7, for sorting."""
    name = os.path.basename(os.path.dirname(os.path.dirname(path)))
    return tuple(int(part) for part in re.findall(r"\d+", name))


def interpreter_candidates(version):
    """Where a Python X.Y is looked for, best first."""
    tag = "%d.%d" % version
    found = []
    if tuple(sys.version_info[:2]) == tuple(version) and sys.prefix == sys.base_prefix:
        found.append(sys.executable)     # the Python that runs ./dev.py, if not a venv's
    for root in _pyenv_roots():
        paths = glob.glob(os.path.join(root, "versions", tag, "bin", "python" + tag))
        paths += glob.glob(os.path.join(root, "versions", tag + ".*", "bin", "python" + tag))
        found += sorted(paths, key=_release, reverse=True)
    on_path = shutil.which("python" + tag)
    if on_path:
        found.append(on_path)
    return found


def _version_of(python):
    """(major, minor) of an interpreter, or None when it does not run (a pyenv shim
    of a version that is not selected exits 127)."""
    try:
        result = subprocess.run([python, "-c", "import sys; print('%d %d' % sys.version_info[:2])"],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                universal_newlines=True, timeout=60)  # noqa: UP021 (3.6)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if result.returncode:
        return None
    return tuple(int(part) for part in result.stdout.split())


def find_interpreter(version):
    """The path of a working Python X.Y of the machine, or None."""
    for candidate in interpreter_candidates(version):
        if _version_of(candidate) == tuple(version):
            return candidate
    return None


def where_looked(version):
    tag = "%d.%d" % version
    places = ["%s/versions/%s*/bin/python%s" % (root, tag, tag) for root in _pyenv_roots()]
    return "looked in %s and for python%s on PATH" % (", ".join(places), tag)


# -- the environments -------------------------------------------------------------
def _requirement_files(name):
    """name and the files its ``-r`` lines include, in order."""
    files = [name]
    with open(os.path.join(ROOT, name)) as handle:
        for line in handle:
            match = re.match(r"^\s*-r\s+(\S+)", line)
            if match:
                files += _requirement_files(match.group(1))
    return files


def _wanted_stamp(runtime):
    digest = hashlib.sha256()
    for top in runtime.requirements + (ODOO_REQUIREMENTS,):
        for name in _requirement_files(top):
            with open(os.path.join(ROOT, name), "rb") as handle:
                digest.update(handle.read())
    if runtime.compat:
        digest.update(COMPAT_DIR.encode())
    if runtime.pip:
        digest.update(runtime.pip.encode())
    return digest.hexdigest()


def _pth_content():
    return "%s\nimport odoo_py311; odoo_py311.install()\n" % COMPAT_DIR


def site_packages(runtime):
    out = subprocess.check_output(
        [runtime.python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        universal_newlines=True)
    return out.strip()


def _read(path):
    if not os.path.exists(path):
        return None
    with open(path) as handle:
        return handle.read()


def _runs(python, code):
    return subprocess.run([python, "-c", code], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode == 0


def _healthy(runtime=LAYERED):
    if not os.path.exists(runtime.python) or not _runs(runtime.python, runtime.health_check):
        return False
    return runtime.compat or _runs(runtime.python, NO_LAYER_CHECK)


def _pip(runtime, *args):
    cmd = [runtime.python, "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    result = subprocess.run(cmd + list(args), cwd=ROOT)
    if result.returncode:
        raise DevError("pip could not install %s into %s (see the messages above)"
                       % (" ".join(args), os.path.relpath(runtime.venv, ROOT)))


def _create(runtime):
    base = find_interpreter(runtime.version)
    if base is None:
        raise DevError("no Python %s found for the %s runtime (%s)"
                       % (runtime.tag, runtime.name, where_looked(runtime.version)))
    if os.path.exists(runtime.venv):
        print("dev: the virtual environment %s is broken; re-creating it"
              % os.path.relpath(runtime.venv, ROOT), file=sys.stderr)
        shutil.rmtree(runtime.venv)
    print("dev: creating %s from %s" % (os.path.relpath(runtime.venv, ROOT), base),
          file=sys.stderr)
    result = subprocess.run([base, "-m", "venv", runtime.venv])
    if result.returncode:
        raise DevError("could not create a virtual environment with %s -m venv "
                       "(on Debian: apt-get install python3-venv)" % base)


def ensure(runtime=LAYERED):
    """Make the runtime's environment ready; fast (one import check) when nothing changed."""
    stamp = _wanted_stamp(runtime)
    if _read(runtime.stamp) == stamp and _healthy(runtime):
        return runtime.python
    if not os.path.exists(runtime.python) or not _runs(runtime.python, "import sys"):
        _create(runtime)
    print("dev: installing Odoo 11.0 and the pinned libraries into %s (%s) ..."
          % (os.path.relpath(runtime.venv, ROOT), runtime.description), file=sys.stderr)
    if runtime.pip:
        _pip(runtime, runtime.pip)
    requirements = []
    for name in runtime.requirements:
        requirements += ["-r", name]
    _pip(runtime, *requirements)
    _pip(runtime, "--no-deps", "-r", ODOO_REQUIREMENTS)
    pth = os.path.join(site_packages(runtime), PTH_NAME)
    if runtime.compat:
        with open(pth, "w") as handle:
            handle.write(_pth_content())
    elif os.path.exists(pth):
        os.unlink(pth)       # a native runtime never loads the layer
    if not _healthy(runtime):
        raise DevError("the virtual environment still fails '%s'%s; remove %s and retry"
                       % (runtime.health_check, "" if runtime.compat else " (or loads the layer)",
                          os.path.relpath(runtime.venv, ROOT)))
    with open(runtime.stamp, "w") as handle:
        handle.write(stamp)
    return runtime.python


def current():
    """The runtime whose environment runs this process, else the one that
    BACKFLUSH_RUNTIME names, else py311."""
    prefix = os.path.realpath(sys.prefix)
    for runtime in RUNTIMES.values():
        if os.path.realpath(runtime.venv) == prefix:
            return runtime
    return RUNTIMES.get(os.environ.get(RUNTIME_VAR, ""), LAYERED)


def in_venv(runtime=LAYERED):
    return os.path.realpath(sys.prefix) == os.path.realpath(runtime.venv)
