"""Committed test data for tests that need several real connections or processes.

Every call builds its own products, BoM and rule (unique names), so runs
never see each other's data and never change a company-wide setting.
"""
from .concurrency import unique


def build(env, trigger="production_done", components=3, stock=1000.0):
    """A finished product whose BoM has `components` lines of 2 units each."""
    uom = env.ref("product.product_uom_unit")
    stock_location = env["stock.warehouse"].search(
        [("company_id", "=", env.user.company_id.id)], limit=1).lot_stock_id
    parts = env["product.product"].browse()
    for index in range(components):
        parts |= env["product.product"].create({
            "name": unique("Part%d" % index), "type": "product", "standard_price": 1.0})
    finished = env["product.product"].create({"name": unique("Assembly"), "type": "product"})
    bom = env["mrp.bom"].create({
        "product_tmpl_id": finished.product_tmpl_id.id, "product_qty": 1,
        "product_uom_id": uom.id,
        "bom_line_ids": [(0, 0, {"product_id": part.id, "product_qty": 2}) for part in parts]})
    env["backflush.rule"].create({"name": unique("rule"), "bom_id": bom.id, "trigger": trigger})
    for part in parts:
        env["stock.quant"]._update_available_quantity(part, stock_location, stock)
    return {"bom": bom.id, "finished": finished.id, "parts": parts.ids,
            "location": stock_location.id, "uom": uom.id}


def make_orders(env, factory, count, qty=1.0, record_output=True, close=False):
    """count MOs of factory's product, output recorded (and closed when asked)."""
    ids = []
    for _index in range(count):
        production = env["mrp.production"].create({
            "product_id": factory["finished"], "product_qty": qty,
            "product_uom_id": factory["uom"], "bom_id": factory["bom"]})
        if record_output:
            finished = production.move_finished_ids.filtered(
                lambda m: m.product_id.id == factory["finished"])
            finished.quantity_done = qty
        if close:
            production.button_mark_done()
        ids.append(production.id)
    return ids


def consumed(env, production_id):
    """{part id: quantity consumed} of one MO."""
    production = env["mrp.production"].browse(production_id)
    totals = {}
    for move in production.move_raw_ids.filtered(lambda m: m.state == "done"):
        totals[move.product_id.id] = totals.get(move.product_id.id, 0.0) + move.product_qty
    return totals


def on_hand(env, factory):
    quants = env["stock.quant"].search([("product_id", "in", factory["parts"]),
                                        ("location_id", "child_of", factory["location"])])
    totals = dict.fromkeys(factory["parts"], 0.0)
    for quant in quants:
        totals[quant.product_id.id] += quant.quantity
    return totals
