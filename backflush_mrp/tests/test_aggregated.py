"""The periodic run's aggregated posting: one stock move per component for many MOs."""
from .. import bulk
from .common_accounting import BackflushAccountingCase

ACCOUNT_KEYS = ("stock", "input", "output", "wip", "usage", "price", "revision", "scrap")


class TestAggregatedPeriodicRun(BackflushAccountingCase):

    def setUp(self):
        super().setUp()
        # orders other tests left pending would share the run (rolled back after)
        self.env["mrp.production"]._cron_backflush_periodic()
        self.company.backflush_aggregated_posting = True
        self.rule(name="End of shift", trigger="periodic")
        self.receive_everything()

    def _closed_mos(self, *quantities):
        productions = [self.make_mo(qty) for qty in quantities]
        for production in productions:
            self.produce(production, production.product_qty)
            production.button_mark_done()
        return productions

    def _aggregated_moves(self):
        return self.env["stock.move"].search([("backflush_aggregated", "=", True),
                                              ("state", "=", "done")])

    def _entries_of(self, moves):
        return self.env["backflush.log.line"].search(
            [("move_ids", "in", moves.ids)]).mapped("log_id.account_move_ids")

    def _snapshot(self):
        stock = tuple(self.on_hand(p) for p in (self.leg, self.top, self.screw, self.table))
        return stock, {key: self.account_balance(key) for key in ACCOUNT_KEYS}

    def test_one_move_per_component_and_one_entry_for_the_run(self):
        before_moves = self._aggregated_moves()
        productions = self._closed_mos(1, 2, 3)
        self.env["mrp.production"].sudo(self.shopfloor)._cron_backflush_periodic()
        # stock, as the warehouse sees it
        self.assertEqual(self.on_hand(self.leg), 100 - 24)
        self.assertEqual(self.on_hand(self.top), 100 - 6)
        self.assertEqual(self.on_hand(self.screw), 100 - 48)
        moves = self._aggregated_moves() - before_moves
        self.assertEqual(len(moves), 3)
        self.assertEqual(sorted(moves.mapped("product_qty")), [6.0, 24.0, 48.0])
        # each order's share, as its Backflush tab shows it
        for production, qty in zip(productions, (1, 2, 3)):
            self.assertEqual(self.consumed(production, self.leg), 4 * qty)
            self.assertEqual(self.consumed(production, self.screw), 8 * qty)
            self.assertEqual(self.line_of(production, self.top).value_aggregated, 20.0 * qty)
            self.assertFalse(production.backflush_line_ids.filtered("qty_pending"))
            self.assertEqual(production.backflush_state, "done")
            # its planned component moves are closed, not left open
            self.assertFalse(production.move_raw_ids.filtered(
                lambda m: m.state not in ("done", "cancel")))
        # one journal entry: stock credited per component, WIP debited per order
        entry = self._entries_of(moves)
        self.assertEqual(len(entry), 1)
        self.assertEqual(entry.state, "posted")
        stock_items = entry.line_ids.filtered(lambda i: i.account_id == self.accounts["stock"])
        self.assertEqual(sorted(round(i.credit, 2) for i in stock_items), [4.8, 60.0, 120.0])
        wip_items = entry.line_ids.filtered(lambda i: i.account_id == self.accounts["wip"])
        self.assertEqual(sorted((i.backflush_production_id.id, round(i.debit, 2))
                                for i in wip_items),
                         sorted((p.id, 30.80 * q) for p, q in zip(productions, (1, 2, 3))))
        for production, qty in zip(productions, (1, 2, 3)):
            self.assertEqual(self.balance(production, "wip"), 0.0)
            # the log keeps the order's share of each move
            log = production.backflush_log_ids.filtered(lambda log: log.event == "periodic")
            self.assertEqual(len(log), 1)
            self.assertIn(entry, log.account_move_ids)
            leg = log.line_ids.filtered(lambda line: line.product_id == self.leg)
            self.assertEqual((leg.qty_posted, leg.value, leg.qty_actual),
                             (4.0 * qty, 10.0 * qty, 4.0 * qty))
            self.assertEqual(leg.move_ids, moves.filtered(lambda m: m.product_id == self.leg))
        # a second run finds nothing to do
        self.env["mrp.production"]._cron_backflush_periodic()
        self.assertEqual(self._aggregated_moves() - before_moves, moves)
        self.assertEqual(self.on_hand(self.leg), 100 - 24)

    def test_chunks_each_post_their_own_moves_and_entry(self):
        before_moves = self._aggregated_moves()
        productions = self._closed_mos(1, 1, 1)
        self.env["mrp.production"]._cron_backflush_periodic(chunk_size=2)
        moves = self._aggregated_moves() - before_moves
        self.assertEqual(len(moves), 6)
        self.assertEqual(len(self._entries_of(moves)), 2)
        self.assertEqual(self.on_hand(self.leg), 100 - 12)
        for production in productions:
            self.assertEqual(self.consumed(production, self.leg), 4)
            self.assert_wip_zero(production)

    def test_revision_variance_is_settled_per_order(self):
        self.table.standard_price = 32.00
        production, other = self._closed_mos(5, 1)
        self.env["mrp.production"]._cron_backflush_periodic()
        self.assertEqual(self.variance(production, "revision"), -6.00)
        self.assertEqual(self.variance(other, "revision"), -1.20)
        self.assertEqual(self.variance(production, "usage"), 0.0)
        self.assert_wip_zero(production)
        self.assert_wip_zero(other)

    def test_consumption_recorded_by_hand_stays_with_its_order(self):
        production, other = self._closed_mos(1, 1)
        screws = production.move_raw_ids.filtered(
            lambda m: m.product_id == self.screw and m.state not in ("done", "cancel"))
        screws.quantity_done = 5
        self.env["mrp.production"]._cron_backflush_periodic()
        self.assertEqual(self.on_hand(self.screw), 100 - 16)
        self.assertEqual(self.consumed(production, self.screw), 8)
        self.assertEqual(self.line_of(production, self.screw).qty_aggregated, 0.0)
        self.assertEqual(screws.state, "done")
        self.assertEqual(screws.product_qty, 8)
        self.assertEqual(self.line_of(other, self.screw).qty_aggregated, 8.0)
        self.assert_wip_zero(production)
        self.assert_wip_zero(other)

    def test_option_off_posts_every_order_with_its_own_moves(self):
        self.company.backflush_aggregated_posting = False
        before_moves = self._aggregated_moves()
        production, = self._closed_mos(2)
        self.env["mrp.production"]._cron_backflush_periodic()
        self.assertEqual(self._aggregated_moves(), before_moves)
        self.assertEqual(self.consumed(production, self.leg), 8)
        self.assertEqual(self.line_of(production, self.leg).qty_aggregated, 0.0)
        self.assert_wip_zero(production)

    def test_reverse_backflush_gives_back_the_orders_share(self):
        before = self._snapshot()
        self.table.standard_price = 32.00
        production, other = self._closed_mos(5, 2)
        self.env["mrp.production"]._cron_backflush_periodic()
        self.assertNotEqual(self._snapshot(), before)
        production.action_backflush_reverse()
        other.action_backflush_reverse()
        self.assertEqual(self._snapshot(), before)
        self.assertEqual(self.balance(production, "wip"), 0.0)
        self.assertEqual(self.variance(production, "revision"), 0.0)
        # reversing again gives nothing more back
        production.action_backflush_reverse()
        self.assertEqual(self._snapshot(), before)

    def test_unbuild_gives_back_the_unbuilt_share(self):
        before = self._snapshot()
        production, = self._closed_mos(5)
        self.env["mrp.production"]._cron_backflush_periodic()
        unbuild = self.env["mrp.unbuild"].create({
            "product_id": self.table.id, "bom_id": production.bom_id.id,
            "mo_id": production.id, "product_qty": 2, "product_uom_id": self.uom_unit.id,
            "location_id": self.stock_location.id,
            "location_dest_id": self.stock_location.id})
        unbuild.action_unbuild()
        self.assertEqual(self.on_hand(self.table), 3)
        self.assertEqual(self.on_hand(self.leg), 100 - 12)
        self.assertEqual(self.on_hand(self.screw), 100 - 24)
        self.assertEqual(self.balance(production, "wip"), 0.0)
        unbuild = unbuild.copy({"product_qty": 3})
        unbuild.action_unbuild()
        self.assertEqual(self._snapshot(), before)


class TestBulkWrites(BackflushAccountingCase):
    """The set-based writes give the same records as the ORM's create()."""

    def _log_values(self, production, moves, name):
        return {
            "name": name, "production_id": production.id, "company_id": self.company.id,
            "event": "periodic", "trigger": "periodic", "user_id": self.env.uid,
            "date": "2026-11-21 08:00:00", "summary": False,
            "move_ids": [(6, 0, moves.ids)],
            "line_ids": [(0, 0, {"product_id": self.leg.id, "product_uom_id": self.uom_unit.id,
                                 "qty_standard": 4.0, "qty_posted": 4.0, "qty_actual": 4.0,
                                 "unit_cost": 2.5, "value": 10.0,
                                 "move_ids": [(6, 0, moves[:1].ids)]})],
        }

    def _read(self, log):
        fields_ = ["name", "production_id", "company_id", "event", "trigger", "user_id",
                   "date", "summary", "move_ids"]
        line_fields = ["product_id", "product_uom_id", "qty_standard", "qty_posted",
                       "qty_actual", "unit_cost", "value", "move_ids"]
        values = {name: log[name] for name in fields_}
        values["lines"] = [{name: line[name] for name in line_fields} for line in log.line_ids]
        return values

    def test_create_many_equals_create(self):
        self.receive_everything()
        production = self.make_mo(1)
        self.produce(production, 1)
        production.button_mark_done()
        moves = production.move_raw_ids
        Log = self.env["backflush.log"]
        self.assertEqual(len(production.backflush_log_ids), 1)
        created = Log.create(self._log_values(production, moves, "orm"))
        bulk_logs = bulk.create_many(Log, [self._log_values(production, moves, "bulk")] * 2)
        self.assertEqual(len(bulk_logs), 2)
        expected = dict(self._read(created), name="bulk")
        for log in bulk_logs:
            self.assertEqual(self._read(log), expected)
        # the MO's cached list of logs knows the new ones
        self.assertEqual(len(production.backflush_log_ids), 4)
        # they record no real posting: gone before the audit of tearDown
        (created | bulk_logs).unlink()

    def test_add_to_columns(self):
        self.receive_everything()
        production = self.make_mo(2)
        leg, top = self.line_of(production, self.leg), self.line_of(production, self.top)
        Line = self.env["mrp.production.backflush.line"]
        bulk.add_to_columns(Line, {leg.id: {"qty_aggregated": 3.0, "value_aggregated": 7.5},
                                   top.id: {"qty_aggregated": 1.0, "value_aggregated": 20.0}})
        bulk.add_to_columns(Line, {leg.id: {"qty_aggregated": 5.0, "value_aggregated": 12.5}})
        self.assertEqual((leg.qty_aggregated, leg.value_aggregated), (8.0, 20.0))
        self.assertEqual((top.qty_aggregated, top.value_aggregated), (1.0, 20.0))
        self.assertEqual(leg.qty_consumed, 8.0)
        # what the test added is not a real posting: take it back before the audit
        bulk.add_to_columns(Line, {leg.id: {"qty_aggregated": -8.0, "value_aggregated": -20.0},
                                   top.id: {"qty_aggregated": -1.0, "value_aggregated": -20.0}})
