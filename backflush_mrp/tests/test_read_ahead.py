"""read_ahead fills the ORM cache with what the ORM's own reads put there."""
from odoo.api import SpecialValue
from odoo.exceptions import MissingError

from ..read_ahead import POSTING_READS, read_ahead
from .common import BackflushCase


def cached(env):
    """{(field, record id, key): value} of what the cache holds (no failed reads)."""
    return {(field, record_id, key): value
            for field, by_id in env.cache._data.items()
            for record_id, by_key in by_id.items()
            for key, value in by_key.items() if not isinstance(value, SpecialValue)}


class TestReadAhead(BackflushCase):

    def setUp(self):
        super().setUp()
        self.stock_everything()
        self.rule(name="End of shift", trigger="periodic", product_id=self.screw.id)
        # done orders with done and open component moves, and an open one
        self.productions = self.close_orders([2, 3]) | self.make_mo(1)

    def _read_the_orm_way(self, productions):
        for path in POSTING_READS:
            productions.mapped(path)

    def test_the_cache_holds_what_the_orm_reads(self):
        self.env.cache.invalidate()
        read_ahead(self.productions, POSTING_READS)
        ahead = cached(self.env)
        self.env.cache.invalidate()
        self._read_the_orm_way(self.productions)
        orm = cached(self.env)
        self.assertTrue(ahead)
        different = {key: (value, orm.get(key, "not read by the ORM"))
                     for key, value in ahead.items() if orm.get(key, object()) != value}
        self.assertEqual(different, {})
        # what the posting walks through is all there: plain columns, many2one
        # and one2many (in their search order), of every level of the paths
        moves = self.productions.mapped("backflush_line_ids.move_ids")
        self.assertGreater(len(moves), 6)
        move_fields = self.env["stock.move"]._fields
        for name in ("state", "product_uom_qty", "product_id", "move_line_ids"):
            self.assertEqual({record_id for field, record_id, _key in ahead
                              if field is move_fields[name]} >= set(moves.ids), True, name)
        line_moves = self.env["mrp.production.backflush.line"]._fields["move_ids"]
        for line in self.productions.mapped("backflush_line_ids"):
            self.assertEqual([value for (field, record_id, _key), value in ahead.items()
                              if field is line_moves and record_id == line.id],
                             [tuple(line.move_ids.ids)])

    def test_what_the_cache_holds_is_kept(self):
        production = self.productions[0]
        self.assertTrue(production.name)
        self.env.cr.execute("UPDATE mrp_production SET name = 'renamed' WHERE id = %s",
                            [production.id])
        read_ahead(production, ("name", "state"))
        self.assertNotEqual(production.name, "renamed")
        production.invalidate_cache(["name"], production.ids)
        read_ahead(production, ("name",))
        self.assertEqual(production.name, "renamed")

    def test_a_record_that_cannot_be_read_fails_as_the_orm_fails(self):
        moves = self.productions.mapped("move_raw_ids")
        gone = self.env["stock.move"].browse(2 ** 31 - 1)
        self.assertFalse(gone.exists())
        self.env.cache.invalidate()
        read_ahead(moves | gone, ("state", "move_line_ids.qty_done"))
        self.env.cr.execute("SELECT id, state FROM stock_move WHERE id IN %s",
                            [tuple(moves.ids)])
        self.assertEqual({move.id: move.state for move in moves}, dict(self.env.cr.fetchall()))
        # the cache says why, as after the ORM's own read of a missing record
        with self.assertRaises(MissingError):
            gone.mapped("state")
