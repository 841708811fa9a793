"""What to take, from where and which lots, and what cannot be taken (SPEC section 5).

Read-only: the answer is a plan and a list of problems; the posting makes
the moves.
"""
from odoo import _, api, models
from odoo.tools import float_compare, float_is_zero

from ..exceptions import (
    BackflushProblem,
    LotRequiredProblem,
    MissingCostProblem,
    ShortageProblem,
)
from ..lib import lots as lots_lib


class BackflushAllocation(models.AbstractModel):
    _name = "backflush.allocation"
    _description = "Backflush Allocation"

    # -- public surface: read-only -------------------------------------------
    @api.model
    def allocate(self, production, due, taken=None, preview=False):
        """([(line, qty, [(lot, qty)])], [problems]) after the shortage policies.

        taken: None, or a dict of what earlier MOs of a chunk take (see
        _note_taken), which this MO's picks are added to. preview: a problem
        of a blocking line is listed, marked blocking, instead of raised
        (see backflush.posting.preview).
        """
        plan, problems = [], []
        for line, qty in due:
            try:
                self._check_cost(line, production)
                picks, problem = line.picks(qty, taken)
            except BackflushProblem as problem_error:
                problem, picks = problem_error, None
            if problem is not None:
                if line.shortage_policy == "block":
                    if not preview:
                        raise problem
                    problem.blocking = True
                problems.append(problem)
                if picks is None or line.shortage_policy != "allow_negative":
                    continue
            if picks:
                plan.append((line, sum(q for _lot, q in picks), picks))
                self._note_taken(line, picks, taken)
        return plan, problems

    @api.model
    def on_hand_qty(self, line, taken=None):
        """On hand at the line's location: a shortage is stock that would go negative.

        Reservations are plans, not stock: consuming reserved stock is what
        Odoo's own posting does too.
        """
        quants = self.env["stock.quant"]._gather(line.product_id, line.location_id)
        return sum(quants.mapped("quantity")) - self._already_taken(line, taken)

    # A chunk prepares all its MOs before one common _action_done: what earlier
    # MOs of the chunk take is not off the quants yet, so it is counted in taken,
    # {(product id, location id, lot id or None): qty}.
    @staticmethod
    def _note_taken(line, picks, taken):
        if taken is None:
            return
        for lot, qty in picks:
            key = (line.product_id.id, line.location_id.id, lot.id or None)
            taken[key] = taken.get(key, 0.0) + qty
            if lot:  # a lot also counts in its product's total at the location
                total = (line.product_id.id, line.location_id.id, None)
                taken[total] = taken.get(total, 0.0) + qty

    @staticmethod
    def _already_taken(line, taken, lot_id=None):
        return (taken or {}).get((line.product_id.id, line.location_id.id, lot_id), 0.0)

    @api.model
    def _check_cost(self, line, production):
        """production: line's MO (its company is the line's)."""
        product = line.product_id
        if product.valuation != "real_time" or product.type != "product":
            return
        company = production.company_id
        cost = product.with_context(force_company=company.id).standard_price
        if product.cost_method != "fifo" and company.currency_id.is_zero(cost):
            raise MissingCostProblem(_(
                "%(component)s of manufacturing order %(mo)s has no cost: set its cost "
                "(product form, Inventory tab) and retry.") % {
                    "component": product.display_name, "mo": production.name},
                product=product)

    @api.model
    def pick(self, line, qty, taken=None):
        """([(lot or empty, qty)], problem or None) for qty of line's component."""
        production = line.production_id
        tracking = line.product_id.tracking
        rounding = line.product_uom_id.rounding
        if tracking == "serial":
            return self._pick_reserved_serials(production, line, qty)
        if tracking == "lot":
            picked, missing = lots_lib.pick(self._lot_stocks(line, taken), qty, rounding)
            Lot = self.env["stock.production.lot"]
            picks = [(Lot.browse(lot_id), lot_qty) for lot_id, lot_qty in picked]
            if float_is_zero(missing, precision_rounding=rounding):
                return picks, None
            return picks, self._lot_problem(production, line, missing)
        if line.shortage_policy == "allow_negative":
            # posted whatever the stock: no need to look at it
            return [(self.env["stock.production.lot"], qty)], None
        missing = qty - max(self.on_hand_qty(line, taken), 0.0)
        if float_compare(missing, 0.0, precision_rounding=rounding) <= 0:
            return [(self.env["stock.production.lot"], qty)], None
        return [], ShortageProblem(self._shortage_message(production, line, missing),
                                   product=line.product_id)

    @api.model
    def _shortage_message(self, production, line, missing):
        return _("Manufacturing order %(mo)s needs %(missing)s %(uom)s more of %(component)s "
                 "than %(location)s has. Receive or move stock there, or change the rule's "
                 "shortage policy, then retry.") % {
            "mo": production.name, "missing": missing, "uom": line.product_uom_id.name,
            "component": line.product_id.display_name, "location": line.location_id.display_name}

    @api.model
    def _lot_problem(self, production, line, missing):
        if line.shortage_policy == "queue":
            return ShortageProblem(self._shortage_message(production, line, missing),
                                   product=line.product_id)
        return LotRequiredProblem(_(
            "Manufacturing order %(mo)s: %(missing)s %(uom)s of %(component)s cannot be taken "
            "from any lot in %(location)s. Record the lot by hand or receive stock, then "
            "retry.") % {
                "mo": production.name, "missing": missing, "uom": line.product_uom_id.name,
                "component": line.product_id.display_name,
                "location": line.location_id.display_name},
            product=line.product_id)

    @api.model
    def _lot_stocks(self, line, taken=None):
        quants = self.env["stock.quant"]._gather(line.product_id, line.location_id)
        by_lot = {}
        for quant in quants.filtered("lot_id"):
            entry = by_lot.setdefault(quant.lot_id, [0.0, quant.in_date])
            entry[0] += quant.quantity
            entry[1] = min(entry[1] or quant.in_date, quant.in_date or entry[1])
        expiry_field = next((name for name in ("removal_date", "use_date", "life_date")
                             if name in self.env["stock.production.lot"]._fields), None)
        return [lots_lib.LotStock(lot.id, free - self._already_taken(line, taken, lot.id),
                                  expiry_field and lot[expiry_field] or None, in_date)
                for lot, (free, in_date) in by_lot.items()]

    @api.model
    def _pick_reserved_serials(self, production, line, qty):
        reserved = line.open_moves().mapped("move_line_ids").filtered(
            lambda ml: ml.lot_id and not ml.qty_done and ml.product_qty > 0)
        picks = [(ml.lot_id, 1.0) for ml in reserved[:int(qty)]]
        missing = qty - len(picks)
        if float_compare(missing, 0.0, precision_rounding=line.product_uom_id.rounding) <= 0:
            return picks, None
        return picks, LotRequiredProblem(_(
            "Manufacturing order %(mo)s: %(missing)s serial numbers of %(component)s are not "
            "reserved. Reserve or record them by hand, then retry.") % {
                "mo": production.name, "missing": missing,
                "component": line.product_id.display_name},
            product=line.product_id)
