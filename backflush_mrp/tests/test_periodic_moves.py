"""The periodic run consumes through each MO's own raw moves (SPEC section 4d)."""
from .. import bulk
from .common_accounting import BackflushAccountingCase

ACCOUNT_KEYS = ("stock", "input", "output", "wip", "usage", "price", "revision", "scrap")


class TestPeriodicRunOwnMoves(BackflushAccountingCase):

    def setUp(self):
        super().setUp()
        # orders other tests left pending would share the run (rolled back after)
        self.env["mrp.production"]._cron_backflush_periodic()
        self.rule(name="End of shift", trigger="periodic")
        self.receive_everything()

    def _closed_mos(self, *quantities):
        productions = [self.make_mo(qty) for qty in quantities]
        for production in productions:
            self.produce(production, production.product_qty)
            production.button_mark_done()
        return productions

    def _snapshot(self):
        stock = tuple(self.on_hand(p) for p in (self.leg, self.top, self.screw, self.table))
        return stock, {key: self.account_balance(key) for key in ACCOUNT_KEYS}

    def _done_raw(self, production, product):
        return production.move_raw_ids.filtered(
            lambda m: m.product_id == product and m.state == "done")

    def test_each_order_consumes_through_its_own_moves(self):
        productions = self._closed_mos(1, 2, 3)
        self.env["mrp.production"].sudo(self.shopfloor)._cron_backflush_periodic()
        self.assertEqual(self.on_hand(self.leg), 100 - 24)
        self.assertEqual(self.on_hand(self.top), 100 - 6)
        self.assertEqual(self.on_hand(self.screw), 100 - 48)
        for production, qty in zip(productions, (1, 2, 3)):
            # the Consumed Materials tab: done moves of the MO, nothing open
            legs = self._done_raw(production, self.leg)
            self.assertEqual(len(legs), 1)
            self.assertEqual(legs.raw_material_production_id, production)
            self.assertEqual((legs.product_uom_qty, legs.quantity_done), (4.0 * qty, 4.0 * qty))
            self.assertEqual(sum(legs.move_line_ids.mapped("qty_done")), 4.0 * qty)
            self.assertIn(legs, production.move_raw_ids)
            self.assertEqual(self.consumed(production, self.screw), 8 * qty)
            self.assertFalse(production.move_raw_ids.filtered(
                lambda m: m.state not in ("done", "cancel")))
            # valued by Odoo, one entry per move, WIP per order
            self.assertEqual(round(legs.value, 2), -10.0 * qty)
            self.assertEqual(len(legs.sudo().account_move_ids), 1)
            self.assertEqual(self.balance(production, "wip"), 0.0)
            self.assertEqual(production.backflush_state, "done")
            log = production.backflush_log_ids.filtered(lambda log: log.event == "periodic")
            self.assertEqual(len(log), 1)
            leg = log.line_ids.filtered(lambda line: line.product_id == self.leg)
            self.assertEqual((leg.qty_posted, leg.value, leg.qty_actual),
                             (4.0 * qty, 10.0 * qty, 4.0 * qty))
            self.assertEqual(leg.move_ids, legs)
            self.assertEqual(log.sudo().account_move_ids,
                             log.sudo().move_ids.mapped("account_move_ids"))
        # no move of the run belongs to no MO
        self.assertFalse(self.env["stock.move"].search([
            ("name", "like", "Backflush periodic run")]))
        # a second run finds nothing to do
        self.env["mrp.production"]._cron_backflush_periodic()
        self.assertEqual(self.on_hand(self.leg), 100 - 24)

    def test_chunks_post_every_order(self):
        productions = self._closed_mos(1, 1, 1)
        self.env["mrp.production"]._cron_backflush_periodic(chunk_size=2)
        self.assertEqual(self.on_hand(self.leg), 100 - 12)
        for production in productions:
            self.assertEqual(self.consumed(production, self.leg), 4)
            self.assert_wip_zero(production)

    def test_chunk_counts_what_earlier_orders_take(self):
        self.env["backflush.rule"].search([("name", "=", "End of shift")]).shortage_policy = \
            "queue"
        self.put_stock(self.top, -self.on_hand(self.top) + 2)
        productions = self._closed_mos(1, 1, 1)
        self.env["mrp.production"]._cron_backflush_periodic()
        self.assertEqual([p.backflush_state for p in productions],
                         ["done", "done", "exception"])
        self.assertEqual(self.on_hand(self.top), 0)

    def test_revision_variance_is_settled_per_order(self):
        self.table.standard_price = 32.00
        production, other = self._closed_mos(5, 1)
        self.env["mrp.production"]._cron_backflush_periodic()
        self.assertEqual(self.variance(production, "revision"), -6.00)
        self.assertEqual(self.variance(other, "revision"), -1.20)
        self.assertEqual(self.variance(production, "usage"), 0.0)
        self.assert_wip_zero(production)
        self.assert_wip_zero(other)

    def test_consumption_recorded_by_hand_is_posted_once(self):
        production, other = self._closed_mos(1, 1)
        screws = production.move_raw_ids.filtered(
            lambda m: m.product_id == self.screw and m.state not in ("done", "cancel"))
        screws.quantity_done = 5
        self.env["mrp.production"]._cron_backflush_periodic()
        self.assertEqual(self.on_hand(self.screw), 100 - 16)
        self.assertEqual(self.consumed(production, self.screw), 8)
        self.assertEqual(screws.state, "done")
        self.assertEqual(screws.product_qty, 8)
        self.assertEqual(self.consumed(other, self.screw), 8)
        self.assert_wip_zero(production)
        self.assert_wip_zero(other)

    def test_reverse_backflush_gives_everything_back(self):
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
