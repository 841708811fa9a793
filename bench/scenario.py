"""The benchmark's factory: real-time valuation at standard cost, one BoM of M components.

Set up the way backflush_mrp/tests/common_accounting.py sets up its tests:
accounts, a stock journal, categories valued in real time at standard cost,
WIP and variance accounts on the finished product's category.

Two scenarios:

realistic (the default): orders as a new user runs them.
  - Every MO is reserved (Check Availability, ``action_assign``) before it
    is produced, as Odoo's MO form asks.
  - Triggers come from backflush.rule records on the components' category:
    ``production_done`` for (b), ``periodic`` for (c) (the company default
    stays ``production_done``).
  - Off-standard: the finished product's standard is its material roll-up
    x 100/110 (a revision variance on every MO), and one MO in five
    records EXTRA_QTY more of one component than its BoM asks, typed by
    hand on the MO's Consumed Materials (Odoo 11's produce wizard has lines
    for tracked components only; see produce_and_mark_done), on Odoo's own
    path (a) too.
  - One component is valued FIFO (a sub-category of the components'
    category) and received by two incoming moves at two prices, so FIFO
    layers exist; the other components' stock is put in place through
    quants (standard-cost moves are valued at the standard).
best case (--best-case): the scenario of the first benchmark: no
  reservation, the company default trigger, a finished standard equal to
  the roll-up (no variance), no extra consumption, no FIFO component.
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
# realistic scenario
FINISHED_STANDARD_RATIO = 100.0 / 110.0   # finished standard against its roll-up
EXTRA_EVERY = 5                           # one MO in EXTRA_EVERY records extra consumption
EXTRA_QTY = 1.0                           # units of component EXTRA_INDEX beyond the BoM
EXTRA_INDEX = 0
FIFO_PRICES = (0.9, 1.2)                  # the FIFO component's receipts, x its standard
TRIGGER_OF_KIND = {"b": "production_done", "c": "periodic"}


def component_qty(index):
    return float(index % 4 + 1)


def component_cost(index):
    return round(1.0 + 0.25 * index, 2)


def fifo_index(components):
    """The FIFO component: the last one (not the one recorded by hand, when M > 1)."""
    return components - 1


def has_extra(position):
    """Does the MO at position (0-based, in its phase's build order) record extra by hand?"""
    return position % EXTRA_EVERY == 0


def setup(env, components, summarised=False, realistic=True):
    """Accounts, categories, M components with stock, a finished product and its BoM.

    summarised: turn the company's summarised periodic posting on (else the
    module's default is kept). realistic: see the module's docstring.
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
    fifo = env["product.category"].create(
        dict(valuation, name="Bench components FIFO", parent_id=raw.id,
             property_cost_method="fifo")) if realistic else raw
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

    fifo_at = fifo_index(components) if realistic else None
    parts = [product("Bench part %02d" % index, component_cost(index),
                     fifo if index == fifo_at else raw)
             for index in range(components)]
    rollup = round(sum(component_qty(i) * component_cost(i) for i in range(components)), 2)
    standard = round(rollup * FINISHED_STANDARD_RATIO, 2) if realistic else rollup
    finished = product("Bench assembly (%d parts)" % components, standard, finished_categ)
    bom = env["mrp.bom"].create({
        "product_tmpl_id": finished.product_tmpl_id.id, "product_qty": 1.0,
        "product_uom_id": unit.id, "type": "normal",
        "bom_line_ids": [(0, 0, {"product_id": part.id, "product_qty": component_qty(index)})
                         for index, part in enumerate(parts)]})
    stock = warehouse.lot_stock_id
    for index, part in enumerate(parts):
        if index == fifo_at:
            for ratio in FIFO_PRICES:
                receive(env, part, stock, STOCK_PER_COMPONENT / len(FIFO_PRICES),
                        round(component_cost(index) * ratio, 2))
        else:
            env["stock.quant"]._update_available_quantity(part, stock, STOCK_PER_COMPONENT)
    rules = {}
    if realistic:
        for kind, trigger in sorted(TRIGGER_OF_KIND.items()):
            rules[kind] = env["backflush.rule"].create({
                "name": "Bench components: %s" % trigger, "trigger": trigger,
                "product_categ_id": raw.id, "company_id": company.id, "active": False}).id
    return {"product_id": finished.id, "bom_id": bom.id, "uom_id": unit.id,
            "component_ids": [part.id for part in parts],
            "wip_account_id": accounts["wip"].id, "realistic": realistic, "rules": rules,
            "rollup": rollup, "standard": standard,
            "extra_component_id": parts[EXTRA_INDEX].id if realistic else None,
            "fifo_component_id": parts[fifo_at].id if realistic else None}


def receive(env, product, location, qty, price_unit):
    """A receipt from the vendor at price_unit: a real incoming move, valued by Odoo."""
    move = env["stock.move"].create({
        "name": "Bench receipt of %s" % product.name,
        "product_id": product.id, "product_uom": product.uom_id.id, "product_uom_qty": qty,
        "location_id": env.ref("stock.stock_location_suppliers").id,
        "location_dest_id": location.id, "price_unit": price_unit})
    move._action_confirm()
    move._action_assign()
    move.move_line_ids.write({"qty_done": qty})
    move._action_done()
    return move


def produce_and_mark_done(env, production, extra_component_id=None):
    """What a user does in the web client: Produce (the wizard), then Mark as Done.

    extra_component_id: the user types on the MO's Consumed Materials what
    was really consumed of that component, EXTRA_QTY more than its BoM asks:
    with the backflush, before Produce (nothing is filled in for them, and
    Produce backflushes what is not recorded); on Odoo's own path, after
    Produce, over the quantity the wizard filled in.
    """
    odoo_path = production.env.context.get("backflush_disable")
    if extra_component_id and not odoo_path:
        record_extra(production, extra_component_id)
    wizard = env["mrp.product.produce"].with_context(
        active_id=production.id, active_ids=production.ids).create(
            {"product_qty": production.product_qty})
    wizard.do_produce()
    if extra_component_id and odoo_path:
        record_extra(production, extra_component_id)
    production.button_mark_done()


def record_extra(production, component_id):
    """The Consumed column of the component's move: its BoM quantity plus EXTRA_QTY."""
    move = production.move_raw_ids.filtered(
        lambda m: m.product_id.id == component_id and m.state not in ("done", "cancel"))[:1]
    line = production.bom_id.bom_line_ids.filtered(lambda b: b.product_id.id == component_id)
    move.quantity_done = line.product_qty * production.product_qty + EXTRA_QTY


def extra_of(data, position):
    """The component recorded by hand on the MO at position, or None."""
    if data.get("realistic") and has_extra(position):
        return data["extra_component_id"]
    return None


def use_rule(env, data, kind):
    """Only the rule of kind active (realistic), or the company default of kind (best case)."""
    if not data.get("realistic"):
        company = env.user.company_id
        trigger = "periodic" if kind == "c" else "production_done"
        if company.backflush_default_trigger != trigger:
            company.backflush_default_trigger = trigger
        return
    rules = env["backflush.rule"].with_context(active_test=False)
    for rule_kind, rule_id in data["rules"].items():
        rule = rules.browse(rule_id)
        if rule.active != (rule_kind == kind):
            rule.active = rule_kind == kind


def build(env, data, kind, count, chunk=50):
    """count MOs for phase kind, committed chunk by chunk; their ids.

    a: created with backflush_disable (Odoo's own path, no backflush lines);
    b: created under the trigger production_done;
    c: created under the trigger periodic, then produced and marked done, so
       that their components wait for the periodic run.
    Realistic: every chunk's MOs are reserved by one action_assign() on the
    chunk (the MO form's Check Availability, for many MOs at once; reserving
    all their moves in one _action_assign, as Odoo's scheduler does, was
    twice as slow), and the MO at position p records extra by hand when
    has_extra(p).
    The build is a batch job that prepares data for later processes, so it
    commits every chunk (and clears the cache, which keeps memory bounded).
    """
    use_rule(env, data, kind)
    env.cr.commit()
    context = dict(BUILD_CONTEXT, backflush_disable=True) if kind == "a" else BUILD_CONTEXT
    env = env(context=context)
    Production = env["mrp.production"]
    values = {"product_id": data["product_id"], "product_qty": MO_QTY,
              "product_uom_id": data["uom_id"], "bom_id": data["bom_id"]}
    ids, started = [], time.monotonic()
    for start in range(0, count, chunk):
        productions = Production
        for _index in range(start, min(start + chunk, count)):
            productions |= Production.create(dict(values))
        if data.get("realistic"):
            productions.action_assign()
        if kind == "c":
            for index, production in enumerate(productions):
                produce_and_mark_done(env, production, extra_of(data, start + index))
        ids.extend(productions.ids)
        env.cr.commit()
        Production.invalidate_cache()
        progress(kind, len(ids), count, started)
    return ids


def progress(kind, done, total, started):
    elapsed = time.monotonic() - started
    print("bench:   build %s: %d/%d MOs (%.0f s, %.2f s/MO)"
          % (kind, done, total, elapsed, elapsed / max(done, 1)),
          file=sys.stderr, flush=True)
