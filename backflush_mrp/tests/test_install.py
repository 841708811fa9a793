from odoo.tests.common import TransactionCase


class TestInstall(TransactionCase):
    def test_module_installed(self):
        module = self.env["ir.module.module"].search([("name", "=", "backflush_mrp")])
        self.assertEqual(module.state, "installed")
