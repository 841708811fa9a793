"""The periodic backflush through jobs: what they post, how they are enqueued and shown."""
import importlib.util
import os
from collections import Counter

from odoo.addons.backflush_mrp.tests.common_accounting import BackflushAccountingCase
from odoo.addons.queue_job.job import Job
from odoo.tests.common import at_install, post_install

from ..models.mrp_production import JOB_METHODS

MIGRATION = os.path.join(os.path.dirname(os.path.dirname(__file__)),
                         "migrations", "11.0.2.0.0", "post-migration.py")


# after install: queue_job binds the job functions to their channel when the registry
# is complete (_register_hook), after the at-install tests
@at_install(False)
@post_install(True)
class TestPeriodicOnJobQueue(BackflushAccountingCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["backflush.rule"].create({"name": "End of shift", "trigger": "periodic"})

    def _records(self, jobs):
        return self.env["queue.job"].search([("uuid", "in", [job.uuid for job in jobs])])

    def _run(self, records):
        """What the job runner does with each job: perform it, then mark it done."""
        for record in records:
            job = Job.load(self.env, record.uuid)
            job.set_done(job.perform())
            job.store()
        return len(records)

    def _waiting(self):
        """{MO id: number of this module's jobs not started yet that will post it}."""
        jobs = self.env["queue.job"].search([
            ("model_name", "=", "mrp.production"), ("method_name", "in", JOB_METHODS),
            ("state", "in", ("pending", "enqueued"))])
        return Counter(pid for ids in jobs.mapped("record_ids") for pid in ids)

    def _book(self, production):
        """What accountants and the stock see of one MO: items by account, consumption."""
        items = {}
        for item in self.items(production):
            key = (item.account_id.code, item.product_id.name, item.backflush_variance_type)
            items[key] = round(items.get(key, 0.0) + item.debit - item.credit, 2)
        consumed = {move.product_id.name: move.product_qty
                    for move in production.move_raw_ids.filtered(lambda m: m.state == "done")}
        return items, consumed

    def test_jobs_post_the_same_stock_and_journal_items_as_the_inline_run(self):
        self.table.standard_price = 31.00  # a revision variance to settle too
        self.receive_everything(200)
        inline = self.close_orders([1, 2, 3])
        self.assertEqual(self.on_hand(self.leg), 200)
        # in its caller's transaction the scheduled method still posts inline
        result = self.env["mrp.production"]._cron_backflush_periodic()
        self.assertEqual(result["posted"] & inline, inline)
        self.assertEqual(self.on_hand(self.leg), 176)
        queued = self.close_orders([1, 2, 3])
        jobs = queued._backflush_enqueue_chunks(chunk_size=2)
        self.assertEqual([self._records([job]).record_ids for job in jobs],
                         [queued[:2].ids, queued[2:].ids])
        self.assertEqual(self.on_hand(self.leg), 176, "enqueuing posts nothing")
        self.assertEqual(self._run(self._records(jobs)), 2)
        self.assertEqual(self.on_hand(self.leg), 152)
        for left, right in zip(inline, queued):
            self.assertEqual(self._book(left), self._book(right))
            self.assert_wip_zero(right)
        self.assertEqual(set(queued.mapped("backflush_state")), {"done"})
        # nothing left: the scheduled action enqueues none of them again
        self.env["mrp.production"]._cron_backflush_periodic(commit_chunks=True)
        self.assertFalse(set(self._waiting()) & set(queued.ids))

    def test_scheduled_action_enqueues_and_the_jobs_post(self):
        self.receive_everything(100)
        productions = self.close_orders([2, 3])
        cron = self.env.ref("backflush_mrp.ir_cron_backflush_periodic")
        cron.sudo(cron.user_id).ir_actions_server_id.run()
        self.assertEqual(self.on_hand(self.leg), 100, "the scheduled action posts nothing")
        self.assertEqual(set(productions.mapped("backflush_state")), {"pending"})
        waiting = self._waiting()
        self.assertEqual([waiting[pid] for pid in productions.ids], [1, 1])
        summaries = [("event", "=", "periodic"), ("production_id", "=", False)]
        runs = self.env["backflush.log"].search_count(summaries)
        ran = self._run(self.env["queue.job"].search([
            ("method_name", "=", "_backflush_periodic_chunk"), ("state", "=", "pending")]))
        self.assertEqual(self.on_hand(self.leg), 80)
        self.assertEqual([self.consumed(mo, self.screw) for mo in productions], [16, 24])
        for production in productions:
            self.assert_wip_zero(production)
        self.assertEqual(set(productions.mapped("backflush_state")), {"done"})
        # the Backflush Logs show each job's run and each MO's posting
        self.assertEqual(self.env["backflush.log"].search_count(summaries), runs + ran)
        self.assertEqual([len(mo.backflush_log_ids.filtered(lambda log: log.event == "periodic"))
                          for mo in productions], [1, 1])

    def test_two_cron_runs_enqueue_each_chunk_once(self):
        self.receive_everything(100)
        productions = self.close_orders([1, 1, 1, 1, 1])
        Production = self.env["mrp.production"]
        first = Production._cron_backflush_periodic(commit_chunks=True, chunk_size=2)
        self.assertTrue(first)
        jobs = self.env["queue.job"].search_count([])
        self.assertEqual(Production._cron_backflush_periodic(commit_chunks=True, chunk_size=2),
                         [])
        self.assertEqual(self.env["queue.job"].search_count([]), jobs)
        pending = Production._backflush_pending_periodic()
        self.assertEqual(set(self._waiting()), set(pending.ids))
        self.assertEqual(set(self._waiting().values()), {1}, "an MO in two waiting jobs")
        # an MO closed since: the next run enqueues it alone
        late = self.close_orders([1])
        added = Production._cron_backflush_periodic(commit_chunks=True, chunk_size=2)
        self.assertEqual([self._records(added).record_ids], [late.ids])
        self.assertEqual(self._waiting()[late.id], 1)
        # the same chunk enqueued again is the job already waiting (its identity key)
        chunk = productions[:2]
        job = chunk._backflush_delay_chunk()
        again = chunk._backflush_delay_chunk()
        self.assertEqual(again.uuid, job.uuid)
        self.assertEqual(len(self._records([job])), 1)
        self.assertNotEqual(productions[2:4]._backflush_delay_chunk().uuid, job.uuid)
        # once it ran, the same MOs can be enqueued again
        self._run(self._records([job]))
        self.assertNotEqual(chunk._backflush_delay_chunk().uuid, job.uuid)
        self.assertEqual([self.consumed(mo, self.leg) for mo in chunk], [4, 4])

    def test_related_action_opens_the_jobs_manufacturing_orders(self):
        productions = self.close_orders([1, 1, 1])
        chunk = self._records([productions._backflush_delay_chunk()])
        action = chunk.open_related_action()
        self.assertEqual((action["res_model"], action["view_mode"], action["domain"]),
                         ("mrp.production", "tree,form", [("id", "in", productions.ids)]))
        self.assertEqual(self.env["mrp.production"].search(action["domain"]), productions)
        alone = self._records([productions[1]._backflush_delay_retry()])
        action = alone.open_related_action()
        self.assertEqual((action["res_model"], action["view_mode"], action["res_id"]),
                         ("mrp.production", "form", productions[1].id))

    def test_jobs_run_on_the_backflush_channel(self):
        channel = self.env.ref("backflush_mrp_queue.channel_backflush")
        self.assertEqual(channel.complete_name, "root.backflush")
        productions = self.close_orders([1, 1])
        records = self._records([productions._backflush_delay_chunk(),
                                 productions[0]._backflush_delay_retry()])
        self.assertEqual(records.mapped("channel"), ["root.backflush", "root.backflush"])
        self.assertEqual(records.mapped("job_function_id.channel_id"), channel)

    def test_update_from_11_0_1_gives_the_scheduled_action_and_waiting_jobs_back(self):
        """11.0.1 set the cron's code, left its job on root and ran it with an id list."""
        self.receive_everything(100)
        productions = self.close_orders([1, 2])
        cron = self.env.ref("backflush_mrp.ir_cron_backflush_periodic")
        code = cron.code
        cron.code = "model._cron_backflush_periodic_jobs()"
        function = self.env["queue.job.function"].search(
            [("name", "=", "<mrp.production>._backflush_periodic_chunk")])
        function.channel_id = self.env.ref("queue_job.channel_root")
        # a job as 11.0.1 stored it: on no MO, the MOs' ids its argument
        old = self._records([self.env["mrp.production"].with_delay()
                             ._backflush_periodic_chunk(productions.ids)])
        self.assertEqual((old.record_ids, old.channel), ([], "root"))
        spec = importlib.util.spec_from_file_location("backflush_mrp_queue_migration", MIGRATION)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        migration.migrate(self.env.cr, "11.0.1.0.0")
        self.assertEqual(cron.code, code)
        self.assertEqual((old.record_ids, old.args, old.channel),
                         (productions.ids, [], "root.backflush"))
        self._run(old)
        self.assertEqual([self.consumed(mo, self.leg) for mo in productions], [4, 8])
        self.assertEqual(self.on_hand(self.leg), 88)
