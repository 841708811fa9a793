"""An MO's raw moves keep Odoo's units, the BoM line's (SPEC sections 3 and 4d)."""
from ..lib import quantities
from .common_accounting import BackflushAccountingCase


class TestOdooUnits(BackflushAccountingCase):
    """Bolts stocked in boxes of 100; a chair takes 12 Units of them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.box = cls.env["product.uom"].create({
            "name": "Box of 100 bolts", "category_id": cls.uom_unit.category_id.id,
            "uom_type": "bigger", "factor_inv": 100, "rounding": 0.01})
        cls.bolt = cls._product("Bolt", 5.00, cls.categ_fasteners, uom_id=cls.box.id,
                                uom_po_id=cls.box.id)
        # its standard is its roll-up: 12 bolts at 0.05
        cls.chair = cls._product("Chair", 0.60, cls.categ_finished)
        cls.chair_bom = cls.env["mrp.bom"].create({
            "product_tmpl_id": cls.chair.product_tmpl_id.id, "product_qty": 1.0,
            "product_uom_id": cls.uom_unit.id,
            "bom_line_ids": [(0, 0, {"product_id": cls.bolt.id, "product_qty": 12,
                                     "product_uom_id": cls.uom_unit.id})]})

    def setUp(self):
        super().setUp()
        self.receive(self.bolt, 20)

    def _bolt_moves(self, production, state=None):
        return production.move_raw_ids.filtered(
            lambda m: m.product_id == self.bolt and (state is None or m.state == state))

    def test_the_move_shows_units_as_odoo_made_it(self):
        production = self.make_mo(7, bom=self.chair_bom)
        bolts = self._bolt_moves(production)
        self.assertEqual((bolts.product_uom, bolts.product_uom_qty), (self.uom_unit, 84.0))
        self.assertEqual(bolts.product_qty, 0.84)
        self.assertEqual(self.line_of(production, self.bolt).product_uom_id, self.box)

    def test_backflush_consumes_84_units_that_is_0_84_boxes(self):
        production = self.make_mo(7, bom=self.chair_bom)
        self.produce(production, 7)
        done = self._bolt_moves(production, "done")
        self.assertEqual((done.product_uom, done.quantity_done), (self.uom_unit, 84.0))
        self.assertEqual(done.move_line_ids.mapped("product_uom_id"), self.uom_unit)
        self.assertAlmostEqual(self.on_hand(self.bolt), 19.16)
        production.button_mark_done()
        self.assertAlmostEqual(self.on_hand(self.bolt), 19.16)
        self.assertEqual(self.variance(production, "usage"), 0.0)
        self.assert_wip_zero(production)

    def test_operator_records_90_units_in_the_unit_odoo_shows(self):
        production = self.make_mo(7, bom=self.chair_bom)
        self._bolt_moves(production).quantity_done = 90
        self.produce(production, 7)
        production.button_mark_done()
        # 20 boxes - 90 bolts, never 90 boxes, never 84 more
        self.assertAlmostEqual(self.on_hand(self.bolt), 19.10)
        done = self._bolt_moves(production, "done")
        self.assertEqual(sum(done.mapped("quantity_done")), 90.0)
        self.assertAlmostEqual(sum(done.mapped("product_qty")), 0.90)
        # 6 bolts beyond standard, at 5.00 a box of 100
        self.assertEqual(self.variance(production, "usage"), 0.30)
        self.assertEqual(self.balance(production, "wip"), 0.0)
        self.assert_wip_zero(production)

    def test_partial_outputs_add_up_to_the_standard_in_units(self):
        production = self.make_mo(7, bom=self.chair_bom)
        self.produce(production, 3)
        self.produce(production, 4)
        done = self._bolt_moves(production, "done")
        self.assertEqual(sorted(done.mapped("quantity_done")), [36.0, 48.0])
        self.assertEqual(done.mapped("product_uom"), self.uom_unit)
        production.button_mark_done()
        self.assertAlmostEqual(self.on_hand(self.bolt), 19.16)
        self.assert_wip_zero(production)

    def test_reverse_backflush_gives_the_bolts_back(self):
        production = self.make_mo(7, bom=self.chair_bom)
        self._bolt_moves(production).quantity_done = 90
        self.produce(production, 7)
        production.button_mark_done()
        production.action_backflush_reverse()
        self.assertAlmostEqual(self.on_hand(self.bolt), 20.0)
        self.assertEqual(self.on_hand(self.chair), 0.0)
        self.assertEqual(self.balance(production, "wip"), 0.0)
        self.assertEqual(self.variance(production, "usage"), 0.0)


class TestPlainUnits(BackflushAccountingCase):
    """The plain units the posting computes with are Odoo's, and follow their changes."""

    def _units(self):
        Uom = self.env["product.uom"]
        category = self.uom_unit.category_id
        return self.uom_unit | Uom.create({
            "name": "Box of 100", "category_id": category.id, "uom_type": "bigger",
            "factor_inv": 100, "rounding": 0.01}) | Uom.create({
                "name": "Dozen (whole)", "category_id": category.id, "uom_type": "bigger",
                "factor_inv": 12, "rounding": 1.0}) | Uom.create({
                    "name": "Tenth", "category_id": category.id, "uom_type": "smaller",
                    "factor": 10, "rounding": 0.001})

    def test_odoo_quantity_is_compute_quantity(self):
        units = self._units()
        quantities_ = [0.0, 0.005, 1.0, 7.0, 12.5, 84.0, 99.995, 1 / 3.0, 1234.5678]
        for source in units:
            for target in units:
                for qty in quantities_:
                    for method in ("UP", "HALF-UP"):
                        self.assertEqual(
                            quantities.odoo_quantity(qty, source.backflush_plain(),
                                                     target.backflush_plain(), method),
                            source._compute_quantity(qty, target, rounding_method=method),
                            (qty, source.name, target.name, method))

    def test_a_changed_unit_is_seen_at_once(self):
        # in a category of its own: stock refuses new ratios in one that has moved
        category = self.env["product.uom.categ"].create({"name": "Backflush rolls"})
        Uom = self.env["product.uom"]
        Uom.create({"name": "Metre", "category_id": category.id, "uom_type": "reference",
                    "rounding": 0.01})
        roll = Uom.create({"name": "Roll", "category_id": category.id, "uom_type": "bigger",
                           "factor_inv": 100, "rounding": 0.01})
        self.assertEqual(roll.backflush_plain(), quantities.Uom(0.01, 0.01, category.id))
        roll.factor_inv = 50
        self.assertEqual(roll.backflush_plain(), quantities.Uom(0.02, 0.01, category.id))
        roll.rounding = 1.0
        self.assertEqual(roll.backflush_plain(), quantities.Uom(0.02, 1.0, category.id))
