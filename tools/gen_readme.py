#!/usr/bin/env python3
"""Generate an addon's README.rst from its readme/ fragments, the OCA way.

Usage: tools/gen_readme.py ADDON_DIR [--check]
With --check, exit 1 when README.rst is not what the fragments give.
"""
import ast
import os
import sys

SECTIONS = (
    ("DESCRIPTION.rst", None),
    ("INSTALL.rst", "Installation"),
    ("CONFIGURE.rst", "Configuration"),
    ("USAGE.rst", "Usage"),
    ("ARCHITECTURE.rst", "Architecture"),
    ("ROADMAP.rst", "Known issues / Roadmap"),
    ("HISTORY.rst", "Changelog"),
)
NOTICE = ("..\n   !! This file is generated from the readme/ fragments by tools/gen_readme.py;\n"
          "   !! edit the fragments, not this file.\n\n")


def _manifest(addon):
    with open(os.path.join(addon, "__manifest__.py")) as handle:
        return ast.literal_eval(handle.read())


def _fragment(addon, name):
    path = os.path.join(addon, "readme", name)
    if not os.path.exists(path):
        return None
    with open(path) as handle:
        return handle.read().strip() + "\n"


def _title(text, underline):
    return "%s\n%s\n\n" % (text, underline * len(text))


def render(addon):
    manifest = _manifest(addon)
    name = manifest["name"]
    out = [NOTICE, "=" * len(name) + "\n", name + "\n", "=" * len(name) + "\n\n"]
    out.append("|license| |version|\n\n")
    out.append(".. |license| image:: https://img.shields.io/badge/licence-%s-blue.png\n"
               "   :alt: License: %s\n" % (manifest["license"], manifest["license"]))
    out.append(".. |version| image:: https://img.shields.io/badge/version-%s-brightgreen.png\n"
               "   :alt: Version %s\n\n" % (manifest["version"], manifest["version"]))
    out.append("**Table of contents**\n\n.. contents::\n   :local:\n\n")
    for filename, heading in SECTIONS:
        text = _fragment(addon, filename)
        if text is None:
            continue
        if heading:
            out.append(_title(heading, "="))
        out.append(text + "\n")
    out.append(_title("Credits", "="))
    out.append(_title("Authors", "~"))
    out.append("* %s\n\n" % manifest["author"])
    contributors = _fragment(addon, "CONTRIBUTORS.rst")
    if contributors:
        out.append(_title("Contributors", "~"))
        out.append(contributors + "\n")
    return "".join(out).rstrip() + "\n"


def main(argv):
    addon = argv[0]
    text = render(addon)
    target = os.path.join(addon, "README.rst")
    if "--check" in argv:
        current = ""
        if os.path.exists(target):
            with open(target) as handle:
                current = handle.read()
        if current != text:
            print("%s is out of date: run tools/gen_readme.py %s" % (target, addon))
            return 1
        return 0
    with open(target, "w") as handle:
        handle.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
