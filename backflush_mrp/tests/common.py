"""A small furniture factory for the module's tests, built in real Odoo."""
from odoo.tests.common import SavepointCase


class BackflushCase(SavepointCase):
    """Table T = 4 Leg + 1 Top + 8 Screw (SPEC section 4), and helpers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.user.company_id
        cls.company.write({"backflush_default_trigger": "production_done",
                           "backflush_default_shortage_policy": "allow_negative"})
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1)
        cls.stock_location = cls.warehouse.lot_stock_id
        cls.uom_unit = cls.env.ref("product.product_uom_unit")
        cls.categ_all = cls.env.ref("product.product_category_all")
        cls.categ_raw = cls.env["product.category"].create(
            {"name": "Raw", "parent_id": cls.categ_all.id})
        cls.categ_fasteners = cls.env["product.category"].create(
            {"name": "Fasteners", "parent_id": cls.categ_raw.id})
        cls.categ_finished = cls.env["product.category"].create(
            {"name": "Furniture", "parent_id": cls.categ_all.id})
        cls.leg = cls._product("Leg", 2.50, cls.categ_raw)
        cls.top = cls._product("Top", 20.00, cls.categ_raw)
        cls.screw = cls._product("Screw", 0.10, cls.categ_fasteners)
        cls.table = cls._product("Table T", 30.80, cls.categ_finished)
        cls.bom = cls.env["mrp.bom"].create({
            "product_tmpl_id": cls.table.product_tmpl_id.id,
            "product_qty": 1.0,
            "product_uom_id": cls.uom_unit.id,
            "type": "normal",
            "bom_line_ids": [
                (0, 0, {"product_id": cls.leg.id, "product_qty": 4}),
                (0, 0, {"product_id": cls.top.id, "product_qty": 1}),
                (0, 0, {"product_id": cls.screw.id, "product_qty": 8}),
            ],
        })
        cls.line_leg, cls.line_top, cls.line_screw = cls.bom.bom_line_ids
        # flows run as the least privileged user who may run them: the shop floor
        cls.shopfloor = cls.env["res.users"].create({
            "name": "Shop floor operator", "login": "backflush-shopfloor",
            "company_id": cls.company.id, "company_ids": [(6, 0, cls.company.ids)],
            "groups_id": [(6, 0, [cls.env.ref("backflush_mrp.group_backflush_user").id,
                                  cls.env.ref("stock.group_stock_user").id])]})

    def setUp(self):
        super().setUp()
        self.env.cr.execute("SELECT COALESCE(MAX(id), 0) FROM mrp_production")
        self._last_production_before_test = self.env.cr.fetchone()[0]

    def tearDown(self):
        # the consistency audit (issue: reliability) over every MO the test made
        created = self.env["mrp.production"].search(
            [("id", ">", self._last_production_before_test)])
        findings = self.env["backflush.audit"]._audit(created)
        self.assertEqual(findings, [], "the backflush audit found discrepancies")
        super().tearDown()

    @classmethod
    def _product(cls, name, cost, category, **values):
        values = dict({"name": name, "type": "product", "standard_price": cost,
                       "categ_id": category.id, "uom_id": cls.uom_unit.id,
                       "uom_po_id": cls.uom_unit.id}, **values)
        return cls.env["product.product"].create(values)

    # -- stock ---------------------------------------------------------------
    def put_stock(self, product, qty, location=None, lot=None, in_date=None):
        self.env["stock.quant"]._update_available_quantity(
            product, location or self.stock_location, qty, lot_id=lot, in_date=in_date)

    def on_hand(self, product, location=None, lot=None):
        quants = self.env["stock.quant"].search([
            ("product_id", "=", product.id),
            ("location_id", "child_of", (location or self.stock_location).id)])
        if lot is not None:
            quants = quants.filtered(lambda q: q.lot_id == lot)
        return sum(quants.mapped("quantity"))

    def stock_everything(self, qty=1000):
        for product in (self.leg, self.top, self.screw):
            self.put_stock(product, qty)

    # -- manufacturing ----------------------------------------------------------
    def leg_kit_bom(self, **values):
        """(bom, pad, leg_kit): Table T from 2 leg kits and a top, the kit a phantom
        BoM of 2 kits = 2 legs + 6 felt pads; values go to the table's BoM."""
        pad = self._product("Felt pad", 0.05, self.categ_raw)
        leg_kit = self._product("Leg kit", 0.0, self.categ_raw)
        self.env["mrp.bom"].create({
            "product_tmpl_id": leg_kit.product_tmpl_id.id, "product_qty": 2,
            "product_uom_id": self.uom_unit.id, "type": "phantom",
            "bom_line_ids": [(0, 0, {"product_id": self.leg.id, "product_qty": 2}),
                             (0, 0, {"product_id": pad.id, "product_qty": 6})],
        })
        bom = self.env["mrp.bom"].create(dict({
            "product_tmpl_id": self.table.product_tmpl_id.id, "product_qty": 1,
            "product_uom_id": self.uom_unit.id,
            "bom_line_ids": [(0, 0, {"product_id": leg_kit.id, "product_qty": 2}),
                             (0, 0, {"product_id": self.top.id, "product_qty": 1})],
        }, **values))
        return bom, pad, leg_kit

    def make_mo(self, qty, bom=None, product=None, **values):
        bom = bom or self.bom
        product = product or bom.product_id or bom.product_tmpl_id.product_variant_id
        values = dict({"product_id": product.id, "product_qty": qty,
                       "product_uom_id": bom.product_uom_id.id, "bom_id": bom.id}, **values)
        production = self.env["mrp.production"].sudo(self.shopfloor).create(values)
        production.action_assign()
        return production

    def produce(self, production, qty, lot=None):
        wizard = self.env["mrp.product.produce"].sudo(self.shopfloor).with_context(
            active_id=production.id, active_ids=production.ids).create({"product_qty": qty})
        if lot:
            wizard.lot_id = lot
        wizard.do_produce()
        return wizard

    def close_orders(self, quantities):
        """One MO per quantity, made, produced whole and marked done."""
        productions = self.env["mrp.production"]
        for qty in quantities:
            production = self.make_mo(qty)
            self.produce(production, qty)
            production.button_mark_done()
            productions |= production
        return productions

    def consumed(self, production, product):
        """What the MO's Consumed Materials show as consumed: its own done moves,
        in the component's UoM."""
        moves = production.move_raw_ids.filtered(
            lambda m: m.product_id == product and m.state == "done")
        return sum(moves.mapped("product_qty"))

    def line_of(self, production, product):
        return production.backflush_line_ids.filtered(lambda line: line.product_id == product)

    def rule(self, **values):
        values.setdefault("name", "Rule %s" % values.get("trigger", "production_done"))
        return self.env["backflush.rule"].create(values)


class LotCase(BackflushCase):
    """The table with 2 Glue per unit, Glue tracked by lot (GLUE-OLD and GLUE-NEW)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.glue = cls._product("Glue", 1.0, cls.categ_raw, tracking="lot")
        cls.bom.write({"bom_line_ids": [(0, 0, {"product_id": cls.glue.id, "product_qty": 2})]})
        Lot = cls.env["stock.production.lot"]
        cls.lot_old = Lot.create({"name": "GLUE-OLD", "product_id": cls.glue.id})
        cls.lot_new = Lot.create({"name": "GLUE-NEW", "product_id": cls.glue.id})
