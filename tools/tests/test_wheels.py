"""What ./dev.py wheels reads of a wheel, and what it installs the add-ons with."""
import zipfile

from devtools import wheels


def _wheel(path, metadata):
    with zipfile.ZipFile(str(path), "w") as archive:
        archive.writestr("odoo11_addon_x-11.0.1.0.0.dist-info/METADATA", metadata)
    return str(path)


def test_declared_requirements_are_the_names_only(tmp_path):
    wheel = _wheel(tmp_path / "x.whl", "\n".join([
        "Metadata-Version: 2.1",
        "Name: odoo11-addon-x",
        "Requires-Dist: odoo (<11.1dev,>=11.0a)",
        "Requires-Dist: odoo11-addon-queue-job",
        "Requires-Dist: odoo <11.1dev,>=11.0a",
        "Requires-Dist: requests[socks]>=2.20; python_version >= '3'",
        "Requires-Dist: num2words~=0.5",
        "Summary: Requires-Dist: not a requirement line",
    ]))
    assert wheels.declared_requirements(wheel) == [
        "odoo", "odoo11-addon-queue-job", "odoo", "requests", "num2words"]


def test_the_fresh_environment_never_loads_the_compatibility_layer():
    assert wheels.FRESH.compat is False
    assert wheels.FRESH.version == wheels.venv.NATIVE.version
    assert wheels.FRESH.venv != wheels.venv.NATIVE.venv
