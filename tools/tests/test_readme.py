"""README.rst of each addon is what its readme/ fragments give, and valid RST."""
import os
import sys

import docutils.core

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools"))

import gen_readme  # noqa: E402


def test_backflush_mrp_readme_is_generated_from_fragments():
    addon = os.path.join(ROOT, "backflush_mrp")
    assert gen_readme.main([addon, "--check"]) == 0


def test_backflush_mrp_readme_is_valid_rst():
    with open(os.path.join(ROOT, "backflush_mrp", "README.rst")) as handle:
        docutils.core.publish_string(handle.read(), writer_name="null",
                                     settings_overrides={"halt_level": 2, "report_level": 2})
