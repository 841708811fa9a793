"""Two database connections post the same MO at once: it is posted once."""
import logging

from .concurrency import committed, race, unique

_logger = logging.getLogger(__name__)


def _factory(env):
    uom = env.ref("product.product_uom_unit")
    stock = env["stock.warehouse"].search([("company_id", "=", env.user.company_id.id)],
                                          limit=1).lot_stock_id
    leg = env["product.product"].create({"name": unique("Leg"), "type": "product",
                                         "standard_price": 2.5})
    table = env["product.product"].create({"name": unique("Table"), "type": "product"})
    bom = env["mrp.bom"].create({
        "product_tmpl_id": table.product_tmpl_id.id, "product_qty": 1,
        "product_uom_id": uom.id, "bom_line_ids": [(0, 0, {"product_id": leg.id,
                                                           "product_qty": 4})]})
    env["stock.quant"]._update_available_quantity(leg, stock, 100)
    production = env["mrp.production"].create({
        "product_id": table.id, "product_qty": 5, "product_uom_id": uom.id, "bom_id": bom.id})
    finished = production.move_finished_ids.filtered(lambda m: m.product_id == table)
    finished.quantity_done = 5
    return production.id, leg.id, stock.id


def _on_hand(env, product_id, location_id):
    quants = env["stock.quant"].search([("product_id", "=", product_id),
                                        ("location_id", "child_of", location_id)])
    return sum(quants.mapped("quantity"))


def test_same_mo_from_two_connections_is_posted_once():
    production_id, leg_id, stock_id = committed(_factory)

    def post(env):
        env["mrp.production"].browse(production_id).action_backflush()
        return True

    results, conflicts = race([post, post])
    assert results == [True, True], results

    def check(env):
        production = env["mrp.production"].browse(production_id)
        return (_on_hand(env, leg_id, stock_id), len(production.backflush_log_ids),
                sum(production.move_raw_ids.filtered(lambda m: m.state == "done")
                    .mapped("product_qty")))

    assert committed(check) == (80, 1, 20)
    _logger.info("conflicts seen and retried: %d", conflicts)
