from odoo.tests.common import TransactionCase, at_install, post_install


# the module's state is "to install" until its installation ends
@at_install(False)
@post_install(True)
class TestInstall(TransactionCase):
    def test_module_installed(self):
        module = self.env["ir.module.module"].search([("name", "=", "backflush_mrp")])
        self.assertEqual(module.state, "installed")
