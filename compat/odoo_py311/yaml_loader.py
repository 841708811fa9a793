"""PyYAML 6 made the ``Loader`` argument of ``yaml.load`` mandatory.

odoo.tools.yaml_import calls ``yaml.load(text)`` on the YAML data and test
files of modules, and registers its ``!record``, ``!python``... tags with
``yaml.add_constructor`` (which PyYAML 6 adds to ``FullLoader`` among
others). ``FullLoader`` is what PyYAML 5.1+ used when no loader was given,
so this restores that default and nothing else.
"""


def patch(yaml):
    original_load = yaml.load

    def load(stream, Loader=None):  # noqa: N803 (PyYAML's own argument name)
        return original_load(stream, Loader=Loader or yaml.FullLoader)

    load.__wrapped__ = original_load
    yaml.load = load
