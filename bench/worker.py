"""One step of the benchmark in a fresh process: python -m bench.worker STEP IN OUT.

IN and OUT are JSON files: the step's parameters (config, database, ids...)
and its result. Odoo is loaded as a library with the project's configuration
file; the compatibility layer is already loaded by the virtual environment.

Every step commits: the benchmark is a batch job whose later steps (other
processes, like Odoo's own cron worker) must see what earlier steps built,
and (a) and (b) commit once per MO as the web client's requests do.
"""
import inspect
import json
import sys
import time

from . import meter, scenario

ENGINE_LOGGER = "odoo.addons.backflush_mrp.models.backflush_chunk"


def _environment(params):
    import odoo
    # the chunk's progress lines of a batch (one per 100 MOs) show how far (c) got
    odoo.tools.config.parse_config(["-c", params["config"], "--log-level=warn",
                                    "--log-handler=%s:INFO" % ENGINE_LOGGER])
    registry = odoo.registry(params["db"])
    return odoo, registry


def _run(params, step):
    odoo, registry = _environment(params)
    with odoo.api.Environment.manage(), registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        result = step(env, params)
        cr.commit()
        return result


# -- building -------------------------------------------------------------------
def step_setup(env, params):
    return scenario.setup(env, params["m"], params["summarised"], params["realistic"])


def step_build(env, params):
    return {"ids": scenario.build(env, params["data"], params["kind"], params["count"])}


# -- measuring ------------------------------------------------------------------
def _one_by_one(env, data, ids, warmup, result):
    """Produce + mark done each MO, one request (and commit) each; the first warm up.

    The MO at position p of ids records extra consumption by hand when the
    scenario says so (scenario.extra_of).
    """
    Production = env["mrp.production"]
    for position, production_id in enumerate(ids[:warmup]):
        scenario.produce_and_mark_done(env, Production.browse(production_id),
                                       scenario.extra_of(data, position))
        env.cr.commit()
        Production.invalidate_cache()
    measured = ids[warmup:]
    times = []
    with meter.measure(result, env):
        for position, production_id in enumerate(measured, warmup):
            start = time.perf_counter()
            scenario.produce_and_mark_done(env, Production.browse(production_id),
                                           scenario.extra_of(data, position))
            env.cr.commit()
            Production.invalidate_cache()
            times.append(time.perf_counter() - start)
    result.update(mos=len(measured), per_mo_seconds=sorted(times))
    return result


def _check_closed(env, params, want_backflush):
    """Did the phase do its work: MOs done, every component consumed, WIP cleared.

    An MO that recorded extra consumption by hand consumed that much more of
    the component than its backflush line's standard.
    """
    ids = params["ids"]
    data = params["data"]
    productions = env["mrp.production"].browse(ids)
    done = productions.filtered(lambda p: p.state == "done")
    raw = productions.mapped("move_raw_ids").filtered(lambda m: m.state != "cancel")
    consumed = raw.filtered(lambda m: m.state == "done")
    text = "%d/%d MOs done, %d/%d component moves done" % (
        len(done), len(ids), len(consumed), len(raw))
    if not want_backflush:
        return text + ", no backflush lines: %s" % (
            not productions.mapped("backflush_line_ids"))
    posted = done.filtered(lambda p: p.backflush_state == "done")
    extra = {production_id: scenario.extra_of(data, position)
             for position, production_id in enumerate(ids)}
    right = len(done.filtered(lambda p: _raw_moves_match_lines(p, extra[p.id])))
    env.cr.execute("""
        SELECT COUNT(*) FROM (
            SELECT backflush_production_id FROM account_move_line
             WHERE backflush_production_id IN %s AND account_id = %s
             GROUP BY backflush_production_id
            HAVING ROUND(SUM(debit - credit)::numeric, 2) != 0) AS open_wip
    """, [tuple(ids), data["wip_account_id"]])
    return text + ", %d backflushed, %d with WIP != 0.00, %d/%d with their own done raw " \
        "moves equal to their backflush lines" % (len(posted), env.cr.fetchone()[0], right,
                                                  len(done))


def _raw_moves_match_lines(production, extra_component_id=None):
    """Does the MO's own Consumed Materials show what its backflush lines consumed?

    (the standard, plus what was recorded by hand on extra_component_id)
    """
    for line in production.backflush_line_ids:
        moved = sum(move.product_qty for move in production.move_raw_ids
                    if move.product_id == line.product_id and move.state == "done")
        expected = line.qty_standard + (
            scenario.EXTRA_QTY if line.product_id.id == extra_component_id else 0.0)
        if abs(moved - expected) > line.product_uom_id.rounding / 2.0:
            return False
    return True


def step_measure_a(env, params):
    """(a) Odoo's own path: the module steps aside (backflush_disable)."""
    env = env(context={"backflush_disable": True})
    result = _one_by_one(env, params["data"], params["ids"], params["warmup"], {})
    result["check"] = _check_closed(env, params, want_backflush=False)
    return result


def step_measure_b(env, params):
    """(b) the module on completion (trigger production_done), one MO at a time."""
    result = _one_by_one(env, params["data"], params["ids"], params["warmup"], {})
    result["check"] = _check_closed(env, params, want_backflush=True)
    return result


def _cron_periodic(env):
    """The periodic job as its ir.cron calls it (committing per chunk when it can)."""
    method = env["mrp.production"]._cron_backflush_periodic
    kwargs = {"commit_chunks": True} if "commit_chunks" in inspect.signature(
        method).parameters else {}
    outcome = method(**kwargs)
    env.cr.commit()
    return outcome


def step_measure_c(env, params):
    """(c) the periodic job over every pending MO, as the cron runs it."""
    result = {}
    with meter.measure(result, env):
        outcome = _cron_periodic(env)
    result.update(mos=len(params["ids"]), posted=len(outcome["posted"]),
                  failed=len(outcome["failed"]), skipped=len(outcome["skipped"]))
    env["mrp.production"].invalidate_cache()
    result["check"] = "%d posted, %d failed; %s" % (
        result["posted"], result["failed"], _check_closed(env, params, True))
    return result


# -- profiling (separate, untimed runs) -------------------------------------------
def step_profile_b(env, params):
    Production = env["mrp.production"]
    result = {"mos": len(params["ids"])}
    with meter.profile(result):
        for position, production_id in enumerate(params["ids"]):
            scenario.produce_and_mark_done(env, Production.browse(production_id),
                                           scenario.extra_of(params["data"], position))
            env.cr.commit()
            Production.invalidate_cache()
    return result


def step_profile_c(env, params):
    result = {"mos": len(params["ids"])}
    with meter.profile(result):
        _cron_periodic(env)
    return result


STEPS = {name[len("step_"):]: function for name, function in globals().items()
         if name.startswith("step_")}


def main(argv):
    step, path_in, path_out = argv
    with open(path_in) as handle:
        params = json.load(handle)
    result = _run(params, STEPS[step])
    with open(path_out, "w") as handle:
        json.dump(result, handle)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
