"""SPEC section 4b: labour and overhead absorbed at standard, to the cent, from posted items."""
from odoo.addons.backflush_mrp.lib import conversion
from odoo.exceptions import AccessError, UserError
from odoo.tests.common import SavepointCase

from .common_accounting import BackflushAccountingCase


class ConversionCase(BackflushAccountingCase):
    """Chair = 4 Leg (2.50) + 1 Seat (21.04) + 8 Screw (0.10): materials 31.84;
    one operation of 6 minutes at a work center of 30.00 + 12.00 per hour."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for key, code, name, kind in (
                ("labour", "BFT5700", "Labour absorbed", "expenses"),
                ("overhead", "BFT5710", "Overhead absorbed", "expenses"),
                ("efficiency", "BFT5500", "Efficiency variance", "expenses"),
                ("lot_size", "BFT5600", "Lot-size variance", "expenses"),
                ("counterpart", "BFT5900", "Standard cost revaluation", "expenses")):
            cls.accounts[key] = cls._account(code, name, kind)
        cls.categ_finished.write({
            "property_backflush_efficiency_variance_account_id": cls.accounts["efficiency"].id,
            "property_backflush_lot_size_variance_account_id": cls.accounts["lot_size"].id,
        })
        cls.seat = cls._product("Seat", 21.04, cls.categ_raw)
        cls.chair = cls._product("Chair", 36.04, cls.categ_finished)
        cls.workcenter = cls.env["mrp.workcenter"].create({
            "name": "Chair bench", "backflush_labour_rate": 30.00,
            "backflush_overhead_rate": 12.00,
            "backflush_labour_absorption_account_id": cls.accounts["labour"].id,
            "backflush_overhead_absorption_account_id": cls.accounts["overhead"].id,
        })
        cls.routing = cls._routing("Chair assembly", cls.workcenter, 6.0)
        cls.operation = cls.routing.operation_ids
        cls.chair_bom = cls._bom(cls.chair, cls.routing, [(cls.leg, 4), (cls.seat, 1),
                                                          (cls.screw, 8)])

    @classmethod
    def _routing(cls, name, workcenter, minutes):
        return cls.env["mrp.routing"].create({
            "name": name,
            "operation_ids": [(0, 0, {"name": "Assemble %s" % name, "workcenter_id": workcenter.id,
                                      "time_mode": "manual", "time_cycle_manual": minutes})],
        })

    @classmethod
    def _bom(cls, product, routing, lines, **values):
        return cls.env["mrp.bom"].create(dict({
            "product_tmpl_id": product.product_tmpl_id.id, "product_qty": 1.0,
            "product_uom_id": cls.uom_unit.id, "type": "normal",
            "routing_id": routing.id if routing else False,
            "bom_line_ids": [(0, 0, {"product_id": component.id, "product_qty": qty})
                             for component, qty in lines],
        }, **values))

    def setUp(self):
        super().setUp()
        for product in (self.leg, self.seat, self.screw, self.top):
            self.receive(product, 200)

    # -- flows ---------------------------------------------------------------------
    def make_chairs(self, qty, minutes=None, plan=False):
        """An MO for qty chairs, produced and done; minutes: recorded on its work order."""
        production = self.make_mo(qty, bom=self.chair_bom)
        if minutes is not None or plan:
            production.sudo(self.shopfloor).button_plan()
            workorder = production.workorder_ids
            if minutes is not None:
                self.record_time(workorder, minutes)
            workorder.sudo(self.shopfloor).write({"qty_producing": qty})
            workorder.sudo(self.shopfloor).record_production()
        else:
            self.produce(production, qty)
        production.sudo(self.shopfloor).button_mark_done()
        return production

    def record_time(self, workorder, minutes):
        loss = self.env["mrp.workcenter.productivity.loss"].search(
            [("loss_type", "=", "productive")], limit=1)
        self.env["mrp.workcenter.productivity"].create({
            "workorder_id": workorder.id, "workcenter_id": workorder.workcenter_id.id,
            "loss_id": loss.id, "date_start": "2026-03-02 08:00:00",
            "date_end": "2026-03-02 08:%02d:00" % minutes if minutes < 60
            else "2026-03-02 %02d:%02d:00" % (8 + minutes // 60, minutes % 60),
        })

    def absorbed(self, production, key):
        """Credit on an absorption account for production (positive: absorbed)."""
        return -self.balance(production, key)

    def wip_debits(self, production):
        items = self.items(production, "wip").filtered(lambda i: i.debit)
        return round(sum(items.mapped("debit")), 2)


class TestStandardConversionCost(ConversionCase):

    def test_chair_standard_is_36_04(self):
        bom = self.chair_bom
        self.assertAlmostEqual(bom.backflush_material_cost, 31.84, places=6)
        self.assertAlmostEqual(bom.backflush_run_minutes, 6.0, places=6)
        self.assertAlmostEqual(bom.backflush_setup_minutes, 0.0, places=6)
        self.assertAlmostEqual(bom.backflush_conversion_cost, 4.20, places=6)
        self.assertAlmostEqual(bom.backflush_standard_cost, 36.04, places=6)
        self.assertEqual(bom.backflush_costing_lot_size, 1.0)

    def test_setup_of_10_minutes_over_a_costing_lot_of_10_is_36_74(self):
        self.workcenter.time_start = 10.0
        self.chair_bom.backflush_costing_lot_size = 10.0
        self.assertAlmostEqual(self.chair_bom.backflush_setup_minutes, 1.0, places=6)
        self.assertAlmostEqual(self.chair_bom.backflush_conversion_cost, 4.90, places=6)
        self.assertAlmostEqual(self.chair_bom.backflush_standard_cost, 36.74, places=6)

    def test_costing_lot_size_defaults_to_the_bom_quantity(self):
        bom = self._bom(self.chair, self.routing, [(self.leg, 16)], product_qty=4.0)
        self.assertEqual(bom.backflush_costing_lot_size, 4.0)


class TestAbsorptionWorkedExamples(ConversionCase):

    def test_make_7_without_work_order_time_absorbs_21_00_and_8_40_no_variance(self):
        production = self.make_chairs(7)
        self.assertEqual(self.absorbed(production, "labour"), 21.00)
        self.assertEqual(self.absorbed(production, "overhead"), 8.40)
        # materials 7 x 31.84 = 222.88 and conversion 29.40 enter WIP
        self.assertEqual(self.wip_debits(production), 252.28)
        self.assertFalse(self.items(production).filtered("backflush_variance_type"))
        self.assert_wip_zero(production)
        record = self.env["backflush.conversion"].search([("production_id", "=", production.id)])
        self.assertEqual((record.operation_id, record.recorded), (self.operation, False))
        self.assertAlmostEqual(record.hours, 0.7, places=6)
        self.assertEqual((record.labour_amount, record.overhead_amount), (21.00, 8.40))
        items = record.move_id.line_ids.filtered(lambda i: i.account_id == self.accounts["labour"])
        self.assertEqual((items.credit, items.backflush_operation_id), (21.00, self.operation))
        self.assertEqual(record.move_id.state, "posted")

    def test_49_minutes_recorded_instead_of_42_efficiency_4_90_debit(self):
        production = self.make_chairs(7, minutes=49)
        self.assertEqual(self.absorbed(production, "labour"), 24.50)
        self.assertEqual(self.absorbed(production, "overhead"), 9.80)
        self.assertEqual(self.variance(production, "efficiency"), 4.90)
        self.assertEqual(self.balance(production, "efficiency"), 4.90)
        for kind in ("usage", "price", "revision", "lot_size"):
            self.assertEqual(self.variance(production, kind), 0.0, kind)
        self.assert_wip_zero(production)

    def test_setup_10_minutes_costing_lot_10_make_5_lot_size_3_50_debit(self):
        self.workcenter.time_start = 10.0
        self.chair_bom.backflush_costing_lot_size = 10.0
        self.chair.standard_price = 36.74
        production = self.make_chairs(5)
        self.assertEqual(self.absorbed(production, "labour") + self.absorbed(
            production, "overhead"), 28.00)
        self.assertEqual(self.variance(production, "lot_size"), 3.50)
        self.assertEqual(self.balance(production, "lot_size"), 3.50)
        for kind in ("usage", "price", "revision", "efficiency"):
            self.assertEqual(self.variance(production, kind), 0.0, kind)
        self.assert_wip_zero(production)

    def test_standard_without_conversion_puts_it_in_revision_variance(self):
        self.chair.standard_price = 31.84
        production = self.make_chairs(7)
        self.assertEqual(self.absorbed(production, "labour"), 21.00)
        self.assertEqual(self.variance(production, "revision"), 29.40)
        self.assert_wip_zero(production)

    def test_no_time_recorded_on_a_started_work_order_is_all_efficiency(self):
        production = self.make_chairs(7, minutes=0)
        self.assertEqual(self.absorbed(production, "labour"), 0.0)
        self.assertEqual(self.variance(production, "efficiency"), -29.40)
        self.assertEqual(self.variance(production, "revision"), 0.0)
        self.assert_wip_zero(production)

    def test_work_order_without_recorded_time_absorbs_the_standard(self):
        production = self.make_chairs(7, plan=True)
        self.assertEqual(self.absorbed(production, "labour"), 21.00)
        self.assertEqual(self.absorbed(production, "overhead"), 8.40)
        self.assertFalse(self.items(production).filtered("backflush_variance_type"))


class TestAbsorptionTriggers(ConversionCase):

    def test_operation_done_absorbs_when_the_work_order_finishes(self):
        self.rule(trigger="operation_done", bom_id=self.chair_bom.id)
        production = self.make_mo(7, bom=self.chair_bom)
        production.sudo(self.shopfloor).button_plan()
        workorder = production.workorder_ids
        self.record_time(workorder, 49)
        workorder.sudo(self.shopfloor).write({"qty_producing": 7})
        workorder.sudo(self.shopfloor).record_production()
        self.assertEqual(workorder.state, "done")
        self.assertNotEqual(production.state, "done")
        self.assertEqual(self.absorbed(production, "labour"), 24.50)
        self.assertEqual(self.absorbed(production, "overhead"), 9.80)
        production.sudo(self.shopfloor).button_mark_done()
        # absorbed once, settled at completion
        self.assertEqual(self.absorbed(production, "labour"), 24.50)
        self.assertEqual(len(self.env["backflush.conversion"].search(
            [("production_id", "=", production.id)])), 1)
        self.assertEqual(self.variance(production, "efficiency"), 4.90)
        self.assert_wip_zero(production)

    def test_production_done_absorbs_nothing_before_completion(self):
        production = self.make_mo(7, bom=self.chair_bom)
        production.sudo(self.shopfloor).button_plan()
        workorder = production.workorder_ids
        workorder.sudo(self.shopfloor).write({"qty_producing": 7})
        workorder.sudo(self.shopfloor).record_production()
        self.assertEqual(self.absorbed(production, "labour"), 0.0)
        production.sudo(self.shopfloor).button_mark_done()
        self.assertEqual(self.absorbed(production, "labour"), 21.00)

    def test_work_center_without_rates_posts_no_conversion(self):
        self.workcenter.write({"backflush_labour_rate": 0.0, "backflush_overhead_rate": 0.0})
        self.chair.standard_price = 31.84
        production = self.make_chairs(7, minutes=49)
        self.assertFalse(self.items(production).filtered("backflush_operation_id"))
        self.assertFalse(self.env["backflush.conversion"].search(
            [("production_id", "=", production.id)]))
        self.assertFalse(self.items(production).filtered("backflush_variance_type"))
        self.assertEqual(self.wip_debits(production), 222.88)
        self.assert_wip_zero(production)

    def test_missing_absorption_account_refuses_to_close_and_names_the_fix(self):
        self.workcenter.backflush_overhead_absorption_account_id = False
        production = self.make_mo(7, bom=self.chair_bom)
        self.produce(production, 7)
        with self.assertRaisesRegex(UserError, "overhead absorption account.*Chair bench"):
            production.sudo(self.shopfloor).button_mark_done()
        self.assertEqual(production.state, "progress")
        self.assertFalse(self.items(production).filtered("backflush_operation_id"))

    def test_company_absorption_accounts_are_the_fallback(self):
        self.workcenter.backflush_labour_absorption_account_id = False
        self.company.backflush_labour_absorption_account_id = self.accounts["overhead"]
        production = self.make_chairs(7)
        self.assertEqual(self.absorbed(production, "overhead"), 29.40)
        self.assertEqual(self.absorbed(production, "labour"), 0.0)

    def test_preview_shows_the_absorption_before_posting(self):
        production = self.make_mo(7, bom=self.chair_bom)
        self.produce(production, 7)
        preview = self.env["backflush.preview"].sudo(self.shopfloor).create(
            {"production_id": production.id})
        line = preview.conversion_line_ids
        self.assertEqual(len(line), 1)
        self.assertEqual((line.operation_id, line.workcenter_id), (self.operation,
                                                                   self.workcenter))
        self.assertEqual((line.labour_amount, line.overhead_amount), (21.00, 8.40))
        self.assertEqual((line.labour_account_id, line.overhead_account_id),
                         (self.accounts["labour"], self.accounts["overhead"]))
        self.assertEqual(line.state, "production_done")
        self.assertEqual(self.absorbed(production, "labour"), 0.0)
        production.sudo(self.shopfloor).button_mark_done()
        preview = self.env["backflush.preview"].create({"production_id": production.id})
        self.assertEqual(preview.conversion_line_ids.state, "absorbed")


class TestConversionReversal(ConversionCase):

    KEYS = ("stock", "wip", "labour", "overhead", "efficiency", "lot_size", "usage", "price",
            "revision")

    def balances(self):
        return {key: self.account_balance(key) for key in self.KEYS}

    def test_reverse_backflush_restores_every_account_absorption_included(self):
        before = self.balances()
        production = self.make_chairs(7, minutes=49)
        self.assertEqual(self.account_balance("labour") - before["labour"], -24.50)
        self.assertEqual(self.account_balance("efficiency") - before["efficiency"], 4.90)
        production.sudo(self.shopfloor).action_backflush_reverse()
        self.assertEqual(self.balances(), before)
        self.assertEqual(self.balance(production, "wip"), 0.0)
        records = self.env["backflush.conversion"].search([("production_id", "=", production.id)])
        self.assertEqual(sorted(records.mapped("labour_amount")), [-24.50, 24.50])

    def test_unbuild_mirrors_the_conversion(self):
        self.workcenter.time_start = 10.0
        self.chair_bom.backflush_costing_lot_size = 10.0
        self.chair.standard_price = 36.74
        before = self.balances()
        production = self.make_chairs(5)
        self.assertEqual(self.account_balance("lot_size") - before["lot_size"], 3.50)
        unbuild = self.env["mrp.unbuild"].create({
            "product_id": self.chair.id, "bom_id": self.chair_bom.id, "mo_id": production.id,
            "product_qty": 5, "product_uom_id": self.uom_unit.id,
            "location_id": self.stock_location.id, "location_dest_id": self.stock_location.id})
        unbuild.action_unbuild()
        self.assertEqual(self.balances(), before)


class TestCostRollup(ConversionCase):
    """Frame = 4 Leg + 8 Screw and 6 minutes; Chair 2 = 1 Frame + 1 Seat and 6 minutes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.frame = cls._product("Frame", 9.00, cls.categ_finished)
        cls.chair2 = cls._product("Chair 2", 30.00, cls.categ_finished)
        cls.frame_bom = cls._bom(cls.frame, cls._routing("Frame", cls.workcenter, 6.0),
                                 [(cls.leg, 4), (cls.screw, 8)])
        cls.chair2_bom = cls._bom(cls.chair2, cls._routing("Chair 2", cls.workcenter, 6.0),
                                  [(cls.frame, 1), (cls.seat, 1)])

    def rollup(self, **values):
        wizard = self.env["backflush.cost.rollup"].create(dict({
            "product_ids": [(6, 0, (self.chair2 | self.frame).ids)],
            "counterpart_account_id": self.accounts["counterpart"].id}, **values))
        wizard.action_compute()
        return wizard

    def line(self, wizard, product):
        return wizard.line_ids.filtered(lambda line: line.product_id == product)

    def test_two_levels_bottom_up_with_scrap(self):
        self.frame_bom.bom_line_ids.filtered(
            lambda line: line.product_id == self.screw).backflush_scrap_factor = 50.0
        wizard = self.rollup()
        frame, chair = self.line(wizard, self.frame), self.line(wizard, self.chair2)
        # frame: 4 x 2.50 + 12 x 0.10 = 11.20 material, 4.20 conversion
        self.assertEqual((frame.current_cost, frame.material_cost, frame.conversion_cost,
                          frame.new_cost), (9.00, 11.20, 4.20, 15.40))
        # chair: the frame at its new cost
        self.assertEqual((chair.current_cost, chair.material_cost, chair.conversion_cost,
                          chair.new_cost), (30.00, 36.44, 4.20, 40.64))

    def test_apply_revalues_stock_on_hand_then_no_revision_variance(self):
        self.receive(self.frame, 3)
        self.receive(self.chair2, 2)
        stock_before = self.account_balance("stock")
        wizard = self.rollup()
        frame, chair = self.line(wizard, self.frame), self.line(wizard, self.chair2)
        self.assertEqual((frame.qty_on_hand, frame.revaluation), (3.0, 18.00))
        self.assertEqual((chair.qty_on_hand, chair.revaluation), (2.0, 20.48))
        wizard.action_apply()
        self.assertEqual(self.frame.standard_price, 15.00)
        self.assertEqual(self.chair2.standard_price, 40.24)
        self.assertEqual(round(self.account_balance("stock") - stock_before, 2), 38.48)
        self.assertEqual(self.account_balance("counterpart"), -38.48)
        production = self.make_mo(5, bom=self.chair2_bom)
        self.produce(production, 5)
        production.sudo(self.shopfloor).button_mark_done()
        self.assertEqual(self.absorbed(production, "labour"), 15.00)
        self.assertFalse(self.items(production).filtered("backflush_variance_type"))
        self.assert_wip_zero(production)

    def test_category_selects_its_manufactured_products(self):
        wizard = self.env["backflush.cost.rollup"].create({
            "categ_id": self.categ_finished.id,
            "counterpart_account_id": self.accounts["counterpart"].id})
        wizard.action_compute()
        self.assertTrue({self.frame, self.chair2, self.chair, self.table}
                        <= set(wizard.line_ids.mapped("product_id")))
        self.assertEqual(self.line(wizard, self.table).conversion_cost, 0.0)
        self.assertEqual(self.line(wizard, self.table).new_cost, 30.80)

    def test_only_managers_apply(self):
        wizard = self.rollup()
        with self.assertRaisesRegex(AccessError, "Only backflush managers"):
            wizard.sudo(self.shopfloor).action_apply()
        self.assertEqual(self.frame.standard_price, 9.00)


class TestDemoFactoryConversion(SavepointCase):
    """The demo's figures that the tour (readme/USAGE.rst) quotes."""

    def test_dining_table_rolls_up_to_113_50_with_a_lot_size_variance_of_5_60(self):
        if not self.env.ref("backflush_mrp.bom_dining_table", raise_if_not_found=False):
            self.skipTest("the database has no demo data")
        bom = self.env.ref("backflush_mrp.bom_dining_table")
        self.assertAlmostEqual(bom.backflush_material_cost, 86.20, places=6)
        self.assertAlmostEqual(bom.backflush_run_minutes, 35.0, places=6)
        self.assertAlmostEqual(bom.backflush_setup_minutes, 4.0, places=6)
        self.assertAlmostEqual(bom.backflush_conversion_cost, 27.30, places=6)
        self.assertAlmostEqual(bom.backflush_standard_cost, 113.50, places=6)
        Conversion = self.env["backflush.conversion"]
        setups = [conversion.lot_size_variance(Conversion.plain_operation(operation), 3.0,
                                               bom.backflush_costing_lot_size)
                  for operation in bom.routing_id.operation_ids]
        self.assertAlmostEqual(sum(setups), 5.60, places=6)
        production = self.env.ref("backflush_mrp.mo_dining_tables")
        preview = self.env["backflush.preview"].create({"production_id": production.id})
        self.assertEqual(preview.conversion_line_ids.mapped("state"),
                         ["operation_done", "operation_done"])
