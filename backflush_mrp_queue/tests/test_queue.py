"""The periodic backflush through jobs posts exactly what the inline batch posts."""
from odoo.addons.backflush_mrp.tests.common_accounting import BackflushAccountingCase
from odoo.addons.queue_job.job import Job


class TestPeriodicOnJobQueue(BackflushAccountingCase):

    def _closed_orders(self, quantities):
        productions = self.env["mrp.production"]
        for qty in quantities:
            production = self.make_mo(qty)
            self.produce(production, qty)
            production.button_mark_done()
            productions |= production
        return productions

    def _run_jobs(self, jobs):
        for record in jobs:
            Job.load(self.env, record.uuid).perform()
        return len(jobs)

    def _book(self, production):
        """What accountants and the stock see of one MO: items by account, consumption."""
        items = {}
        for item in self.items(production):
            key = (item.account_id.code, item.product_id.name, item.backflush_variance_type)
            items[key] = round(items.get(key, 0.0) + item.debit - item.credit, 2)
        consumed = {move.product_id.name: move.product_qty
                    for move in production.move_raw_ids.filtered(lambda m: m.state == "done")}
        return items, consumed

    def test_jobs_post_the_same_stock_and_journal_items_as_the_inline_batch(self):
        self.rule(name="End of shift", trigger="periodic")
        self.table.standard_price = 31.00  # a revision variance to settle too
        self.receive_everything(200)
        inline = self._closed_orders([1, 2, 3])
        queued = self._closed_orders([1, 2, 3])
        self.assertEqual(self.on_hand(self.leg), 200)
        self.env["backflush.chunk"].post_batch(inline, "periodic")
        self.assertEqual(self.on_hand(self.leg), 176)
        jobs = self.env["mrp.production"]._cron_backflush_periodic_jobs(
            chunk_size=2, productions=queued)
        self.assertEqual(len(jobs), 2)
        self.assertEqual(self.on_hand(self.leg), 176, "enqueuing posts nothing")
        self.assertEqual(self._run_jobs(self.env["queue.job"].search(
            [("uuid", "in", [job.uuid for job in jobs])])), 2)
        self.assertEqual(self.on_hand(self.leg), 152)
        for left, right in zip(inline, queued):
            self.assertEqual(self._book(left), self._book(right))
            self.assert_wip_zero(right)
        self.assertEqual(set(queued.mapped("backflush_state")), {"done"})
        # nothing left: a second run enqueues nothing
        self.assertEqual(self.env["mrp.production"]._cron_backflush_periodic_jobs(
            productions=queued), [])

    def test_scheduled_action_enqueues_jobs(self):
        cron = self.env.ref("backflush_mrp.ir_cron_backflush_periodic")
        self.assertEqual(cron.code, "model._cron_backflush_periodic_jobs()")
