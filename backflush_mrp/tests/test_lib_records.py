"""The value records that stand in for dataclasses on Python 3.5."""
import unittest

from odoo.addons.backflush_mrp.lib.records import record


class Point(record("Point", "x y label", label="")):
    __slots__ = ()


class TestRecord(unittest.TestCase):

    def test_keywords_defaults_and_replace(self):
        point = Point(1, y=2)
        self.assertEqual((point.x, point.y, point.label), (1, 2, ""))
        self.assertEqual(point._replace(label="a"), Point(1, 2, "a"))
        self.assertEqual(hash(point), hash(Point(1, 2)))

    def test_frozen(self):
        point = Point(1, 2)
        with self.assertRaises(AttributeError):
            point.x = 3
        with self.assertRaises(AttributeError):
            point.other = 3

    def test_required_fields_are_required(self):
        with self.assertRaises(TypeError):
            Point(1)

    def test_defaults_must_name_trailing_fields(self):
        with self.assertRaises(TypeError):
            record("Bad", "a b", a=1)
        with self.assertRaises(TypeError):
            record("Bad", "a b", c=1)
