"""Nothing half-posted under faults: each MO posts whole or not at all, and a retry
completes it once (issue: reliability)."""
from unittest.mock import patch

from odoo.exceptions import UserError

from .common_accounting import BackflushAccountingCase

POSTING = "odoo.addons.backflush_mrp.models.backflush_posting.BackflushPosting"
SETTLEMENT = "odoo.addons.backflush_mrp.models.backflush_settlement.BackflushSettlement"


class InjectedFault(UserError):
    pass


def fail_on_call(number):
    """A side effect that raises on the number-th call, and passes before."""
    calls = {"count": 0}

    def side_effect(*args, **kwargs):
        calls["count"] += 1
        if calls["count"] == number:
            raise InjectedFault("injected fault at call %d" % number)
    return side_effect


class TestFaults(BackflushAccountingCase):

    def setUp(self):
        super().setUp()
        self.receive_everything()
        self.faults = 0

    def _record_output(self, production, qty):
        finished = production.move_finished_ids.filtered(lambda m: m.product_id == self.table)
        finished.quantity_done = qty

    def _nothing_posted(self, production):
        self.assertEqual((self.on_hand(self.leg), self.on_hand(self.top),
                          self.on_hand(self.screw)), (100, 100, 100))
        self.assertFalse(production.move_raw_ids.filtered(lambda m: m.state == "done"))
        self.assertFalse(production.backflush_log_ids)
        self.assertEqual(self.balance(production, "wip"), 0.0)

    def _posted_once(self, production, tables):
        self.assertEqual((self.on_hand(self.leg), self.on_hand(self.top),
                          self.on_hand(self.screw)), (100 - 4 * tables, 100 - tables,
                                                      100 - 8 * tables))

    def test_fault_after_stock_moves_before_journal_entries(self):
        production = self.make_mo(2)
        self._record_output(production, 2)
        original = type(self.env["stock.move"])._account_entry_move
        injected = fail_on_call(2)

        def entry_then_fault(move):
            injected()
            return original(move)
        for call in range(1, 4):
            with patch.object(type(self.env["stock.move"]), "_account_entry_move",
                              entry_then_fault), self.assertRaises(InjectedFault):
                production.action_backflush()
            self.faults += 1
            self._nothing_posted(production)
            injected = fail_on_call(call + 1)
        production.action_backflush()
        self._posted_once(production, 2)
        production.action_backflush()
        self._posted_once(production, 2)

    def test_fault_during_settlement_leaves_the_order_open(self):
        self.table.standard_price = 32.00  # a revision variance to settle
        production = self.make_mo(2)
        self.produce(production, 2)
        with patch(SETTLEMENT + "._create_entries", side_effect=fail_on_call(1)), \
                self.assertRaises(InjectedFault), self.env.cr.savepoint():
            production.button_mark_done()
        self.faults += 1
        self.assertNotEqual(production.state, "done")
        self.assertEqual(self.on_hand(self.table), 0)
        production.button_mark_done()
        self.assert_wip_zero(production)
        self.assertEqual(self.variance(production, "revision"), -2.40)
        self._posted_once(production, 2)

    def test_fault_in_the_middle_of_a_batch(self):
        self.company.backflush_default_trigger = "periodic"
        productions = [self.make_mo(1) for _ in range(3)]
        for production in productions:
            self.produce(production, 1)
            production.button_mark_done()
        original = type(self.env["backflush.posting"])._consume
        calls = {"count": 0}

        def consume_or_fault(posting, production, plan):
            moves = original(posting, production, plan)
            calls["count"] += 1
            if calls["count"] == 2:  # the moves exist, the posting is under way
                raise InjectedFault("injected fault in the batch")
            return moves
        batch = self.env["mrp.production"].union(*productions)
        with patch(POSTING + "._consume", consume_or_fault):
            result = self.env["backflush.chunk"].post_batch(batch, "periodic")
        self.faults += 1
        self.assertEqual(len(result["posted"]), 2)
        failing = productions[1]
        self.assertIn(failing.id, result["failed"])
        self.assertEqual(self.consumed(failing, self.leg), 0)
        self.assertEqual(failing.backflush_exception_ids.reason, "other")
        self._posted_once(productions[0], 2)
        failing.backflush_exception_ids.action_retry()
        self._posted_once(failing, 3)
        self.env["backflush.chunk"].post_batch(batch, "periodic")
        self._posted_once(failing, 3)
        for production in productions:
            self.assert_wip_zero(production)
