"""The load test's database steps, Odoo as a library.

    python -m bench.loadtest_steps STEP IN OUT

setup builds the factory the scanners report on; check reads back, after
the load, what the server recorded. IN and OUT are JSON files (see
bench.worker, whose process model this shares).
"""
import json
import sys

from . import scenario, worker

SCANNER_LOGIN = "loadtest-scanner"
SCANNER_PASSWORD = "loadtest-scanner"
MO_QTY = 100000.0      # never reached: the orders stay open for the whole run
PERIODIC_COMPONENTS = 1  # the first components wait for the periodic job


def step_setup(env, params):
    """The bench's factory (accounts, M components, BoM), open MOs, a scanner user."""
    from odoo import fields
    data = scenario.setup(env, params["m"])
    components = data["component_ids"]
    for component in components[:PERIODIC_COMPONENTS]:
        env["backflush.rule"].create({
            "name": "Load test: periodic", "product_id": component, "trigger": "periodic",
            "shortage_policy": "allow_negative"})
    context = dict(scenario.BUILD_CONTEXT)
    productions = env["mrp.production"].with_context(context)
    ids = [productions.create({
        "product_id": data["product_id"], "product_qty": MO_QTY,
        "product_uom_id": data["uom_id"], "bom_id": data["bom_id"]}).id
        for _index in range(params["mos"])]
    env["res.users"].with_context(context).create({
        "name": "Load test scanner", "login": SCANNER_LOGIN, "password": SCANNER_PASSWORD,
        # the order's chatter tracks its state changes in the user's name
        "email": "scanner@loadtest.invalid",
        "groups_id": [(6, 0, [env.ref("backflush_mrp.group_backflush_user").id,
                              env.ref("stock.group_stock_user").id])]})
    # the scheduled job runs every minute from now (the cron worker polls once a minute)
    cron = env.ref("backflush_mrp.ir_cron_backflush_periodic")
    cron.write({"interval_number": 1, "interval_type": "minutes", "active": True,
                "nextcall": fields.Datetime.now()})
    return {"production_ids": ids, "component_ids": components,
            "stock_location_id": _stock_location(env).id, "cron_id": cron.id,
            "on_hand": _on_hand(env, components), "login": SCANNER_LOGIN,
            "password": SCANNER_PASSWORD}


def _stock_location(env):
    return env["stock.warehouse"].search([("company_id", "=", env.user.company_id.id)],
                                         limit=1).lot_stock_id


def _on_hand(env, product_ids):
    location = _stock_location(env)
    on_hand = dict.fromkeys(product_ids, 0.0)
    for quant in env["stock.quant"].search([("product_id", "in", product_ids),
                                            ("location_id", "child_of", location.id)]):
        on_hand[quant.product_id.id] += quant.quantity
    return {str(product_id): qty for product_id, qty in on_hand.items()}


def step_check(env, params):
    """What the server recorded, against what the clients saw accepted."""
    from odoo.tools import float_compare
    productions = env["mrp.production"].browse(params["production_ids"])
    accepted = {int(mo): set(ids) for mo, ids in params["accepted"].items()}
    problems = []
    produced = {}
    for production in productions:
        produced[production.id] = production.backflush_produced_qty()
        want = len(accepted.get(production.id, ()))
        if float_compare(produced[production.id], want,
                         precision_rounding=production.product_uom_id.rounding):
            problems.append("%s: produced %s, %d distinct reports accepted"
                            % (production.name, produced[production.id], want))
        for line in production.backflush_line_ids:
            standard = line.qty_per_unit * produced[production.id]
            rounding = line.product_uom_id.rounding
            if float_compare(line.qty_consumed, standard, precision_rounding=rounding) \
                    or line.qty_pending:
                problems.append("%s, %s: consumed %s, BoM x produced %s, pending %s" % (
                    production.name, line.product_id.display_name, line.qty_consumed,
                    standard, line.qty_pending))
    # the stock itself: what left the shelf is what the BoM says for what was produced
    per_unit = {}
    for line in productions[:1].backflush_line_ids:
        per_unit[line.product_id.id] = line.qty_per_unit
    total_produced = sum(produced.values())
    on_hand = _on_hand(env, params["component_ids"])
    stock = {}
    for product_id in params["component_ids"]:
        taken = params["on_hand"][str(product_id)] - on_hand[str(product_id)]
        want = per_unit.get(product_id, 0.0) * total_produced
        stock[product_id] = (taken, want)
        if float_compare(taken, want, precision_digits=6):
            problems.append("component %s: %s left stock, BoM x produced is %s"
                            % (product_id, taken, want))
    # the server's records of the reports against what the clients saw
    reports = env["backflush.output.report"].search(
        [("production_id", "in", productions.ids)])
    recorded = {(report.production_id.id, report.report_id) for report in reports}
    seen = {(mo, report_id) for mo, ids in accepted.items() for report_id in ids}
    lost = sorted(seen - recorded)
    unseen = sorted(recorded - seen)
    findings = env["backflush.audit"]._audit(productions)
    return {"problems": problems, "lost": lost, "unseen": unseen, "findings": findings,
            "produced": sum(produced.values()), "reports": len(reports),
            "logs": len(productions.mapped("backflush_log_ids")),
            "stock": {str(key): value for key, value in stock.items()}}


STEPS = {"setup": step_setup, "check": step_check}


def main(argv):
    step, path_in, path_out = argv
    with open(path_in) as handle:
        params = json.load(handle)
    result = worker._run(params, STEPS[step])
    with open(path_out, "w") as handle:
        json.dump(result, handle)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
