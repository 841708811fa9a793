"""The posting of an MO's component moves: Odoo's own path, or the same rows set-based.

Every trigger hands its consumption here: which of an MO's own raw moves
consume how much. Odoo's own path records it as mrp's produce wizard does
(``_generate_consumed_move_line``) and posts the moves with Odoo's
``_action_done``: per move, several statements for its move lines, quants,
valuation and journal entry.

The set-based path writes the very rows that path writes, for a whole
chunk at once: it reads what Odoo's methods read, reproduces their
arithmetic on plain data (..lib.stock_arithmetic), takes the journal items
from the stock.move hooks themselves (``_get_accounting_data_for_valuation``,
``_prepare_account_move_line``), and writes through ..core_rows, which
applies defaults, column conversion, constraints and the ORM's recompute of
every dependent field. It posts only what it reproduces exactly; anything
else (another installed module extending a method it stands in for, lots,
packages, partial or extra consumption, reservations to take back from
other moves...) goes to Odoo's own path, and the reason is returned for the
run's summary. The differential tests (test_move_writer.py) post the same
chunks both ways and compare every column of every row.
"""
import logging
from collections import OrderedDict

from odoo import api, fields, models
from odoo.tools import float_compare, float_round
from psycopg2 import OperationalError

from .. import core_rows
from ..lib import quantities
from ..lib.stock_arithmetic import (
    NotReproduced,
    QuantBook,
    consume_on_lines,
    out_valuation,
    take_fifo,
)
from ..read_ahead import browse_along, read_ahead

_logger = logging.getLogger(__name__)

# the methods the set-based path stands in for, and the modules whose versions
# of them it reproduces; another module's override sends a chunk to Odoo's path
STANDS_IN_FOR = {
    "stock.move": ("_action_done", "_run_valuation", "_run_fifo", "_account_entry_move",
                   "_create_account_move_line", "_generate_consumed_move_line", "write",
                   "product_price_update_before_done", "_get_accounting_data_for_valuation",
                   "_prepare_account_move_line"),
    "stock.move.line": ("_action_done", "create", "write", "unlink", "_free_reservation"),
    "stock.quant": ("_update_available_quantity", "_update_reserved_quantity", "_gather",
                    "create", "write", "unlink"),
    "account.move": ("create", "write", "post", "_post_validate", "_check_lock_date",
                     "assert_balanced"),
    "account.move.line": ("create", "write", "create_analytic_lines"),
    "product.product": ("_set_standard_price",),
    # its arithmetic is ..lib.quantities.odoo_quantity's
    "product.uom": ("_compute_quantity",),
}
REPRODUCED_MODULES = frozenset(
    [None, "base", "product", "stock", "stock_account", "account", "mrp", "backflush_mrp"])
OPEN_STATES = ("confirmed", "waiting", "partially_available", "assigned")
# the stored computed columns of a done component move and of its move lines (whose
# demand is 0 once done), as stock's and mrp's computes make them: written with the
# rows, instead of an UPDATE per column after the ORM computed them record by record
DONE_COMPUTED = {
    "stock.move": {"is_done": True},
    "stock.move.line": {"state": "done", "done_move": True, "product_qty": 0.0},
}


def foreign_overrides(env, model_names=None):
    """['module overrides model.method'] for the methods the set-based path stands in for
    (those of model_names, else of every model it writes).

    The registry's own class of a model defines no method: one found there
    was set on it at run time (a patch), which the set-based path cannot
    see through either, unless it declares the method it wraps
    (``__wrapped__``, as ``functools.wraps`` does) and calls it unchanged,
    as a profiler's or a benchmark's probe does.
    """
    found = []
    for model_name, methods in sorted(STANDS_IN_FOR.items()):
        if model_names is not None and model_name not in model_names:
            continue
        classes = type(env[model_name]).__mro__
        for index, cls in enumerate(classes):
            module = getattr(cls, "_module", None)
            if index == 0:
                module = vars(cls).get("_module", "a run-time patch")
            if module in REPRODUCED_MODULES:
                continue
            for method in methods:
                if method in vars(cls) and not (
                        index == 0 and hasattr(vars(cls)[method], "__wrapped__")):
                    found.append("%s overrides %s.%s" % (module, model_name, method))
    return found


def _consumes_demand(fact, qty, digits):
    # Odoo splits below the demand (decimal precision: digits) and adds a move
    # above it (UoM)
    demand = fact["product_uom_qty"]
    return not float_compare(qty, demand, precision_digits=digits) and \
        not float_compare(qty, demand, precision_rounding=fact["uom_rounding"])


class _AccountingKeys:
    """What the accounts of a component move of an MO depend on, per move.

    The set-based path posts only where _get_accounting_data_for_valuation
    is stock_account's and this module's (see foreign_overrides): the
    product's template accounts, the locations' valuation accounts, and the
    WIP account of the MO's product category and company. Moves that share
    these share their accounts: the hook is called once for them. A chunk's
    thousands of moves share a few products and MOs, read once each.
    """

    def __init__(self):
        self.templates = {}
        self.productions = {}

    def of(self, move):
        product, production = move.product_id, move.raw_material_production_id
        if product.id not in self.templates:
            self.templates[product.id] = product.product_tmpl_id.id
        if production.id not in self.productions:
            self.productions[production.id] = (production.product_id.categ_id.id,
                                               production.company_id.id)
        return (self.templates[product.id], move.location_id.id,
                move.location_dest_id.id) + self.productions[production.id]


class BackflushMoveWriter(models.AbstractModel):
    _name = "backflush.move.writer"
    _description = "Backflush Posting of Component Moves"

    @api.model
    def post(self, consumptions):
        """(done moves, why Odoo's own path posted them or None) for consumptions."""
        moves = self.env["stock.move"].union(*[c.move for c in consumptions])
        self._read_ahead(moves)
        reason = self._refusal(consumptions)
        if reason is None:
            # in the order Odoo's _action_done takes them: exists() returns the rows
            # in the order PostgreSQL reads them, which decides FIFO layers and names
            moves = moves.exists()
            rank = {move_id: index for index, move_id in enumerate(moves.ids)}
            in_order = sorted(consumptions, key=lambda c: rank[c.move.id])
            try:
                return self._post_set_based(in_order, moves, consumptions), None
            except NotReproduced as not_reproduced:
                reason = str(not_reproduced)
        for consumption in consumptions:
            consumption.move._generate_consumed_move_line(
                consumption.qty, consumption.final_lot, lot=consumption.lot or False)
        return moves._action_done(), reason

    @api.model
    def _read_ahead(self, moves):
        """What the refusal and the posting read of the moves, for all at once."""
        read_ahead(moves, ("move_line_ids.location_id", "product_id.uom_id",
                           "location_id.company_id", "location_dest_id.usage",
                           "raw_material_production_id.name"))

    # -- what the set-based path leaves to Odoo's --------------------------------
    @api.model
    def _refusal(self, consumptions):
        if self.env.context.get("backflush_odoo_posting"):
            return "Odoo's own posting was asked for"
        if self.env.context.get("backflush_summary"):
            return "summarised entries gather the items on Odoo's own path"
        overrides = foreign_overrides(self.env)
        if overrides:
            return ", ".join(overrides)
        facts = self._move_facts([c.move.id for c in consumptions])
        seen = set()
        # a chunk's thousands of moves share a few products and locations
        where_refusals = {}
        digits = self.env["decimal.precision"].precision_get("Product Unit of Measure")
        for consumption in consumptions:
            move = consumption.move
            if move.id in seen:
                return "%s is consumed twice in one posting" % move.display_name
            seen.add(move.id)
            fact = facts[move.id]
            where = (fact["product_id"], fact["location_id"], fact["location_dest_id"],
                     fact["company_id"])
            if where not in where_refusals:
                where_refusals[where] = self._where_refusal(*where)
            reason = self._move_refusal(fact, consumption, digits, where_refusals[where])
            if reason:
                return "%s: %s" % (move.product_id.display_name, reason)
        return None

    @api.model
    def _where_refusal(self, product_id, source_id, destination_id, company_id):
        """Why moves of a product from source to destination in company are refused, or None."""
        product = self.env["product.product"].browse(product_id)
        source, destination = self.env["stock.location"].browse([source_id, destination_id])
        checks = (
            (product.tracking != "none", "tracked by lot or serial"),
            (source.usage != "internal" or destination.usage != "production",
             "not from internal stock to production"),
            (source.company_id.id != company_id, "another company's location"),
        )
        return next((reason for refused, reason in checks if refused), None)

    @api.model
    def _move_facts(self, move_ids):
        """{move id: what the refusal checks of it}, for a chunk's moves in one query.

        Instead of a dozen fields browsed on each of thousands of moves and
        six on each of their reserved lines. The stored computes pending in
        the transaction are written first (Odoo 11 writes every other column
        to the table as it is given it), so the rows say what the records do.
        """
        self.env["stock.move"].recompute()
        self.env.cr.execute("""
            SELECT m.id, m.raw_material_production_id, m.state, m.product_uom_qty,
                   u.rounding AS uom_rounding, m.product_id, m.location_id,
                   m.location_dest_id, m.company_id,
                   (m.picking_id IS NOT NULL OR COALESCE(m.scrapped, FALSE)
                    OR m.restrict_partner_id IS NOT NULL
                    OR m.origin_returned_move_id IS NOT NULL
                    OR m.backflush_reversal_of_id IS NOT NULL
                    OR EXISTS (SELECT 1 FROM stock_move_move_rel chain
                                WHERE chain.move_orig_id = m.id)) AS chained,
                   EXISTS (SELECT 1 FROM stock_move_line ml
                            WHERE ml.move_id = m.id
                              AND (ml.qty_done != 0 OR ml.lot_id IS NOT NULL
                                   OR ml.lot_produced_id IS NOT NULL
                                   OR ml.package_id IS NOT NULL OR ml.owner_id IS NOT NULL
                                   OR ml.result_package_id IS NOT NULL)) AS recorded
              FROM stock_move m JOIN product_uom u ON u.id = m.product_uom
             WHERE m.id IN %s
        """, [tuple(move_ids) or (0,)])
        return {row["id"]: row for row in self.env.cr.dictfetchall()}

    @staticmethod
    def _move_refusal(fact, consumption, digits, where_refusal):
        """Why a move (its _move_facts) cannot post consumption set-based, or None."""
        checks = (
            (not fact["raw_material_production_id"], "not a component move of an MO"),
            (fact["state"] not in OPEN_STATES, "move is %s" % fact["state"]),
            (fact["chained"], "a picking, scrap, chained or returned move"),
            (consumption.lot, "tracked by lot or serial"),
            (where_refusal, where_refusal),
            (fact["recorded"], "recorded, lot or package move lines"),
            (not _consumes_demand(fact, consumption.qty, digits), "partial or extra consumption"),
        )
        return next((reason for refused, reason in checks if refused), None)

    # -- the set-based path ----------------------------------------------------------
    @api.model
    def _post_set_based(self, consumptions, moves, as_given):
        """consumptions in _action_done's order; as_given: in the caller's, the
        order in which Odoo's path records them (and numbers new move lines)."""
        now = fields.Datetime.now()
        book = self._quant_book(moves)
        lines = self._bulk_stock(consumptions, book, now)
        valuations = self._bulk_valuation(moves, lines)
        entries = self._bulk_entries(moves, valuations)
        recorded = OrderedDict((c.move.id, lines[c.move.id]) for c in as_given)
        self._write(moves, recorded, valuations, entries, book, now)
        return moves

    @api.model
    def _quant_book(self, moves):
        """The quants the moves touch, locked, as Odoo's _gather orders them."""
        Quant = self.env["stock.quant"].sudo()
        products = moves.mapped("product_id").filtered(lambda p: p.type == "product")
        sources = moves.mapped("location_id")
        targets = moves.mapped("location_dest_id")
        quants = Quant.search([("product_id", "in", products.ids), "|",
                               ("location_id", "child_of", sources.ids),
                               ("location_id", "in", targets.ids)])
        by_key = OrderedDict()
        for quant in quants:
            key = (quant.product_id.id, quant.location_id.id)
            if quant.lot_id or quant.package_id or quant.owner_id or \
                    quant.location_id not in sources | targets:
                raise NotReproduced("%s is kept with lots, packages, owners or in "
                                    "sub-locations" % quant.product_id.display_name)
            by_key.setdefault(key, []).append(quant)
        book = {}
        for (product_id, location_id), found in by_key.items():
            product = self.env["product.product"].browse(product_id)
            location = self.env["stock.location"].browse(location_id)
            strategy = Quant._get_removal_strategy(product, location)
            ordered = sorted(found, key=lambda q: (q.in_date is not False, q.in_date or "", q.id))
            if strategy == "lifo":
                ordered = sorted(found, key=lambda q: (q.in_date is False, q.in_date or "", q.id),
                                 reverse=True)
            elif strategy != "fifo":
                raise NotReproduced("removal strategy %s" % strategy)
            book[(product_id, location_id)] = [
                {"id": q.id, "quantity": q.quantity, "reserved_quantity": q.reserved_quantity,
                 "in_date": q.in_date or False} for q in ordered]
        self._lock_quants(quants)
        return QuantBook(book, self._reserving_lines(products, sources))

    @api.model
    def _reserving_lines(self, products, locations):
        """{(product id, location id): ids of move lines of open moves that reserve there}."""
        if not products or not locations:
            return {}
        self.env.cr.execute("""
            SELECT ml.id, ml.product_id, ml.location_id FROM stock_move_line ml
              JOIN stock_move m ON m.id = ml.move_id
             WHERE m.state NOT IN ('done', 'cancel') AND ml.product_qty > 0
               AND ml.product_id IN %s AND ml.location_id IN %s
        """, [tuple(products.ids), tuple(locations.ids)])
        reserving = {}
        for line_id, product_id, location_id in self.env.cr.fetchall():
            reserving.setdefault((product_id, location_id), set()).add(line_id)
        return reserving

    @api.model
    def _lock_quants(self, quants):
        if not quants:
            return
        try:
            with self.env.cr.savepoint():
                self.env.cr.execute("SELECT 1 FROM stock_quant WHERE id IN %s FOR UPDATE NOWAIT",
                                    [tuple(quants.ids)], log_exceptions=False)
        except OperationalError as error:
            if error.pgcode != "55P03":
                raise
            # Odoo's own path goes round a locked quant; it is its job then
            raise NotReproduced("quants are locked by another transaction") from error

    @api.model
    def _bulk_stock(self, consumptions, book, now):
        """{move id: [line dicts]}: move lines as consumed and done, quants moved in book."""
        lines = OrderedDict()
        for consumption in consumptions:
            move = consumption.move
            move_uom = move.product_uom.backflush_plain()
            own = []
            for line in move.move_line_ids:
                uom = line.product_uom_id.backflush_plain()
                own.append({"id": line.id, "record": line,
                            "product_uom_qty": line.product_uom_qty, "qty_done": 0.0,
                            "rounding": uom.rounding, "product_qty": line.product_qty,
                            "uom": uom, "location_id": line.location_id.id})
            rest = consume_on_lines(own, consumption.qty, move_uom.rounding)
            if rest:
                own.append({"id": None, "product_uom_qty": 0.0, "qty_done": rest,
                            "product_qty": 0.0, "uom": move_uom,
                            "location_id": move.location_id.id, "rounding": move_uom.rounding})
            for line in own:
                line["final_lot"] = consumption.final_lot.id or False
                if not line["qty_done"]:
                    raise NotReproduced("a reserved move line would be unlinked")
                self._move_quants(move, line, book, now, own)
            lines[move.id] = own
        return lines

    @api.model
    def _move_quants(self, move, line, book, now, own):
        """stock.move.line._action_done on one line, in book (own: the move's lines)."""
        product = move.product_id
        if product.type != "product":
            return
        rounding = product.uom_id.rounding
        source = (product.id, line["location_id"])
        reserving = book.reserving.setdefault(source, set())
        if float_compare(line["qty_done"], line["product_qty"],
                         precision_rounding=line["rounding"]) > 0:
            # _free_reservation: beyond what is free, other open moves' reservations go
            extra = line["qty_done"] - line["product_qty"]
            others = reserving - {own_line["id"] for own_line in own}
            if extra > max(book.available(source), 0.0) and others:
                raise NotReproduced("other moves' reservations would be taken back")
        reserving.discard(line["id"])
        if line["product_qty"]:
            book.release(source, line["product_qty"], rounding)
        qty = quantities.odoo_quantity(line["qty_done"], line["uom"],
                                       product.uom_id.backflush_plain(), "HALF-UP")
        in_date = book.update(source, -qty, rounding, now)
        book.update((product.id, move.location_dest_id.id), qty, rounding, now, in_date=in_date)

    @api.model
    def _bulk_valuation(self, moves, lines):
        """{move id: values written on it}, and FIFO layers and prices, as stock_account."""
        candidates = self._fifo_candidates(moves.mapped("product_id"))
        valuations = OrderedDict()
        prices, latest = [], {}
        for move in moves:
            product = move.product_id
            product_uom = product.uom_id.backflush_plain()
            valued = sum(quantities.odoo_quantity(line["qty_done"], line["uom"], product_uom)
                         for line in lines[move.id])
            open_layers = [c for c in candidates.get(product.id, []) if c["remaining_qty"] > 0.0]
            taken = take_fifo(open_layers, valued)
            # a FIFO product's price is set by each of its moves in turn
            standard = latest.get(product.id, product.standard_price)
            if taken[0] and product.cost_method == "fifo":
                standard = latest[product.id] = taken[0]
                prices.append((product, standard))
            currency = move.company_id.currency_id
            valuations[move.id] = out_valuation(
                {"product_qty": move.product_qty, "remaining_qty": move.remaining_qty,
                 "remaining_value": move.remaining_value, "valued_qty": valued},
                taken, standard, product.cost_method,
                lambda value, currency=currency: float_round(
                    value, precision_rounding=currency.rounding))
        valuations["layers"] = [c for layers in candidates.values() for c in layers
                                if c.get("touched")]
        valuations["prices"] = prices
        return valuations

    @api.model
    def _fifo_candidates(self, products):
        Move = self.env["stock.move"]
        domain = [("product_id", "in", products.ids), ("remaining_qty", ">", 0.0)] + \
            Move._get_in_base_domain()
        layers = {}
        for move in Move.search(domain, order="date, id"):
            layers.setdefault(move.product_id.id, []).append({
                "id": move.id, "remaining_qty": move.remaining_qty,
                "remaining_value": move.remaining_value, "price_unit": move.price_unit})
        return layers

    @api.model
    def _bulk_entries(self, moves, valuations):
        """[(move, entry values with line values)] as _account_entry_move makes them."""
        # stock_account reads the company-dependent accounts of each move's template
        # and category: browsed from the moves first, they are computed once for all
        browse_along(moves, "product_id.product_tmpl_id.categ_id")
        entries = []
        companies = self._leaving_companies(moves)
        in_company = {company_id: moves.with_context(force_company=company_id,
                                                     forced_ref=False).env
                      for company_id in set(companies.values())}
        accounting = {}
        accounting_keys = _AccountingKeys()
        # the date of each move's entry, read once: it depends on the context only
        date = self.env.context.get("force_period_date") or fields.Date.context_today(moves)
        for move in moves:
            product = move.product_id
            if product.valuation != "real_time" or product.type != "product":
                continue
            value = valuations[move.id].get("value", move.value)
            key = accounting_keys.of(move)
            if key not in accounting:
                accounting[key] = move._get_accounting_data_for_valuation()
            journal_id, _src, acc_dest, acc_valuation = accounting[key]
            items = move.with_env(in_company[companies[move.id]])._prepare_account_move_line(
                -move.product_qty, abs(value), acc_valuation, acc_dest)
            if not items:
                continue
            production = move.raw_material_production_id
            entries.append((move, {
                "journal_id": journal_id, "ref": production.name, "stock_move_id": move.id,
                "date": date, "items": [values for _command, _id, values in items]}))
        refusal = self.env["backflush.entry.writer"].refusal([values for _m, values in entries])
        if refusal:
            raise NotReproduced(refusal)
        return entries

    @staticmethod
    def _leaving_companies(moves):
        """{move id: company id} in whose context stock_account prepares the move's
        items: that of its move lines' source locations (its company_from), else
        the move's; several raise, as in stock_account."""
        companies = {}
        of_location = {}
        for move in moves:
            found = set()
            for line in move.move_line_ids:
                location = line.location_id
                if location.id not in of_location:
                    of_location[location.id] = location.company_id.id
                if of_location[location.id]:
                    found.add(of_location[location.id])
            companies[move.id] = moves.env["res.company"].browse(
                sorted(found)).id if found else move.company_id.id
        return companies

    # -- writing ------------------------------------------------------------------------
    @api.model
    def _write(self, moves, lines, valuations, entries, book, now):
        self._write_entries(entries)
        self._write_quants(book)
        written_lines = self._write_lines(lines, now)
        self._write_moves(moves, valuations, now)
        # before anything that recomputes (ir.property's write does): these are done
        for records in (moves, written_lines):
            for name in DONE_COMPUTED[records._name]:
                records._recompute_done(records._fields[name])
        self._write_prices(valuations["prices"])
        self.env["stock.move"].recompute()

    @api.model
    def _write_entries(self, entries):
        return self.env["backflush.entry.writer"].create_posted(
            [values for _move, values in entries])

    @api.model
    def _write_quants(self, book):
        Quant = self.env["stock.quant"].sudo()
        core_rows.delete_rows(Quant, book.deleted)
        updates = {quant["id"]: {"quantity": quant["quantity"],
                                 "reserved_quantity": quant["reserved_quantity"],
                                 "in_date": quant["in_date"]}
                   for quants in book.quants.values() for quant in quants
                   if quant["id"] is not None}
        core_rows.write_rows(Quant, updates)
        core_rows.create_rows(Quant, [
            {"product_id": quant["key"][0], "location_id": quant["key"][1],
             "quantity": quant["quantity"], "in_date": quant["in_date"], "lot_id": False,
             "package_id": False, "owner_id": False} for quant in book.created])

    @api.model
    def _write_lines(self, lines, now):
        Line = self.env["stock.move.line"]
        updates, new = {}, []
        for move_id, own in lines.items():
            move = self.env["stock.move"].browse(move_id)
            for line in own:
                values = dict(DONE_COMPUTED[Line._name], qty_done=line["qty_done"],
                              lot_produced_id=line["final_lot"], product_uom_qty=0.0, date=now)
                if line["id"]:
                    updates[line["id"]] = values
                else:
                    # stock.move.line.create orders what the line reserves: nothing
                    new.append(dict(values, move_id=move_id, product_id=move.product_id.id,
                                    ordered_qty=0.0,
                                    location_id=line["location_id"],
                                    location_dest_id=move.location_dest_id.id,
                                    product_uom_id=move.product_uom.id))
        return core_rows.write_rows(Line, updates) | core_rows.create_rows(Line, new)

    @api.model
    def _write_moves(self, moves, valuations, now):
        core_rows.write_rows(self.env["stock.move"], {
            move.id: dict(valuations[move.id], state="done", date=now,
                          **DONE_COMPUTED[moves._name]) for move in moves})
        core_rows.write_rows(self.env["stock.move"], {
            layer["id"]: {"remaining_qty": layer["remaining_qty"],
                          "remaining_value": layer["remaining_value"]}
            for layer in valuations["layers"]})

    @api.model
    def _write_prices(self, prices):
        """The FIFO products' new standard prices, as product.product.write sets
        them: a price history row per price, in order, and the last as property."""
        company_id = self.env.context.get("force_company", self.env.user.company_id.id)
        core_rows.create_rows(self.env["product.price.history"].sudo(), [
            {"product_id": product.id, "cost": price, "company_id": company_id}
            for product, price in prices])
        latest = OrderedDict((product.id, price) for product, price in prices)
        if latest:
            self.env["ir.property"].sudo().set_multi(
                "standard_price", "product.product", latest)
            self.env["product.product"].invalidate_cache(["standard_price"], list(latest))
