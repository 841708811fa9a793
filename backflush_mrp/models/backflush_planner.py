"""What each MO consumes, fixed when it is confirmed (SPEC sections 2 and 3).

One backflush line per BoM line (kits exploded): its rule, trigger, location,
quantity per finished unit and standard cost as they were then.
"""
from odoo import _, api, models
from odoo.exceptions import UserError
from odoo.tools import float_compare

from ..lib import quantities
from ..lib import rules as rules_lib


class BackflushPlanner(models.AbstractModel):
    _name = "backflush.planner"
    _description = "Backflush Planner"

    # -- public surface: read-only, but plan(), which takes a recordset
    # (RPC cannot pass one, so an RPC call faults) --------------------------
    @api.model
    def plain_uom(self, uom):
        """uom as the plain data of ..lib.quantities."""
        return uom.backflush_plain()

    @api.model
    def resolve_bom_line(self, bom_line, company, candidates=None, operation=None):
        """The rules_lib resolution (rule and reason) of bom_line in company."""
        if candidates is None:
            candidates = self.env["backflush.rule"].candidates(company)
        component = self._plain_component(
            company, bom_line, bom_line.product_id, bom_line.bom_id,
            operation if operation is not None else bom_line.operation_id)
        return rules_lib.resolve(candidates, component)

    @api.model
    def trigger_of(self, resolution, company):
        return resolution.rule.trigger if resolution.rule else company.backflush_default_trigger

    @api.model
    def plain_bom(self, bom, seen=()):
        """bom as the plain data of ..lib.quantities, its kits exploded."""
        if bom.id in seen:
            raise UserError(_("BoM '%s' contains itself through its kits.") % bom.display_name)
        lines = []
        for line in bom.bom_line_ids:
            child = line.child_bom_id
            phantom = (self.plain_bom(child, seen + (bom.id,))
                       if child and child.type == "phantom" else None)
            if phantom is None and line.product_id.type not in ("product", "consu"):
                continue
            lines.append(quantities.BomLine(
                line_id=line.id, product_id=line.product_id.id, qty=line.product_qty,
                line_uom=self.plain_uom(line.product_uom_id),
                product_uom=self.plain_uom(line.product_id.uom_id),
                scrap_percent=line.backflush_scrap_factor,
                operation_id=line.operation_id.id or None, phantom=phantom))
        return quantities.Bom(bom.id, bom.product_qty, self.plain_uom(bom.product_uom_id),
                              tuple(lines))

    @api.model
    def plan(self, productions):
        """Create the backflush lines of MOs and hand their raw moves to the backflush."""
        candidates_by_company = {}
        Line = self.env["mrp.production.backflush.line"]
        for production in productions.filtered("bom_id"):
            company = production.company_id
            if company.id not in candidates_by_company:
                candidates_by_company[company.id] = self.env["backflush.rule"].candidates(
                    company)
            planned = {line.bom_line_id.id: line for line in production.backflush_line_ids}
            for line_id, need in self._needs(production).items():
                if line_id not in planned:
                    planned[line_id] = Line.create(self._line_values(
                        production, need, candidates_by_company[company.id]))
            self._attach_moves(production, planned)

    # -- rules ---------------------------------------------------------------
    @api.model
    def _category_path(self, category):
        path = self.env["product.category"]
        while category:
            path |= category
            category = category.parent_id
        return path

    @api.model
    def _plain_component(self, company, bom_line, product, bom, operation):
        path = self._category_path(product.categ_id)
        return rules_lib.Component(
            company_id=company.id, bom_line_id=bom_line.id or None, product_id=product.id,
            bom_id=bom.id or None, category_path=tuple(path.ids),
            category_names=tuple(c.display_name for c in path),
            workcenter_id=operation.workcenter_id.id or None)

    # -- planning --------------------------------------------------------------
    @api.model
    def _needs(self, production):
        """Per-unit needs by BoM line id (a kit used twice adds up)."""
        needs = {}
        bom = self.plain_bom(production.bom_id)
        for need in quantities.explode(bom, self.plain_uom(production.product_uom_id)):
            previous = needs.get(need.line_id)
            needs[need.line_id] = need if previous is None else previous._replace(
                qty_per_unit=previous.qty_per_unit + need.qty_per_unit)
        return needs

    @api.model
    def _line_values(self, production, need, candidates):
        company = production.company_id
        bom_line = self.env["mrp.bom.line"].browse(need.line_id)
        operation = self.env["mrp.routing.workcenter"].browse(need.operation_id)
        resolution = self.resolve_bom_line(bom_line, company, candidates, operation)
        rule = resolution.rule and self.env["backflush.rule"].browse(resolution.rule.id)
        product = bom_line.product_id.with_context(force_company=company.id)
        raw_move = production.move_raw_ids.filtered(lambda m: m.bom_line_id == bom_line)[:1]
        location = (rule and rule.location_src_id) or raw_move.location_id \
            or production.location_src_id
        return {
            "production_id": production.id,
            "sequence": bom_line.sequence,
            "bom_line_id": bom_line.id,
            "product_id": product.id,
            "product_uom_id": product.uom_id.id,
            "qty_per_unit": need.qty_per_unit,
            "standard_cost": product.standard_price,
            "rule_id": rule.id if rule else False,
            "trigger": self.trigger_of(resolution, company),
            "rule_reason": resolution.reason,
            "shortage_policy": rule.shortage_policy if rule
            else company.backflush_default_shortage_policy,
            "location_id": location.id,
            "operation_id": operation.id,
        }

    @api.model
    def _attach_moves(self, production, planned):
        """Link raw moves to their line, without Odoo's auto-fill.

        Odoo's produce wizard and work orders fill consumed quantities from
        ``unit_factor``; with the backflush in charge, what is recorded on a
        move is only what an operator entered by hand. A move keeps the UoM
        Odoo gave it (its BoM line's), in which operators see and record it;
        its demand includes the line's planned scrap.
        """
        for move in production.move_raw_ids.filtered(
                lambda m: not m.backflush_line_id and m.state not in ("done", "cancel")):
            line = planned.get(move.bom_line_id.id)
            if not line:
                continue
            values = {"backflush_line_id": line.id, "unit_factor": 0.0,
                      "location_id": line.location_id.id}
            same_line = production.move_raw_ids.filtered(
                lambda m, bom_line=move.bom_line_id: m.bom_line_id == bom_line)
            if len(same_line) == 1 and not move.move_line_ids:
                demand = self._standard_in_move_uom(line, production.product_qty, move)
                if float_compare(demand, move.product_uom_qty,
                                 precision_rounding=move.product_uom.rounding):
                    values["product_uom_qty"] = demand
            move.write(values)

    @api.model
    def _standard_in_move_uom(self, line, finished_qty, move):
        """line's standard for finished_qty in move's UoM, rounded as Odoo rounds it there."""
        move_uom = self.plain_uom(move.product_uom)
        per_unit = quantities.convert(line.qty_per_unit, line.plain_uom(), move_uom)
        return quantities.standard_qty(per_unit, finished_qty, move_uom)
