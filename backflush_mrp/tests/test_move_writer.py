"""The set-based posting writes exactly the rows Odoo's own path writes (SPEC 4d).

Each scenario runs twice from the same database state, rolled back after
each run: once with the component moves posted by Odoo's own path
(``backflush_odoo_posting``: mrp's _generate_consumed_move_line, then
_action_done with stock_account's valuation and entries), once set-based
by backflush.move.writer. Every column of every row either run created or
changed is then compared: stock moves, move lines, quants, FIFO layers,
journal entries and items, price history, the journal's sequence.

Only what cannot be equal is normalised: the rows' ids (new rows are
numbered by creation order, and references to them follow), their
create/write dates and uids, and timestamps of "now" (each path reads the
clock at its own moment).
"""
import functools
import time
from datetime import datetime

from odoo import fields
from odoo.exceptions import UserError

from ..lib.stock_arithmetic import Consumption
from ..models.backflush_move_writer import foreign_overrides
from .common_accounting import BackflushAccountingCase

# tables compared, and the rows of each that a run can create or change
TABLES = ("stock_move", "stock_move_line", "stock_quant", "account_move",
          "account_move_line", "product_price_history")
# other tables whose new rows the compared rows refer to
REFERRED = ("mrp_production", "mrp_production_backflush_line", "procurement_group",
            "mrp_workorder", "stock_production_lot")
MAGIC = {"id", "create_date", "write_date", "create_uid", "write_uid"}
MODELS = {"stock_move": "stock.move", "stock_move_line": "stock.move.line",
          "stock_quant": "stock.quant", "account_move": "account.move",
          "account_move_line": "account.move.line",
          "product_price_history": "product.price.history"}


class WriterCase(BackflushAccountingCase):

    maxDiff = None

    def setUp(self):
        super().setUp()
        # orders other tests left pending (committed ones) are not this test's run
        self.env["mrp.production"]._cron_backflush_periodic()

    def _rows(self, table, since, products):
        """Rows of table created by the run, or of the products it moved."""
        cr = self.env.cr
        by_product = "product_id" in self.env[MODELS[table]]._fields
        cr.execute("SELECT * FROM %s WHERE id > %%s %s ORDER BY id" % (
            table, "OR product_id IN %s" if by_product else ""),
            [since[table], products] if by_product else [since[table]])
        names = [column.name for column in cr.description]
        return [dict(zip(names, row)) for row in cr.fetchall()]

    def _snapshot(self, started, since):
        self.env.cr.execute("SELECT DISTINCT product_id FROM stock_move WHERE id > %s",
                            [since["stock_move"]])
        products = tuple(row[0] for row in self.env.cr.fetchall()) or (0,)
        rows = {table: self._rows(table, since, products) for table in TABLES}
        rank = {}
        # new rows are known by their rank, and so are references to them
        rank.update({table: {row["id"]: ("new %s" % table, index)
                             for index, row in enumerate(r for r in found
                                                         if r["id"] > since[table])}
                     for table, found in rows.items()})
        self.env.cr.execute("SELECT number_next FROM ir_sequence_date_range "
                            "WHERE sequence_id = %s", [self.stock_journal.sequence_id.id])
        snapshot = {"sequence": self.env.cr.fetchall()}
        # MOs are named by a PostgreSQL sequence, which a rollback does not give back
        self.env.cr.execute("SELECT name FROM mrp_production WHERE id > %s ORDER BY id",
                            [since["mrp_production"]])
        rank["names"] = {name: ("new MO", index)
                         for index, (name,) in enumerate(self.env.cr.fetchall())}
        for table in REFERRED:
            self.env.cr.execute("SELECT id FROM %s WHERE id > %%s ORDER BY id" % table,
                                [since[table]])
            rank[table] = {row_id: ("new %s" % table, index)
                           for index, (row_id,) in enumerate(self.env.cr.fetchall())}
        for table, found in rows.items():
            model = self.env[MODELS[table]]
            targets = {name: field.comodel_name for name, field in model._fields.items()
                       if field.type == "many2one" and field.store}
            snapshot[table] = sorted(
                (rank[table].get(row["id"], ("old %s" % table, row["id"])),
                 tuple(sorted((name, self._normal(value, targets.get(name), rank, started))
                              for name, value in row.items() if name not in MAGIC)))
                for row in found)
        return snapshot

    def _normal(self, value, comodel, rank, started):
        if comodel:
            table = self.env[comodel]._table
            return rank.get(table, {}).get(value, value)
        if isinstance(value, datetime) and value >= started:
            return "now"
        if isinstance(value, str) and value in rank["names"]:
            return rank["names"][value]
        if isinstance(value, str) and len(value) == 19 and value >= str(started)[:19]:
            return "now"
        return value

    def _run(self, scenario, odoo_posting):
        cr = self.env.cr
        since = {}
        for table in TABLES + REFERRED:
            cr.execute("SELECT COALESCE(MAX(id), 0) FROM %s" % table)
            since[table] = cr.fetchone()[0]
        cr.execute("SAVEPOINT backflush_writer")
        # _action_done takes the moves in the order PostgreSQL returns them
        # (exists()), and so does the writer; rows a rolled-back run left behind
        # change that order in the next one: both runs read through the indexes
        cr.execute("SET LOCAL enable_seqscan = off")
        cr.execute("SET LOCAL enable_bitmapscan = off")
        # at the next second: what happened before the run is older than "now"
        time.sleep(1.01 - time.time() % 1)
        started = datetime.strptime(fields.Datetime.now(), "%Y-%m-%d %H:%M:%S")
        if odoo_posting:
            self.env = self.env(context=dict(self.env.context, backflush_odoo_posting=True))
        try:
            outcome = scenario()
            self.env["stock.move"].invalidate_cache()
            return self._snapshot(started, since), outcome
        finally:
            cr.execute("ROLLBACK TO SAVEPOINT backflush_writer")
            self.env.clear()
            self.env = self.__class__.env

    def assert_same_rows(self, scenario):
        """Both runs' rows, equal to the column; (Odoo's, the writer's) outcomes."""
        odoo, odoo_outcome = self._run(scenario, odoo_posting=True)
        writer, writer_outcome = self._run(scenario, odoo_posting=False)
        for key in sorted(odoo):
            self.assertEqual(writer[key], odoo[key], "%s differ from Odoo's own path" % key)
        return odoo, writer, odoo_outcome, writer_outcome

    @staticmethod
    def posted_move_entries(snapshot):
        return len([row for _rank, row in snapshot["account_move"]
                    if dict(row)["stock_move_id"]])

    # -- the steps ------------------------------------------------------------------------
    def periodic_run(self, quantities):
        """MOs made and closed with every component periodic, then the scheduled run."""
        productions = self.close_orders(quantities)
        result = self.env["mrp.production"]._cron_backflush_periodic()
        return productions, result


class TestWriterPeriodic(WriterCase):

    def setUp(self):
        super().setUp()
        self.rule(name="End of shift", trigger="periodic")

    def test_reserved_standard_components(self):
        self.receive_everything()
        odoo, writer, odoo_outcome, writer_outcome = self.assert_same_rows(
            lambda: self.periodic_run([2, 3, 5]))
        _productions, result = writer_outcome
        self.assertEqual(result["odoo_path"], [], "the writer posted set-based")
        self.assertEqual(odoo_outcome[1]["odoo_path"], ["Odoo's own posting was asked for"])
        # the comparison saw the postings: 3 MOs x 3 components and 3 finished
        # moves, each with its entry
        self.assertEqual(self.posted_move_entries(writer), 12)
        self.assertEqual(self.posted_move_entries(odoo), 12)

    def test_fifo_layers_across_the_chunk(self):
        self._value_in_real_time(self.categ_raw, "fifo")
        self.receive(self.leg, 10, price_unit=2.00)
        self.receive(self.leg, 15, price_unit=3.00)
        self.receive(self.top, 10, price_unit=20.00)
        self.receive(self.screw, 100)
        _odoo, writer, _o, writer_outcome = self.assert_same_rows(
            lambda: self.periodic_run([1, 2, 3]))
        self.assertEqual(writer_outcome[1]["odoo_path"], [])
        # the layers of both receipts were taken: 6 + 12 legs out of 10 at 2.00, 15 at 3.00
        layers = [dict(row) for rank, row in writer["stock_move"]
                  if rank[0] == "old stock_move"]
        self.assertEqual(sorted((row["remaining_qty"], row["remaining_value"])
                                for row in layers if row["product_id"] == self.leg.id),
                         [(0.0, 0.0), (1.0, 3.0)])

    def test_negative_stock(self):
        # no stock at all: negative quants and FIFO's negative branch
        _odoo, _writer, _o, writer_outcome = self.assert_same_rows(
            lambda: self.periodic_run([2, 2]))
        self.assertEqual(writer_outcome[1]["odoo_path"], [])

    def test_bom_unit_other_than_the_product_unit(self):
        dozen = self.env.ref("product.product_uom_dozen")
        self.line_screw.write({"product_qty": 1, "product_uom_id": dozen.id})
        self.receive_everything()
        _odoo, _writer, _o, writer_outcome = self.assert_same_rows(
            lambda: self.periodic_run([3, 4]))
        self.assertEqual(writer_outcome[1]["odoo_path"], [])


class TestWriterCompletion(WriterCase):

    def test_on_completion(self):
        self.receive_everything()

        def scenario():
            production = self.make_mo(4)
            self.produce(production, 4)
            production.button_mark_done()
            return production
        self.assert_same_rows(scenario)

    def test_lots_go_to_odoo_path(self):
        glue = self._product("Glue", 1.0, self.categ_raw, tracking="lot")
        self.bom.write({"bom_line_ids": [(0, 0, {"product_id": glue.id, "product_qty": 2})]})
        lot = self.env["stock.production.lot"].create({"name": "W-1", "product_id": glue.id})
        self.receive_everything()
        self.put_stock(glue, 10, lot=lot)
        production = self.make_mo(2)
        self.produce(production, 2)
        production.button_mark_done()
        self.assertEqual(self.consumed(production, glue), 4.0)
        self.assertEqual(self.on_hand(glue, lot=lot), 6.0)



class TestWriterCache(WriterCase):
    """The set-based writes leave in the ORM cache what a read of their rows gives."""

    WRITTEN = {"stock.move": ("state", "value", "remaining_qty", "price_unit"),
               "stock.move.line": ("qty_done", "product_uom_qty", "lot_produced_id"),
               "stock.quant": ("quantity", "reserved_quantity"),
               "account.move": ("journal_id", "ref", "state"),
               "account.move.line": ("account_id", "debit", "credit", "product_id")}

    def _cached(self, records):
        """{(model, id, field): value as written} of records' cached stored columns."""
        found = {}
        for record in records:
            for name, field in record._fields.items():
                if field.store and field.column_type and not field.compute \
                        and self.env.cache.contains(record, field):
                    found[(record._name, record.id, name)] = field.convert_to_write(
                        record[name], record)
        return found

    def test_cache_holds_the_rows_as_written(self):
        self.rule(name="End of shift", trigger="periodic")
        self.receive_everything()
        productions = self.close_orders([2, 3])
        moves = productions.mapped("move_raw_ids")
        result = self.env["mrp.production"]._cron_backflush_periodic()
        self.assertEqual(result["odoo_path"], [], "the writer posted set-based")
        entries = moves.mapped("account_move_ids")
        quants = self.env["stock.quant"].search(
            [("product_id", "in", moves.mapped("product_id").ids)])
        cached = {}
        for records in (moves, moves.mapped("move_line_ids"), quants, entries,
                        entries.mapped("line_ids")):
            cached.update(self._cached(records))
        for model, names in self.WRITTEN.items():
            for name in names:
                self.assertTrue(any(key[0] == model and key[2] == name for key in cached),
                                "%s.%s was not left in the cache" % (model, name))
        self.env["stock.move"].invalidate_cache()   # all models, all fields
        read = {}
        for model, record_id, name in cached:
            record = self.env[model].browse(record_id)
            read[(model, record_id, name)] = record._fields[name].convert_to_write(
                record[name], record)
        differ = {key: (value, read[key]) for key, value in cached.items()
                  if value != read[key]}
        self.assertEqual(differ, {}, "cached values (left) that the rows do not hold (right)")

class TestWriterRefusals(WriterCase):
    """Each move the set-based path does not reproduce is refused, and says why."""

    def _leg_refusal(self, change=None, qty=None, lot=False):
        self.receive_everything()
        production = self.make_mo(2)
        move = production.move_raw_ids.filtered(lambda m: m.product_id == self.leg)
        if change:
            # no tracking message on the picking (the test company sends no mail)
            change(move.with_context(mail_notrack=True))
        consumption = Consumption(move, move.product_uom_qty if qty is None else qty,
                                  self.env["stock.production.lot"].browse(lot),
                                  self.env["stock.production.lot"])
        return self.env["backflush.move.writer"]._refusal([consumption])

    def test_refusals(self):
        picking_type = self.env.ref("stock.picking_type_internal")
        cases = [
            (None, None, None),
            (lambda move: move.write({"raw_material_production_id": False}), None,
             "not a component move of an MO"),
            (lambda move: move.write({"state": "draft"}), None, "move is draft"),
            (lambda move: move.write({"picking_id": self.env["stock.picking"].with_context(
                mail_create_nolog=True).create({
                "picking_type_id": picking_type.id,
                "location_id": picking_type.default_location_src_id.id,
                "location_dest_id": picking_type.default_location_dest_id.id}).id}), None,
             "a picking, scrap, chained or returned move"),
            (lambda move: move.write({"move_dest_ids": [(4, move.copy().id)]}), None,
             "a picking, scrap, chained or returned move"),
            (lambda move: move.write({"origin_returned_move_id": move.copy().id}), None,
             "a picking, scrap, chained or returned move"),
            (lambda move: move.write({"restrict_partner_id": self.env.user.partner_id.id}), None,
             "a picking, scrap, chained or returned move"),
            (lambda move: move.move_line_ids.write({"qty_done": 1.0}), None,
             "recorded, lot or package move lines"),
            (None, 7.0, "partial or extra consumption"),
            (None, 9.0, "partial or extra consumption"),
            (lambda move: move.write({"location_id": self.supplier_location.id}), None,
             "not from internal stock to production"),
        ]
        for change, qty, reason in cases:
            with self.subTest(reason=reason), self.env.cr.savepoint():
                found = self._leg_refusal(change, qty)
                self.assertEqual(found, reason and "%s: %s" % (self.leg.display_name, reason))
                self.env.clear()

    def test_a_move_consumed_twice(self):
        self.receive_everything()
        move = self.make_mo(2).move_raw_ids[:1]
        twice = [Consumption(move, move.product_uom_qty, self.env["stock.production.lot"],
                             self.env["stock.production.lot"])] * 2
        self.assertEqual(self.env["backflush.move.writer"]._refusal(twice),
                         "%s is consumed twice in one posting" % move.display_name)


class TestEntryWriterChecks(WriterCase):
    """create_posted refuses what account.move's post() refuses, with its message."""

    def _entry(self, credit=10.0, date=None, credit_account=None):
        return {"journal_id": self.stock_journal.id, "ref": "BF check",
                "date": date or fields.Date.context_today(self.env.user),
                "items": [
                    {"name": "debit", "account_id": self.accounts["wip"].id,
                     "debit": 10.0, "credit": 0.0},
                    {"name": "credit", "account_id": (credit_account
                                                      or self.accounts["stock"]).id,
                     "debit": 0.0, "credit": credit}]}

    def _lock(self, date):
        # the demo data's draft entries would make the company's write refuse it
        self.env.cr.execute("UPDATE res_company SET fiscalyear_lock_date = %s, "
                            "period_lock_date = %s WHERE id = %s", [date, date, self.company.id])
        self.company.invalidate_cache()

    def _refusals(self, entry):
        """(Odoo's create + post, create_posted): each refusal's message."""
        messages = []
        for post in (self._odoo_post, self.env["backflush.entry.writer"].create_posted):
            with self.assertRaises(UserError) as caught, self.env.cr.savepoint():
                # a good entry first: the chunk's check looks at every entry
                post([self._entry(), entry])
            messages.append(caught.exception.name)
        return messages

    def _odoo_post(self, entries):
        for entry in entries:
            self.env["account.move"].sudo().create(dict(
                {key: value for key, value in entry.items() if key != "items"},
                line_ids=[(0, 0, item) for item in entry["items"]])).post()

    def test_unbalanced(self):
        odoo, writer = self._refusals(self._entry(credit=9.0))
        self.assertEqual(writer, odoo)
        self.assertIn("unbalanced", writer)

    def test_locked_period(self):
        # for advisers and for users alike
        self._lock("2026-06-30")
        odoo, writer = self._refusals(self._entry(date="2026-06-30"))
        self.assertEqual(writer, odoo)
        self.assertIn("lock date 2026-06-30", writer)

    def test_another_companys_account(self):
        other = self.env["res.company"].create({"name": "Backflush other company"})
        account = self.env["account.account"].create({
            "code": "BFT9999", "name": "Other company's", "company_id": other.id,
            "user_type_id": self.env.ref("account.data_account_type_current_assets").id})
        odoo, writer = self._refusals(self._entry(credit_account=account))
        self.assertEqual(writer, odoo)
        self.assertIn("different companies", writer)

    def test_accepted_entries_are_posted(self):
        self._lock("2026-06-30")
        entries = self.env["backflush.entry.writer"].create_posted(
            [self._entry(date="2026-07-01"), self._entry(date="2026-12-31")])
        self.assertEqual(entries.mapped("state"), ["posted", "posted"])


class TestWriterNames(WriterCase):
    """Entry names drawn for a chunk at once are those next_by_id() gives one by one."""

    def _sequence(self):
        return self.env["ir.sequence"].create({
            "name": "Backflush names", "prefix": "BN/%(range_year)s/%(month)s/",
            "suffix": "-%(y)s", "padding": 6, "use_date_range": True,
            "implementation": "no_gap"})

    def test_drawn_names_are_next_by_id_names(self):
        writer = self.env["backflush.entry.writer"]
        date = "2026-03-15"
        drawn = writer._draw(self._sequence(), date, 3)
        one_by_one = self._sequence().with_context(ir_sequence_date=date)
        expected = [one_by_one.next_by_id() for _index in range(3)]
        self.assertEqual(drawn, expected)
        self.assertEqual(drawn[0], "BN/2026/03/000001-26")

    def test_an_overriding_get_next_char_is_called_for_each_number(self):
        sequence = self._sequence()
        odoo_class = self.env.registry.models["ir.sequence"]
        calls = []

        def get_next_char(records, number_next):
            calls.append(number_next)
            return "X%d" % number_next

        overriding_class = type("ir.sequence", (odoo_class,), {
            "_register": False, "_module": "backflush_test_override",
            "get_next_char": get_next_char})
        self.env.registry.models["ir.sequence"] = overriding_class
        try:
            drawn = self.env["backflush.entry.writer"]._draw(
                self.env["ir.sequence"].browse(sequence.id), "2026-03-15", 2)
        finally:
            self.env.registry.models["ir.sequence"] = odoo_class
        self.assertEqual((drawn, calls), (["X1", "X2"], [1, 2]))


def overriding(odoo_class, method_name, on_call):
    """What loading a module with `_inherit` that extends method_name of odoo_class's
    model puts in the registry; on_call(records, *args) sees each call first."""

    def method(records, *args, **kwargs):
        on_call(records, *args, **kwargs)
        return getattr(super(test_module_class, records), method_name)(*args, **kwargs)

    test_module_class = type(odoo_class._name, (odoo_class,), {
        "_register": False, "_module": "backflush_test_override", method_name: method})
    return test_module_class


class TestWriterStepsAside(WriterCase):
    """Another module extending a method the writer stands in for gets Odoo's path."""

    def test_a_module_overriding_action_done_gets_odoo_path(self):
        self.rule(name="End of shift", trigger="periodic")
        self.receive_everything()
        registry = self.env.registry
        odoo_class = registry.models["stock.move"]
        calls = []
        registry.models["stock.move"] = overriding(odoo_class, "_action_done", lambda moves: (
            calls.append((len(moves), sorted(set(moves.mapped("product_id.name")))))))
        try:
            productions, result = self.periodic_run([2, 3])
        finally:
            registry.models["stock.move"] = odoo_class
        self.assertEqual(result["odoo_path"],
                         ["backflush_test_override overrides stock.move._action_done"])
        # the override ran on the periodic run's component moves
        self.assertEqual(calls[-1], (6, ["Leg", "Screw", "Top"]))
        run_log = self.env["backflush.log"].search([("event", "=", "periodic"),
                                                    ("production_id", "=", False)], limit=1)
        self.assertIn("backflush_test_override overrides stock.move._action_done",
                      run_log.summary)
        for production in productions:
            self.assertEqual(production.backflush_state, "done")
            self.assertEqual(self.consumed(production, self.leg), 4 * production.product_qty)
            self.assert_wip_zero(production)

    def test_a_module_overriding_entry_create_gets_it_for_every_entry(self):
        """The settlement's entries too: every entry goes through its create."""
        self.rule(name="End of shift", trigger="periodic")
        self.receive_everything()
        self.table.standard_price = 29.80   # a price variance to settle
        registry = self.env.registry
        odoo_class = registry.models["account.move"]
        created = []
        registry.models["account.move"] = overriding(
            odoo_class, "create", lambda _entries, vals: created.append(vals.get("ref")))
        try:
            productions, result = self.periodic_run([2, 3])
        finally:
            registry.models["account.move"] = odoo_class
        self.assertEqual(result["odoo_path"],
                         ["backflush_test_override overrides account.move.create"])
        entries = self.env["account.move"].search(
            [("line_ids.backflush_production_id", "in", productions.ids)])
        self.assertEqual(len(created), len(entries))
        # the settlement's are made with their MO as reference (stock_account's without)
        self.assertEqual(sorted(ref for ref in created if ref), sorted(productions.mapped("name")))
        for production in productions:
            # 1.00 per table below its roll-up, whichever variance it is
            self.assertEqual(round(sum(self.items(production).filtered(
                "backflush_variance_type").mapped("balance")), 2), production.product_qty)
            self.assert_wip_zero(production)

    def test_a_probe_is_not_an_override_a_patch_is(self):
        odoo_class = self.env.registry.models["stock.move"]
        original = odoo_class._action_done

        @functools.wraps(original)
        def probe(*args, **kwargs):
            return original(*args, **kwargs)

        def patch(moves):
            return original(moves)

        try:
            odoo_class._action_done = probe
            self.assertEqual(foreign_overrides(self.env), [])
            odoo_class._action_done = patch
            self.assertEqual(foreign_overrides(self.env),
                             ["a run-time patch overrides stock.move._action_done"])
        finally:
            del odoo_class._action_done
        self.assertEqual(foreign_overrides(self.env), [])
