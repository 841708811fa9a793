"""The benchmark's factory: real-time valuation at standard cost, one BoM of M components.

Set up the way backflush_mrp/tests/common_accounting.py sets up its tests:
accounts, a stock journal, categories valued in real time at standard cost,
WIP and variance accounts on the finished product's category. The finished
product's standard is its BoM's roll-up, so a closed MO leaves no variance.
Component stock is put in place through quants (no valuation entries needed:
standard-cost moves are valued at the standard).
"""
import sys
import time

ACCOUNTS = (
    ("stock", "BEN1100", "Stock valuation", "current_assets"),
    ("input", "BEN1101", "Stock interim received", "current_assets"),
    ("output", "BEN1102", "Stock interim delivered", "current_assets"),
    ("wip", "BEN1200", "Work in progress", "current_assets"),
    ("usage", "BEN5100", "Usage variance", "expenses"),
    ("price", "BEN5200", "Price variance", "expenses"),
    ("revision", "BEN5300", "Revision variance", "expenses"),
    ("scrap", "BEN5400", "Scrap variance", "expenses"),
)
# what build steps run with: no chatter, to build fast; measured steps run without it
BUILD_CONTEXT = {"tracking_disable": True, "mail_notrack": True, "mail_create_nolog": True}
MO_QTY = 5.0
STOCK_PER_COMPONENT = 10000000.0


def component_qty(index):
    return float(index % 4 + 1)


def component_cost(index):
    return round(1.0 + 0.25 * index, 2)


def setup(env, components, summarised=False):
    """Accounts, categories, M components with stock, a finished product and its BoM.

    summarised: turn the company's summarised periodic posting on (else the
    module's default is kept).
    """
    company = env.user.company_id
    company.write({"backflush_default_trigger": "production_done",
                   "backflush_default_shortage_policy": "allow_negative"})
    if summarised:
        company.backflush_summarised_posting = True
    accounts = {key: env["account.account"].create({
        "code": code, "name": name, "company_id": company.id,
        "user_type_id": env.ref("account.data_account_type_%s" % kind).id})
        for key, code, name, kind in ACCOUNTS}
    journal = env["account.journal"].create(
        {"name": "Bench stock journal", "code": "BENSJ", "type": "general"})
    valuation = {
        "property_valuation": "real_time",
        "property_cost_method": "standard",
        "property_stock_valuation_account_id": accounts["stock"].id,
        "property_stock_account_input_categ_id": accounts["input"].id,
        "property_stock_account_output_categ_id": accounts["output"].id,
        "property_stock_journal": journal.id,
    }
    parent = env.ref("product.product_category_all")
    raw = env["product.category"].create(
        dict(valuation, name="Bench components", parent_id=parent.id))
    finished_categ = env["product.category"].create(dict(
        valuation, name="Bench finished goods", parent_id=parent.id,
        property_backflush_wip_account_id=accounts["wip"].id,
        property_backflush_usage_variance_account_id=accounts["usage"].id,
        property_backflush_price_variance_account_id=accounts["price"].id,
        property_backflush_revision_variance_account_id=accounts["revision"].id,
        property_backflush_scrap_variance_account_id=accounts["scrap"].id))
    unit = env.ref("product.product_uom_unit")
    warehouse = env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)

    def product(name, cost, category):
        return env["product.product"].create({
            "name": name, "type": "product", "standard_price": cost, "categ_id": category.id,
            "uom_id": unit.id, "uom_po_id": unit.id})

    parts = [product("Bench part %02d" % index, component_cost(index), raw)
             for index in range(components)]
    rollup = sum(component_qty(i) * component_cost(i) for i in range(components))
    finished = product("Bench assembly (%d parts)" % components, round(rollup, 2),
                       finished_categ)
    bom = env["mrp.bom"].create({
        "product_tmpl_id": finished.product_tmpl_id.id, "product_qty": 1.0,
        "product_uom_id": unit.id, "type": "normal",
        "bom_line_ids": [(0, 0, {"product_id": part.id, "product_qty": component_qty(index)})
                         for index, part in enumerate(parts)]})
    for part in parts:
        env["stock.quant"]._update_available_quantity(part, warehouse.lot_stock_id,
                                                      STOCK_PER_COMPONENT)
    return {"product_id": finished.id, "bom_id": bom.id, "uom_id": unit.id,
            "component_ids": [part.id for part in parts],
            "wip_account_id": accounts["wip"].id}


def produce_and_mark_done(env, production):
    """What a user does in the web client: Produce (the wizard), then Mark as Done."""
    wizard = env["mrp.product.produce"].with_context(
        active_id=production.id, active_ids=production.ids).create(
            {"product_qty": production.product_qty})
    wizard.do_produce()
    production.button_mark_done()


def build(env, data, kind, count, chunk=50):
    """count MOs for phase kind, committed chunk by chunk; their ids.

    a: created with backflush_disable (Odoo's own path, no backflush lines);
    b: created under the default trigger production_done;
    c: created under the default trigger periodic, then produced and marked
       done, so that their components wait for the periodic run.
    The build is a batch job that prepares data for later processes, so it
    commits every chunk (and clears the cache, which keeps memory bounded).
    """
    company = env.user.company_id
    company.backflush_default_trigger = "periodic" if kind == "c" else "production_done"
    context = dict(BUILD_CONTEXT, backflush_disable=True) if kind == "a" else BUILD_CONTEXT
    env = env(context=context)
    values = {"product_id": data["product_id"], "product_qty": MO_QTY,
              "product_uom_id": data["uom_id"], "bom_id": data["bom_id"]}
    ids, started = [], time.monotonic()
    for start in range(0, count, chunk):
        for _index in range(start, min(start + chunk, count)):
            production = env["mrp.production"].create(dict(values))
            if kind == "c":
                produce_and_mark_done(env, production)
            ids.append(production.id)
        env.cr.commit()
        env["mrp.production"].invalidate_cache()
        progress(kind, len(ids), count, started)
    return ids


def progress(kind, done, total, started):
    elapsed = time.monotonic() - started
    if done == total or done % 500 == 0:
        print("bench:   build %s: %d/%d MOs (%.0f s)" % (kind, done, total, elapsed),
              file=sys.stderr, flush=True)
