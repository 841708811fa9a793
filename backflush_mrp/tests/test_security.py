"""Isolation and rights (SPEC section 6): who sees, posts and configures what."""
from odoo.exceptions import AccessError

from .common_accounting import BackflushAccountingCase


class TestRightsAndIsolation(BackflushAccountingCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accountant = cls.env["res.users"].create({
            "name": "Accountant", "login": "backflush-accountant",
            "company_id": cls.company.id, "company_ids": [(6, 0, cls.company.ids)],
            "groups_id": [(6, 0, [cls.env.ref("account.group_account_user").id])]})
        cls.company_b = cls.env["res.company"].create({"name": "Other Factory B"})
        cls.user_b = cls.env["res.users"].create({
            "name": "Planner B", "login": "backflush-planner-b",
            "company_id": cls.company_b.id, "company_ids": [(6, 0, cls.company_b.ids)],
            "groups_id": [(6, 0, [cls.env.ref("backflush_mrp.group_backflush_manager").id,
                                  cls.env.ref("account.group_account_user").id])]})

    def _closed_mo_with_variance_and_exception(self):
        self.receive_everything()
        self.rule(name="Tops queued", product_id=self.top.id, shortage_policy="queue")
        self.put_stock(self.top, -self.on_hand(self.top))
        production = self.make_mo(5)
        production.move_raw_ids.filtered(lambda m: m.product_id == self.screw).quantity_done = 42
        self.produce(production, 5)
        production.button_mark_done()
        self.put_stock(self.top, 10)
        production.backflush_exception_ids.action_retry()
        self.assertTrue(production.backflush_exception_ids)
        self.assertTrue(self.items(production, variance_type="usage"))
        return production

    def test_company_b_sees_nothing_of_company_a(self):
        production = self._closed_mo_with_variance_and_exception()
        as_b = self.env(user=self.user_b)
        for model in ("backflush.rule", "backflush.log", "backflush.exception",
                      "backflush.variance.report", "mrp.production.backflush.line"):
            self.assertFalse(as_b[model].search([]), "%s leaks to company B" % model)
        with self.assertRaises(AccessError):
            as_b["backflush.log"].browse(production.backflush_log_ids[:1].id).read(["name"])
        with self.assertRaises(AccessError):
            as_b["mrp.production"].browse(production.id).action_backflush()
        # and company A's own users do see them
        as_a = self.env(user=self.shopfloor)
        self.assertTrue(as_a["backflush.log"].search([("production_id", "=", production.id)]))

    def test_shop_floor_posts_but_cannot_configure(self):
        as_floor = self.env(user=self.shopfloor)
        with self.assertRaises(AccessError):
            as_floor["backflush.rule"].create({"name": "Sneaky", "trigger": "manual"})
        rule = self.rule(name="Existing")
        with self.assertRaises(AccessError):
            rule.sudo(self.shopfloor).write({"trigger": "manual"})
        with self.assertRaises(AccessError):
            self.company.sudo(self.shopfloor).write(
                {"backflush_wip_account_id": self.accounts["usage"].id})
        with self.assertRaises(AccessError):
            self.categ_finished.sudo(self.shopfloor).write(
                {"property_backflush_wip_account_id": self.accounts["usage"].id})
        with self.assertRaises(AccessError):
            self.env["backflush.log"].sudo(self.shopfloor).create(
                {"name": "forged", "event": "manual"})

    def test_accountant_reads_but_cannot_post_or_change(self):
        production = self._closed_mo_with_variance_and_exception()
        as_accountant = self.env(user=self.accountant)
        self.assertTrue(as_accountant["backflush.log"].search([("production_id", "=",
                                                                 production.id)]))
        self.assertTrue(as_accountant["backflush.exception"].search(
            [("production_id", "=", production.id)]))
        variances = as_accountant["backflush.variance.report"].search(
            [("production_id", "=", production.id)])
        self.assertEqual(round(sum(variances.filtered(
            lambda v: v.variance_type == "usage").mapped("amount")), 2), 0.20)
        with self.assertRaises(AccessError):
            as_accountant["mrp.production"].browse(production.id).action_backflush()
        with self.assertRaises(AccessError):
            as_accountant["backflush.rule"].create({"name": "No", "trigger": "manual"})
        with self.assertRaises(AccessError):
            as_accountant["backflush.exception"].browse(
                production.backflush_exception_ids[:1].id).write({"resolution": "x"})
        with self.assertRaises(AccessError):
            as_accountant["mrp.production"].browse(production.id).write({"product_qty": 1})
