"""The other trigger points: operation, shipment, periodic, manual (SPEC section 2)."""
from .common_accounting import BackflushAccountingCase


class TestOperationPull(BackflushAccountingCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        workcenter = cls.env["mrp.workcenter"].create({"name": "Assembly bench"})
        cls.routing = cls.env["mrp.routing"].create({
            "name": "Table routing",
            "operation_ids": [(0, 0, {"name": "Frame", "workcenter_id": workcenter.id,
                                      "sequence": 1}),
                              (0, 0, {"name": "Top", "workcenter_id": workcenter.id,
                                      "sequence": 2})]})
        cls.op_frame, cls.op_top = cls.routing.operation_ids
        cls.bom.routing_id = cls.routing
        cls.line_leg.operation_id = cls.op_frame
        cls.line_screw.operation_id = cls.op_frame
        cls.line_top.operation_id = cls.op_top

    def setUp(self):
        super().setUp()
        self.company.backflush_default_trigger = "operation_done"
        self.receive_everything()

    def _record(self, workorder, qty):
        workorder.button_start()
        workorder.qty_producing = qty
        workorder.record_production()

    def test_components_consumed_operation_by_operation(self):
        production = self.make_mo(5)
        production.button_plan()
        frame, top = production.workorder_ids.sorted("id")
        self._record(frame, 2)
        self.assertEqual(self.on_hand(self.leg), 92)
        self.assertEqual(self.on_hand(self.screw), 84)
        self.assertEqual(self.on_hand(self.top), 100)
        self._record(frame, 3)
        self.assertEqual(self.on_hand(self.leg), 80)
        self.assertEqual(self.on_hand(self.top), 100)
        self._record(top, 5)
        self.assertEqual(self.on_hand(self.top), 95)
        self.assertEqual(self.on_hand(self.leg), 80)
        production.button_mark_done()
        self.assertEqual(self.on_hand(self.table), 5)
        self.assertEqual(self.on_hand(self.leg), 80)
        self.assertEqual(set(production.backflush_log_ids.mapped("event")),
                         {"operation", "last_operation"})
        self.assert_wip_zero(production)

    def test_skipped_operation_is_consumed_at_completion(self):
        production = self.make_mo(2)
        production.button_plan()
        _frame, top = production.workorder_ids.sorted("id")
        top.state = "ready"
        self._record(top, 2)
        self.assertEqual(self.on_hand(self.top), 98)
        self.assertEqual(self.on_hand(self.leg), 100)
        production.button_mark_done()
        self.assertEqual(self.on_hand(self.leg), 92)
        self.assertEqual(self.on_hand(self.screw), 84)
        self.assert_wip_zero(production)

    def test_work_order_finished_twice_posts_once(self):
        production = self.make_mo(2)
        production.button_plan()
        frame, _top = production.workorder_ids.sorted("id")
        self._record(frame, 2)
        frame.button_finish()
        frame.button_finish()
        self.assertEqual(self.on_hand(self.leg), 92)
        self.assertEqual(len(production.backflush_log_ids), 1)


class TestShipment(BackflushAccountingCase):

    def setUp(self):
        super().setUp()
        self.rule(name="Tops when shipped", product_id=self.top.id, trigger="shipment")
        self.receive_everything()
        self.customer = self.env.ref("stock.stock_location_customers")

    def deliver(self, qty, origin=None, destination=None):
        move = self.env["stock.move"].create({
            "name": "Delivery", "product_id": self.table.id, "product_uom": self.uom_unit.id,
            "product_uom_qty": qty, "location_id": (origin or self.stock_location).id,
            "location_dest_id": (destination or self.customer).id})
        move._action_confirm()
        move._action_assign()
        if not move.move_line_ids:
            move.quantity_done = qty
        else:
            move.move_line_ids[0].qty_done = qty
        move._action_done()
        return move

    def _done_mo(self, qty):
        production = self.make_mo(qty)
        self.produce(production, qty)
        production.button_mark_done()
        return production

    def test_delivery_consumes_pending_components_oldest_mo_first(self):
        first, second = self._done_mo(3), self._done_mo(4)
        self.assertEqual(self.on_hand(self.top), 100)
        self.assertEqual(self.on_hand(self.table), 7)
        self.assertEqual(first.backflush_state, "partial")
        self.assertNotEqual(self.balance(first, "wip"), 0.0)
        self.deliver(2)
        self.assertEqual(self.on_hand(self.top), 98)
        self.assertEqual(self.consumed(first, self.top), 2)
        self.assertEqual(self.consumed(second, self.top), 0)
        self.deliver(3)
        self.assertEqual(self.consumed(first, self.top), 3)
        self.assertEqual(self.consumed(second, self.top), 2)
        self.assertEqual(first.backflush_state, "done")
        self.assert_wip_zero(first)
        self.assertEqual(self.on_hand(self.top), 95)

    def test_delivery_beyond_production_and_returns(self):
        production = self._done_mo(2)
        self.put_stock(self.table, 5)  # tables of unknown origin
        self.deliver(6)
        self.assertEqual(self.consumed(production, self.top), 2)
        self.assertEqual(self.on_hand(self.top), 98)
        self.assert_wip_zero(production)
        # a return from the customer does not give components back
        self.deliver(1, origin=self.customer, destination=self.stock_location)
        self.assertEqual(self.on_hand(self.top), 98)
        self.assertEqual(self.consumed(production, self.top), 2)

    def test_delivery_without_pending_mo_consumes_nothing(self):
        self.put_stock(self.table, 3)
        self.deliver(3)
        self.assertEqual(self.on_hand(self.top), 100)


class TestPeriodic(BackflushAccountingCase):

    def setUp(self):
        super().setUp()
        # orders other tests left pending would share the run (rolled back after)
        self.env["mrp.production"]._cron_backflush_periodic()
        self.rule(name="End of shift", trigger="periodic")
        self.receive_everything()

    def test_everything_pending_is_posted_by_the_scheduled_job(self):
        productions = [self.make_mo(qty) for qty in (1, 2, 3)]
        for production in productions:
            self.produce(production, production.product_qty)
            production.button_mark_done()
        self.assertEqual(self.on_hand(self.leg), 100)
        self.assertEqual({p.backflush_state for p in productions}, {"pending"})
        self.env["mrp.production"]._cron_backflush_periodic()
        self.assertEqual(self.on_hand(self.leg), 76)
        self.assertEqual(self.on_hand(self.screw), 52)
        for production in productions:
            self.assertEqual(production.backflush_state, "done")
            self.assert_wip_zero(production)
        run = self.env["backflush.log"].search([("event", "=", "periodic"),
                                                ("production_id", "=", False)], limit=1)
        self.assertIn("3 manufacturing orders posted, 9 components", run.summary)
        # the next run finds nothing to do
        self.env["mrp.production"]._cron_backflush_periodic()
        self.assertEqual(self.on_hand(self.leg), 76)

    def test_summarised_posting_makes_one_entry_per_run(self):
        # orders posted with their own moves, their entries summarised
        self.company.backflush_summarised_posting = True
        productions = [self.make_mo(qty) for qty in (1, 2, 3)]
        for production in productions:
            self.produce(production, production.product_qty)
            production.button_mark_done()
        self.env["mrp.production"]._cron_backflush_periodic()
        self.assertEqual(self.on_hand(self.leg), 76)
        run_entries = self.env["account.move"].search([("ref", "like", "Backflush periodic run")])
        self.assertEqual(len(run_entries), 1)
        entry = run_entries
        self.assertFalse(entry.stock_move_id)
        self.assertEqual(round(sum(entry.line_ids.mapped("debit")), 2),
                         round(sum(entry.line_ids.mapped("credit")), 2))
        # one WIP item per MO and component, each traceable to its MO and through the logs
        wip = entry.line_ids.filtered(lambda i: i.account_id == self.accounts["wip"])
        self.assertEqual(len(wip), 9)
        self.assertEqual(set(wip.mapped("backflush_production_id")), set(
            self.env["mrp.production"].union(*productions)))
        for production in productions:
            self.assertIn(entry, production.backflush_log_ids.mapped("account_move_ids"))
            self.assertEqual(production.backflush_state, "done")
            self.assert_wip_zero(production)

    def test_one_failing_mo_among_many_is_queued(self):
        self.rule(name="Tops strict", product_id=self.top.id, trigger="periodic",
                  shortage_policy="block")
        productions = [self.make_mo(1) for _ in range(3)]
        for production in productions:
            self.produce(production, 1)
            production.button_mark_done()
        self.put_stock(self.top, -self.on_hand(self.top) + 2)
        self.env["mrp.production"]._cron_backflush_periodic()
        states = [p.backflush_state for p in productions]
        self.assertEqual(states, ["done", "done", "exception"])
        self.assertEqual(productions[2].backflush_exception_ids.reason, "shortage")
        self.assertEqual(self.on_hand(self.top), 0)

    def test_user_posting_by_hand_before_the_job_consumes_once(self):
        production = self.make_mo(2)
        self.produce(production, 2)
        production.button_mark_done()
        production.action_backflush()
        self.env["mrp.production"]._cron_backflush_periodic()
        self.assertEqual(self.on_hand(self.leg), 92)

    def test_rule_changed_while_pending_keeps_the_recorded_trigger(self):
        production = self.make_mo(1)
        self.produce(production, 1)
        self.env["backflush.rule"].search([("name", "=", "End of shift")]).trigger = \
            "production_done"
        production.button_mark_done()
        self.assertEqual(self.on_hand(self.leg), 100)
        self.env["mrp.production"]._cron_backflush_periodic()
        self.assertEqual(self.on_hand(self.leg), 96)


class TestManual(BackflushAccountingCase):

    def test_manual_short_asks_in_the_ui_and_records_through_rpc(self):
        self.rule(name="Screws by hand", product_id=self.screw.id, trigger="manual")
        self.receive_everything()
        production = self.make_mo(1)
        self.produce(production, 1)
        wizard_model = self.env["backflush.manual.confirm"]
        production_ui = production.with_context(lang="en_US")
        # the web client's button passes backflush_interactive: it asks first
        action = production_ui.with_context(backflush_interactive=True).button_mark_done()
        self.assertEqual(action["res_model"], "backflush.manual.confirm")
        self.assertEqual(production.state, "progress")
        wizard = wizard_model.browse(action["res_id"])
        self.assertEqual((wizard.line_ids.product_id, wizard.line_ids.qty_standard,
                          wizard.line_ids.qty_consumed), (self.screw, 8, 0))
        wizard.action_confirm()
        self.assertEqual(production.state, "done")
        self.assertEqual(self.on_hand(self.screw), 100)
        self.assertFalse(production.backflush_exception_ids)
