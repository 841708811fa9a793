"""Output reports of scanners and RFID gates, kept by their report_id (idempotency key).

A client that gets no answer sends its report again. With a ``report_id``
(a string the client makes, unique per company), the second call finds the
first report and returns its answer: nothing is posted twice.
"""
import json
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.addons import decimal_precision as dp
from odoo.exceptions import UserError
from odoo.tools import float_compare
from psycopg2 import sql

REPORT_ID_MAX_LENGTH = 128
# columns written by _claim, in this order (the magic ones follow)
CLAIM_COLUMNS = ("report_id", "company_id", "production_id", "product_id", "qty",
                 "product_uom_id", "lot_name", "user_id", "date")


class BackflushOutputReport(models.Model):
    """One output report of a scanner or gate, and the answer it was given."""

    _name = "backflush.output.report"
    _description = "Backflush Output Report"
    _order = "date desc, id desc"
    _rec_name = "report_id"

    report_id = fields.Char("Report ID", required=True, readonly=True,
                            help="The client's key of the report: a report sent again with "
                                 "the same key gets the first answer and posts nothing.")
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    production_id = fields.Many2one("mrp.production", "Manufacturing Order", required=True,
                                    readonly=True, index=True, ondelete="cascade")
    product_id = fields.Many2one("product.product", readonly=True)
    qty = fields.Float("Quantity", readonly=True,
                       digits=dp.get_precision("Product Unit of Measure"))
    product_uom_id = fields.Many2one("product.uom", "Unit of Measure", readonly=True)
    lot_name = fields.Char("Lot Reported", readonly=True)
    lot_id = fields.Many2one("stock.production.lot", readonly=True)
    user_id = fields.Many2one("res.users", "Reported By", required=True, readonly=True)
    date = fields.Datetime(required=True, readonly=True, index=True)
    answer = fields.Text(readonly=True, help="What the report was answered (JSON), and what "
                                             "a report sent again with this key gets.")
    log_ids = fields.Many2many("backflush.log", string="Backflush Logs", readonly=True,
                               help="The postings of this report: what it consumed.")
    log_line_ids = fields.One2many("backflush.log.line", compute="_compute_log_line_ids",
                                   string="Components Consumed")

    _sql_constraints = [
        ("report_id_company_unique", "unique (company_id, report_id)",
         "A report ID is used once per company: a new report needs a new report ID."),
    ]

    @api.depends("log_ids.line_ids")
    def _compute_log_line_ids(self):
        for report in self:
            report.log_line_ids = report.log_ids.mapped("line_ids")

    # -- the report path of mrp.production.backflush_report_output -------------
    # public: read-only
    @api.model
    def checked_report_id(self, report_id):
        """None (no idempotency key) or the key, stripped; refuses anything else."""
        if report_id is None or report_id is False:
            return None
        if not isinstance(report_id, str) or not report_id.strip():
            raise UserError(_("The report_id must be a non-empty string, not %r.")
                            % (report_id,))
        report_id = report_id.strip()
        if len(report_id) > REPORT_ID_MAX_LENGTH:
            raise UserError(_("The report_id %(id)r is longer than %(max)d characters.")
                            % {"id": report_id[:40] + "...", "max": REPORT_ID_MAX_LENGTH})
        return report_id

    # public: takes recordsets (RPC cannot pass one, so an RPC call faults)
    @api.model
    def report_output(self, production, report_id, qty, lot_name):
        """Record the output once per report_id; the answer of the first report."""
        # Reports of one MO wait for each other here. A concurrent report with the
        # same report_id that committed after this transaction's snapshot makes
        # either the lock (the MO row was written) or the claim fail to serialise:
        # Odoo's RPC layer then retries the call, which finds the first report.
        if lot_name and not isinstance(lot_name, str):
            raise UserError(_("The lot_name must be a string, not %r.") % (lot_name,))
        self.env["backflush.posting"].lock(production)
        report = self._find(production.company_id, report_id)
        if report:
            return report._replay(production, qty, lot_name)
        # a refused report leaves nothing, not even its key, also for a caller
        # that catches the error and goes on in the same transaction
        try:
            with self.env.cr.savepoint():
                return self._record(production, report_id, qty, lot_name)
        except Exception:
            self.invalidate_cache()   # what the savepoint rolled back is cached too
            raise

    @api.model
    def _record(self, production, report_id, qty, lot_name):
        report = self._claim(production, report_id, qty, lot_name)
        if report.answer:
            return report._replay(production, qty, lot_name)
        answer, logs, lot = production.backflush_record_output(qty, lot_name)
        answer["report_id"] = report_id
        report.write({"answer": json.dumps(answer, sort_keys=True), "lot_id": lot.id,
                      "log_ids": [(6, 0, logs.ids)]})
        return answer

    @api.model
    def _find(self, company, report_id):
        return self.sudo().search([("company_id", "=", company.id),
                                   ("report_id", "=", report_id)], limit=1)

    @api.model
    def _claim(self, production, report_id, qty, lot_name):
        """Insert the report's row before anything is posted; returns it.

        ON CONFLICT DO NOTHING, not the ORM's INSERT: when the same report_id
        was committed by a transaction this one cannot see (REPEATABLE READ),
        PostgreSQL raises a serialization failure, which Odoo's RPC layer
        retries, instead of a unique violation, which it would not.
        """
        now = fields.Datetime.now()
        row = (report_id, production.company_id.id, production.id,
               production.product_id.id, qty, production.product_uom_id.id,
               lot_name or None, self.env.uid, now, self.env.uid, now, self.env.uid, now)
        columns = CLAIM_COLUMNS + ("create_uid", "create_date", "write_uid", "write_date")
        query = sql.SQL(
            "INSERT INTO {table} ({columns}) VALUES ({values}) "
            "ON CONFLICT (company_id, report_id) DO NOTHING RETURNING id").format(
                table=sql.Identifier(self._table),
                columns=sql.SQL(",").join(sql.Identifier(name) for name in columns),
                values=sql.SQL(",").join(sql.Placeholder() * len(columns)))
        self.env.cr.execute(query, row)
        inserted = self.env.cr.fetchone()
        if inserted:
            return self.sudo().browse(inserted[0])
        # the conflicting row is visible: this transaction inserted it earlier
        return self._find(production.company_id, report_id)

    def _replay(self, production, qty, lot_name):
        """The first answer, when the report sent again is the same report."""
        self.ensure_one()
        differences = self._differences(production, qty, lot_name)
        if differences:
            raise UserError(_(
                "Report %(id)s was already recorded on %(date)s (UTC) for %(first)s; this call "
                "reports %(differences)s. A report sent again must be the same report: "
                "give a new report_id to a new report.") % {
                    "id": self.report_id, "date": self.date,
                    "first": self._description_for_user(),
                    "differences": "; ".join(differences)})
        return json.loads(self.answer)

    def _differences(self, production, qty, lot_name):
        differences = []
        if production != self.production_id:
            differences.append(_("manufacturing order %(new)s instead of %(old)s") % {
                "new": production.name, "old": self.production_id.name})
        rounding = self.product_uom_id.rounding or production.product_uom_id.rounding
        if float_compare(qty, self.qty, precision_rounding=rounding):
            differences.append(_("quantity %(new)s instead of %(old)s") % {
                "new": qty, "old": self.qty})
        if (lot_name or False) != (self.lot_name or False):
            differences.append(_("lot %(new)s instead of %(old)s") % {
                "new": lot_name or _("(none)"), "old": self.lot_name or _("(none)")})
        return differences

    def _description_for_user(self):
        text = _("%(qty)s %(uom)s of %(mo)s") % {
            "qty": self.qty, "uom": self.product_uom_id.name, "mo": self.production_id.name}
        if self.lot_name:
            text += _(", lot %s") % self.lot_name
        return text

    # -- purge -------------------------------------------------------------------
    @api.model
    def _cron_purge(self):
        """Scheduled job: delete the reports older than their company keeps them.

        Returns how many were deleted. A company that keeps them 0 days keeps
        them for ever.
        """
        now = fields.Datetime.from_string(fields.Datetime.now())
        companies = self.env["res.company"].sudo().search(
            [("backflush_report_retention_days", ">", 0)])
        purged = 0
        for company in companies:
            limit = now - timedelta(days=company.backflush_report_retention_days)
            old = self.sudo().search([("company_id", "=", company.id),
                                      ("date", "<", fields.Datetime.to_string(limit))])
            purged += len(old)
            old.unlink()
        return purged

