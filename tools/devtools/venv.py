"""Create and keep up to date the project's virtual environment (.venv)."""
import hashlib
import os
import shutil
import subprocess
import sys

from . import ROOT, DevError

VENV = os.path.join(ROOT, ".venv")
PYTHON = os.path.join(VENV, "bin", "python")
STAMP = os.path.join(VENV, ".backflush-installed")
REQUIREMENTS = ("requirements.txt", "requirements-dev.txt", "requirements-odoo.txt")
COMPAT_DIR = os.path.join(ROOT, "compat")
PTH_NAME = "odoo_py311.pth"
# what must import for the environment to count as healthy
HEALTH_CHECK = "import odoo, psycopg2, pytest_odoo, odoo.tools.safe_eval"


def _wanted_stamp():
    digest = hashlib.sha256()
    for name in REQUIREMENTS:
        with open(os.path.join(ROOT, name), "rb") as handle:
            digest.update(handle.read())
    digest.update(COMPAT_DIR.encode())
    return digest.hexdigest()


def _pth_content():
    return "%s\nimport odoo_py311; odoo_py311.install()\n" % COMPAT_DIR


def _site_packages():
    out = subprocess.check_output(
        [PYTHON, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        text=True)
    return out.strip()


def _read(path):
    if not os.path.exists(path):
        return None
    with open(path) as handle:
        return handle.read()


def _healthy():
    if not os.path.exists(PYTHON):
        return False
    result = subprocess.run([PYTHON, "-c", HEALTH_CHECK],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return result.returncode == 0


def _pip(*args):
    cmd = [PYTHON, "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    result = subprocess.run(cmd + list(args), cwd=ROOT)
    if result.returncode:
        raise DevError("pip could not install %s (see the messages above)" % " ".join(args))


def _create():
    if os.path.exists(VENV):
        print("dev: the virtual environment is broken; re-creating it", file=sys.stderr)
        shutil.rmtree(VENV)
    result = subprocess.run([sys.executable, "-m", "venv", VENV])
    if result.returncode:
        raise DevError("could not create a virtual environment with %s -m venv "
                       "(on Debian: apt-get install python3-venv)" % sys.executable)


def ensure():
    """Make .venv ready; fast (one import check) when nothing changed."""
    stamp = _wanted_stamp()
    if _read(STAMP) == stamp and _healthy():
        return PYTHON
    if not os.path.exists(PYTHON) or subprocess.run(
            [PYTHON, "-c", "import sys"], stderr=subprocess.DEVNULL).returncode:
        _create()
    print("dev: installing Odoo 11.0 and the pinned libraries into .venv ...", file=sys.stderr)
    _pip("-r", "requirements.txt", "-r", "requirements-dev.txt")
    _pip("--no-deps", "-r", "requirements-odoo.txt")
    with open(os.path.join(_site_packages(), PTH_NAME), "w") as handle:
        handle.write(_pth_content())
    if not _healthy():
        raise DevError("the virtual environment still fails '%s'; remove .venv and retry"
                       % HEALTH_CHECK)
    with open(STAMP, "w") as handle:
        handle.write(stamp)
    return PYTHON


def in_venv():
    return os.path.realpath(sys.prefix) == os.path.realpath(VENV)
