"""Many MOs at once: batches cut into chunks, each chunk posted in one _action_done.

Every MO of a chunk is prepared by backflush.posting in its own savepoint;
their moves then go through one backflush.posting.done_moves (and one
summarised entry). The progress of a batch goes to this file's logger.
"""
import logging
import time
from collections import defaultdict

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from psycopg2.extensions import TransactionRollbackError

from ..read_ahead import POSTING_READS, read_ahead

_logger = logging.getLogger(__name__)



class BackflushChunk(models.AbstractModel):
    _name = "backflush.chunk"
    _description = "Backflush Chunk"

    # -- public surface: both take a recordset of MOs (RPC cannot pass one,
    # so an RPC call faults) ------------------------------------------------
    @api.model
    def post_batch(self, productions, event, chunk_size=100, commit_chunks=False):
        """backflush.posting.post for many MOs, each on its own, with progress in the log.

        commit_chunks is for scheduled jobs only: committing after each chunk
        keeps a long run's memory and locks bounded and lets a killed worker
        lose at most one chunk; every MO is whole in its chunk (savepoint), so
        a commit never leaves one half-posted. Interactive calls never commit.
        """
        Posting = self.env["backflush.posting"]
        total = len(productions)
        result = {"posted": productions.browse(), "skipped": productions.browse(),
                  "failed": {}, "conflicts": productions.browse(),
                  "logs": self.env["backflush.log"]}
        started = time.time()
        for start in range(0, total, chunk_size):
            chunk = productions[start:start + chunk_size]
            partial = self.post_chunk(chunk, event)
            if commit_chunks:
                self.env.cr.commit()  # pylint: disable=invalid-commit
                self.invalidate_cache()
                if partial["conflicts"]:
                    # another transaction held these MOs; a fresh snapshot sees its work
                    retried = Posting.post(partial["conflicts"], event, raise_errors=False)
                    self.env.cr.commit()  # pylint: disable=invalid-commit
                    partial = self._merge_results(dict(partial, conflicts=retried["conflicts"]),
                                                  retried)
            result = self._merge_results(result, partial)
            done = min(start + chunk_size, total)
            elapsed = max(time.time() - started, 1e-6)
            _logger.info("backflush %s: %d/%d MOs (%.1f MOs/s), %d failed", event, done, total,
                         done / elapsed, len(result["failed"]))
        return result

    @api.model
    def post_chunk(self, productions, event):
        """backflush.posting.post for a chunk, with a single _action_done for all its MOs.

        Each MO is prepared in its own savepoint, as in post; if the common
        posting fails, the chunk is rolled back and posted one MO at a time,
        so that every MO still posts whole or not at all.
        """
        try:
            with self.env.cr.savepoint():
                return self._post_chunk_at_once(productions, event)
        except (TransactionRollbackError, UserError):
            # expected: another transaction, or a problem the MO's posting records
            _logger.info("backflush %s: chunk of %d MOs posted one by one", event,
                         len(productions), exc_info=True)
            return self._post_one_by_one(productions, event)
        except Exception:  # the chunk is rolled back whole; one MO at a time says why
            _logger.warning("backflush %s: chunk of %d MOs rolled back by an unexpected "
                            "error, posted one by one", event, len(productions),
                            exc_info=True)
            return self._post_one_by_one(productions, event)

    @api.model
    def _post_one_by_one(self, productions, event):
        # the ORM cache still holds what the rolled-back chunk did
        self.invalidate_cache()
        return self.env["backflush.posting"].post(productions, event, raise_errors=False)

    @staticmethod
    def _merge_results(first, second):
        merged = {key: first[key] | second[key]
                  for key in ("posted", "skipped", "conflicts", "logs")}
        merged["failed"] = {**first["failed"], **second["failed"]}
        merged["odoo_path"] = first.get("odoo_path", []) + second.get("odoo_path", [])
        return merged

    @api.model
    def _post_chunk_at_once(self, productions, event):
        Posting = self.env["backflush.posting"]
        prepared, failures, skipped, conflicts = [], [], [], []
        taken = {}
        self._prefetch_chunk(productions)
        for production in productions:
            # what a rolled-back MO added to the chunk's allocations goes too
            checkpoint = dict(taken)
            try:
                with self.env.cr.savepoint():
                    ready = Posting.prepare(production, event, taken=taken)
            except (TransactionRollbackError, UserError) as error:
                self.invalidate_cache()
                taken = checkpoint
                if isinstance(error, TransactionRollbackError):
                    conflicts.append(production.id)
                else:
                    failures.append((production, error))
                continue
            if ready is None:
                skipped.append(production.id)
            else:
                prepared.append((production, ready))
        done_moves, entries, odoo_path = self._post_chunk_moves(prepared, event)
        logs = self._finish_chunk(prepared, event, done_moves, entries)
        for production, error in failures:
            Posting.record_failure(production, error)
        return {"posted": productions.browse([mo.id for mo, _ready in prepared]),
                "skipped": productions.browse(skipped), "conflicts": productions.browse(conflicts),
                "failed": {production.id: error.name for production, error in failures},
                "logs": logs, "odoo_path": [odoo_path] if odoo_path else []}

    @api.model
    def _prefetch_chunk(self, productions):
        """Read what preparing and posting the chunk's MOs reads, for all of them at once.

        The ORM prefetches a field for the records of the recordset it is read
        from, and all the columns of their model; the posting reads each MO's
        lines and moves through small filtered recordsets, and few columns of
        them (see ..read_ahead).
        """
        read_ahead(productions, POSTING_READS)
        productions.mapped("backflush_exception_ids.state")
        productions.mapped("backflush_log_ids")

    @api.model
    def _post_chunk_moves(self, prepared, event):
        """backflush.posting.done_moves of a chunk's prepared MOs, all at once."""
        consumptions = [consumption for _mo, ready in prepared for consumption in ready[2]]
        productions = self.env["mrp.production"].union(*[mo for mo, _ready in prepared])
        return self.env["backflush.posting"].done_moves(
            consumptions, productions, self._run_ref(event), _("Backflush (%s)") % event)

    @api.model
    def _finish_chunk(self, prepared, event, done_moves, entries):
        """What a posting does after its moves, for every prepared MO; logs written at once."""
        own_moves = defaultdict(list)
        for move in done_moves:
            own_moves[move.raw_material_production_id.id].append(move.id)
        Posting = self.env["backflush.posting"]
        postings = []
        productions = self.env["mrp.production"].browse([mo.id for mo, _ready in prepared])
        for production, (plan, problems, _moves) in prepared:
            Posting.queue_problems(production, problems)
            own = done_moves.browse(own_moves.get(production.id, []))
            postings.append((production, plan, own, entries if own else None))
        logs = self.env["backflush.log"].record_many(event, postings)
        # nothing the settlement writes changes what is pending
        pending = productions.backflush_with_pending()
        self.env["backflush.settlement"].settle(productions, pending)
        productions._backflush_write_state(pending)
        return logs

    @api.model
    def _run_ref(self, event):
        return _("Backflush %(event)s run of %(date)s") % {
            "event": event, "date": fields.Date.context_today(self)}
