"""Two connections send the same output report at once: it is posted once (issue 16).

A unittest.TestCase, not an Odoo TransactionCase: the two calls must run in
two real database connections whose data the other sees, so the factory is
committed (concurrency.committed) and each call commits, as two Odoo
workers would. The serialization failure one of them may hit is retried the
way Odoo's RPC layer retries it (concurrency.race). It runs after the
module is installed (post_install): at install time the other connections
could not see the module's tables yet.
"""
import unittest

from odoo.exceptions import UserError
from odoo.tests.common import at_install, post_install
from odoo.tools import mute_logger

from .concurrency import committed, race, unique


def _factory(env):
    """A confirmed MO of 5 tables of 4 legs each (on completion), 100 legs in stock."""
    uom = env.ref("product.product_uom_unit")
    stock = env["stock.warehouse"].search([("company_id", "=", env.user.company_id.id)],
                                          limit=1).lot_stock_id
    leg = env["product.product"].create({"name": unique("Leg"), "type": "product",
                                         "standard_price": 2.5})
    table = env["product.product"].create({"name": unique("Table"), "type": "product"})
    env["backflush.rule"].create({"name": unique("Legs on completion"), "product_id": leg.id,
                                  "trigger": "production_done",
                                  "shortage_policy": "allow_negative"})
    bom = env["mrp.bom"].create({
        "product_tmpl_id": table.product_tmpl_id.id, "product_qty": 1,
        "product_uom_id": uom.id, "bom_line_ids": [(0, 0, {"product_id": leg.id,
                                                           "product_qty": 4})]})
    env["stock.quant"]._update_available_quantity(leg, stock, 100)

    def production():
        return env["mrp.production"].create({
            "product_id": table.id, "product_qty": 5, "product_uom_id": uom.id,
            "bom_id": bom.id}).id

    return production(), production(), leg.id, stock.id


def _state(production_ids, leg_id, stock_id):
    def read(env):
        productions = env["mrp.production"].browse(production_ids)
        quants = env["stock.quant"].search([("product_id", "=", leg_id),
                                            ("location_id", "child_of", stock_id)])
        return {"produced": productions.mapped("qty_produced"),
                "legs": sum(quants.mapped("quantity")),
                "logs": len(productions.mapped("backflush_log_ids")),
                "findings": env["backflush.audit"]._audit(productions)}
    return committed(read)


@at_install(False)
@post_install(True)
class TestOutputReportConcurrency(unittest.TestCase):
    # the conflict one connection hits is expected and retried (concurrency.race);
    # Odoo's cursor logs it as an error, which Odoo's runner and OCA's CI count
    # as a failure

    @mute_logger("odoo.sql_db")
    def test_same_report_from_two_connections_is_posted_once(self):
        production_id, _other_id, leg_id, stock_id = committed(_factory)
        report_id = unique("gate")

        def report(env):
            return env["mrp.production"].backflush_report_output(production_id, 1,
                                                                 report_id=report_id)

        results, _conflicts = race([report, report])
        self.assertIsInstance(results[0], dict, results)
        self.assertEqual(results[0], results[1])
        self.assertEqual(results[0]["produced"], 1)
        state = _state([production_id], leg_id, stock_id)
        self.assertEqual(state, {"produced": [1.0], "legs": 96.0, "logs": 1, "findings": []})

    @mute_logger("odoo.sql_db")
    def test_same_report_id_on_two_orders_at_once_is_accepted_once(self):
        first_id, second_id, leg_id, stock_id = committed(_factory)
        report_id = unique("gate")

        def report_on(production_id):
            return lambda env: env["mrp.production"].backflush_report_output(
                production_id, 1, report_id=report_id)

        results, _conflicts = race([report_on(first_id), report_on(second_id)])
        accepted = [result for result in results if isinstance(result, dict)]
        refused = [result for result in results if isinstance(result, UserError)]
        self.assertEqual((len(accepted), len(refused)), (1, 1), results)
        self.assertIn(report_id, refused[0].name)
        self.assertIn("manufacturing order", refused[0].name)
        state = _state([first_id, second_id], leg_id, stock_id)
        self.assertEqual(sorted(state["produced"]), [0.0, 1.0])
        self.assertEqual((state["legs"], state["logs"], state["findings"]), (96.0, 1, []))
