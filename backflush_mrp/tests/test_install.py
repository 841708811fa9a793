from odoo.tests.common import TransactionCase, at_install, post_install
from odoo.tools import sql


# the module's state is "to install" until its installation ends
@at_install(False)
@post_install(True)
class TestInstall(TransactionCase):
    def test_module_installed(self):
        module = self.env["ir.module.module"].search([("name", "=", "backflush_mrp")])
        self.assertEqual(module.state, "installed")

    def test_moves_and_move_lines_are_read_by_index(self):
        # Odoo 11 indexes none of them: without, an MO's moves and a move's lines
        # are read by scanning the whole table
        for index in ("stock_move_raw_material_production_id_index",
                      "stock_move_production_id_index", "stock_move_line_move_id_index"):
            self.assertTrue(sql.index_exists(self.env.cr, index), index)
        self.env.cr.execute("SET LOCAL enable_seqscan = off")
        self.env.cr.execute("EXPLAIN SELECT id FROM stock_move_line WHERE move_id IN (1, 2)")
        plan = " ".join(row[0] for row in self.env.cr.fetchall())
        self.assertIn("stock_move_line_move_id_index", plan)
