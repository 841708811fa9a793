"""Rule resolution (SPEC section 2), without a database.

The most specific matching rule wins: BoM line, product, BoM, product
category (nearest parent first), work center, company-wide rule, then the
company default; ties by sequence, then id.
"""
import unittest

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from odoo.addons.backflush_mrp.lib import rules
from odoo.addons.backflush_mrp.lib.rules import Component, Rule, resolve

COMPANY = 1
OTHER_COMPANY = 2

# category tree: All (1) > Raw (2) > Fasteners (3) > Screws (4); All > Finished (5)
ALL, RAW, FASTENERS, SCREWS, FINISHED = 1, 2, 3, 4, 5
CATEGORY_NAMES = {
    ALL: "All",
    RAW: "All / Raw",
    FASTENERS: "All / Raw / Fasteners",
    SCREWS: "All / Raw / Fasteners / Screws",
    FINISHED: "All / Finished",
}
PARENT = {ALL: None, RAW: ALL, FASTENERS: RAW, SCREWS: FASTENERS, FINISHED: ALL}

BOM_LINE, PRODUCT, BOM, WORKCENTER = 100, 200, 300, 400


def category_path(categ_id):
    path = []
    while categ_id is not None:
        path.append(categ_id)
        categ_id = PARENT[categ_id]
    return tuple(path)


def component(categ_id=FASTENERS, **kwargs):
    path = category_path(categ_id)
    values = {
        "company_id": COMPANY,
        "bom_line_id": BOM_LINE,
        "product_id": PRODUCT,
        "bom_id": BOM,
        "category_path": path,
        "category_names": tuple(CATEGORY_NAMES[c] for c in path),
        "workcenter_id": WORKCENTER,
    }
    values.update(kwargs)
    return Component(**values)


def rule(rule_id, name=None, trigger="production_done", **kwargs):
    return Rule(id=rule_id, name=name or "rule %s" % rule_id, trigger=trigger, **kwargs)


# one matching rule at each level, most specific first
LEVEL_RULES = [
    rule(1, "Screws line-side", trigger="operation_done", bom_line_id=BOM_LINE),
    rule(2, "Screw product", trigger="shipment", product_id=PRODUCT),
    rule(3, "Table BoM", trigger="periodic", bom_id=BOM),
    rule(4, "Fasteners", trigger="manual", product_categ_id=FASTENERS),
    rule(5, "Raw materials", trigger="operation_done", product_categ_id=RAW),
    rule(6, "Everything", trigger="shipment", product_categ_id=ALL),
    rule(7, "Assembly line", trigger="periodic", workcenter_id=WORKCENTER),
    rule(8, "Company wide", trigger="operation_done", company_id=COMPANY),
]
EXPECTED_REASONS = [
    "BoM line rule 'Screws line-side'",
    "product rule 'Screw product'",
    "BoM rule 'Table BoM'",
    "category All / Raw / Fasteners rule 'Fasteners'",
    "category All / Raw rule 'Raw materials'",
    "category All rule 'Everything'",
    "work center rule 'Assembly line'",
    "company rule 'Company wide'",
]


# -- resolution, level by level, then categories, ties, companies, scopes --

class TestLevels(unittest.TestCase):
    """One level at a time, then every level against the less specific ones."""

    def test_each_level_alone_matches(self):
        for index in range(len(LEVEL_RULES)):
            with self.subTest(index=index):
                only = LEVEL_RULES[index]
                resolution = resolve([only], component())
                self.assertEqual(resolution.rule, only)
                self.assertEqual(resolution.rule_id, only.id)
                self.assertEqual(resolution.reason, EXPECTED_REASONS[index])

    def test_most_specific_level_wins(self):
        """With every less specific rule present, the rule at `index` wins."""
        for index in range(len(LEVEL_RULES)):
            with self.subTest(index=index):
                candidates = LEVEL_RULES[index:]
                # order of the list must not matter, nor sequence across levels
                for ordering in (candidates, list(reversed(candidates))):
                    resolution = resolve(ordering, component())
                    self.assertEqual(resolution.rule, LEVEL_RULES[index])
                    self.assertEqual(resolution.reason, EXPECTED_REASONS[index])

    def test_specificity_beats_sequence(self):
        """A more specific rule wins even when the less specific ones have a lower sequence."""
        for index in range(len(LEVEL_RULES) - 1):
            with self.subTest(index=index):
                winner = LEVEL_RULES[index]._replace(sequence=1000)
                others = [r._replace(sequence=0) for r in LEVEL_RULES[index + 1:]]
                self.assertEqual(resolve(others + [winner], component()).rule, winner)

    def test_no_rule_is_company_default(self):
        resolution = resolve([], component())
        self.assertIsNone(resolution.rule)
        self.assertIsNone(resolution.rule_id)
        self.assertEqual(resolution.reason, "company default")

    def test_no_matching_rule_is_company_default(self):
        candidates = [
            rule(1, bom_line_id=BOM_LINE + 1),
            rule(2, product_id=PRODUCT + 1),
            rule(3, bom_id=BOM + 1),
            rule(4, product_categ_id=FINISHED),
            rule(5, workcenter_id=WORKCENTER + 1),
            rule(6, company_id=OTHER_COMPANY),
            rule(7, active=False),
        ]
        resolution = resolve(candidates, component())
        self.assertIsNone(resolution.rule)
        self.assertEqual(resolution.reason, "company default")

    def test_company_default_reason_when_component_has_no_bom_line(self):
        comp = component(bom_line_id=None, bom_id=None, workcenter_id=None)
        self.assertEqual(resolve([rule(1, bom_line_id=BOM_LINE), rule(2, bom_id=BOM),
                                  rule(3, workcenter_id=WORKCENTER)], comp).reason,
                         "company default")

    def test_bom_line_rule_reason_text(self):
        resolution = resolve([rule(9, "Screws line-side", bom_line_id=BOM_LINE)], component())
        self.assertEqual(resolution.reason, "BoM line rule 'Screws line-side'")

    def test_trigger_is_carried_on_resolved_rule(self):
        resolution = resolve(LEVEL_RULES, component())
        self.assertEqual(resolution.rule.trigger, "operation_done")

    def test_level_constants_are_ordered(self):
        self.assertTrue(rules.LEVEL_BOM_LINE < rules.LEVEL_PRODUCT < rules.LEVEL_BOM
                        < rules.LEVEL_CATEGORY < rules.LEVEL_WORKCENTER < rules.LEVEL_COMPANY)


class TestCategories(unittest.TestCase):

    def test_rule_on_grandparent_category_matches(self):
        grand = rule(1, "Raw", product_categ_id=RAW)
        resolution = resolve([grand], component(categ_id=SCREWS))
        self.assertEqual(resolution.rule, grand)
        self.assertEqual(resolution.reason, "category All / Raw rule 'Raw'")

    def test_rule_on_root_category_matches_everything_below(self):
        root = rule(1, "All products", product_categ_id=ALL)
        for categ in (ALL, RAW, FASTENERS, SCREWS, FINISHED):
            self.assertEqual(resolve([root], component(categ_id=categ)).rule, root)

    def test_rule_on_sibling_or_child_category_does_not_match(self):
        finished = rule(1, product_categ_id=FINISHED)
        child = rule(2, product_categ_id=SCREWS)  # a child of the component's category
        self.assertIsNone(resolve([finished, child], component(categ_id=FASTENERS)).rule)

    def test_nearer_category_wins_over_farther(self):
        far = rule(1, "All", product_categ_id=ALL, sequence=1)
        middle = rule(2, "Raw", product_categ_id=RAW, sequence=5)
        near = rule(3, "Fasteners", product_categ_id=FASTENERS, sequence=99)
        comp = component(categ_id=SCREWS)
        self.assertEqual(resolve([far, middle, near], comp).rule, near)
        self.assertEqual(resolve([far, middle], comp).rule, middle)
        self.assertEqual(resolve([far], comp).rule, far)
        self.assertEqual(resolve([far, middle, near], comp).reason,
                         "category All / Raw / Fasteners rule 'Fasteners'")

    def test_own_category_rule_reason(self):
        own = rule(1, "Screws", product_categ_id=SCREWS)
        self.assertEqual(resolve([own], component(categ_id=SCREWS)).reason,
                         "category All / Raw / Fasteners / Screws rule 'Screws'")

    def test_same_category_ties_by_sequence(self):
        first = rule(5, "late id, low sequence", product_categ_id=RAW, sequence=1)
        second = rule(2, "early id, high sequence", product_categ_id=RAW, sequence=2)
        self.assertEqual(resolve([second, first], component()).rule, first)

    def test_category_reason_without_names_falls_back_to_id(self):
        comp = component(categ_id=FASTENERS, category_names=())
        resolution = resolve([rule(1, "Raw", product_categ_id=RAW)], comp)
        self.assertEqual(resolution.reason, "category #%s rule 'Raw'" % RAW)

    def test_component_without_category_matches_no_category_rule(self):
        comp = component(category_path=(), category_names=())
        self.assertIsNone(resolve([rule(1, product_categ_id=ALL)], comp).rule)


class TestTies(unittest.TestCase):

    def test_ties_broken_by_sequence_then_id(self):
        for scope in ({"bom_line_id": BOM_LINE}, {"product_id": PRODUCT}, {"bom_id": BOM},
                      {"product_categ_id": FASTENERS}, {"workcenter_id": WORKCENTER}, {}):
            with self.subTest(**scope):
                low_seq = rule(30, "low sequence", sequence=1, **scope)
                high_seq = rule(10, "high sequence", sequence=20, **scope)
                self.assertEqual(resolve([high_seq, low_seq], component()).rule, low_seq)
                self.assertEqual(resolve([low_seq, high_seq], component()).rule, low_seq)

                same_a = rule(11, "a", sequence=5, **scope)
                same_b = rule(12, "b", sequence=5, **scope)
                self.assertEqual(resolve([same_b, same_a], component()).rule, same_a)
                self.assertEqual(resolve([same_a, same_b], component()).rule, same_a)

    def test_negative_sequence_sorts_first(self):
        a = rule(1, sequence=0, product_id=PRODUCT)
        b = rule(2, sequence=-3, product_id=PRODUCT)
        self.assertEqual(resolve([a, b], component()).rule, b)


class TestActiveAndCompany(unittest.TestCase):

    def test_archived_rules_ignored(self):
        archived = rule(1, bom_line_id=BOM_LINE, active=False)
        fallback = rule(2, product_categ_id=ALL)
        self.assertEqual(resolve([archived, fallback], component()).rule, fallback)
        self.assertEqual(resolve([archived], component()).reason, "company default")

    def test_other_company_rules_ignored(self):
        foreign = rule(1, bom_line_id=BOM_LINE, company_id=OTHER_COMPANY)
        mine = rule(2, workcenter_id=WORKCENTER, company_id=COMPANY)
        self.assertEqual(resolve([foreign, mine], component()).rule, mine)
        self.assertIsNone(resolve([foreign], component()).rule)
        self.assertEqual(resolve([foreign], component(company_id=OTHER_COMPANY)).rule, foreign)

    def test_rule_without_company_applies_to_all_companies(self):
        shared = rule(1, product_id=PRODUCT, company_id=None)
        for company in (COMPANY, OTHER_COMPANY, 99):
            self.assertEqual(resolve([shared], component(company_id=company)).rule, shared)

    def test_company_wide_rule_of_other_company_ignored(self):
        self.assertIsNone(resolve([rule(1, company_id=OTHER_COMPANY)], component()).rule)
        everyone = rule(2, "Everyone")
        self.assertEqual(resolve([everyone], component()).reason, "company rule 'Everyone'")

    def test_company_specific_and_shared_rules_at_same_level_tie_by_sequence(self):
        shared = rule(1, product_id=PRODUCT, company_id=None, sequence=5)
        mine = rule(2, product_id=PRODUCT, company_id=COMPANY, sequence=1)
        self.assertEqual(resolve([shared, mine], component()).rule, mine)


class TestMultiFieldScopes(unittest.TestCase):
    """Rules that name several scope fields."""

    def test_multi_field_scope_needs_every_field_to_match(self):
        for scope in (
            {"bom_line_id": BOM_LINE, "product_id": PRODUCT + 1},
            {"product_id": PRODUCT, "bom_id": BOM + 1},
            {"product_id": PRODUCT, "workcenter_id": WORKCENTER + 1},
            {"bom_id": BOM, "product_categ_id": FINISHED},
            {"product_categ_id": RAW, "workcenter_id": WORKCENTER + 1},
            {"bom_line_id": BOM_LINE, "bom_id": BOM, "product_id": PRODUCT,
             "product_categ_id": FASTENERS, "workcenter_id": WORKCENTER + 1},
        ):
            with self.subTest(**scope):
                self.assertIsNone(resolve([rule(1, **scope)], component()).rule)

    def test_multi_field_scope_ranked_by_most_specific_field(self):
        for scope, reason in (
            ({"bom_line_id": BOM_LINE, "product_id": PRODUCT}, "BoM line rule"),
            ({"product_id": PRODUCT, "workcenter_id": WORKCENTER}, "product rule"),
            ({"bom_id": BOM, "product_categ_id": RAW}, "BoM rule"),
            ({"product_categ_id": RAW, "workcenter_id": WORKCENTER}, "category All / Raw rule"),
            ({"bom_line_id": BOM_LINE, "bom_id": BOM, "product_id": PRODUCT,
              "product_categ_id": ALL, "workcenter_id": WORKCENTER}, "BoM line rule"),
        ):
            with self.subTest(**scope):
                resolution = resolve([rule(1, "multi", **scope)], component())
                self.assertIsNotNone(resolution.rule)
                self.assertEqual(resolution.reason, "%s 'multi'" % reason)

    def test_multi_field_product_rule_beats_plain_bom_rule(self):
        product_and_wc = rule(1, product_id=PRODUCT, workcenter_id=WORKCENTER, sequence=50)
        bom_only = rule(2, bom_id=BOM, sequence=1)
        self.assertEqual(resolve([bom_only, product_and_wc], component()).rule, product_and_wc)

    def test_workcenter_rule_needs_component_workcenter(self):
        wc = rule(1, workcenter_id=WORKCENTER)
        self.assertIsNone(resolve([wc], component(workcenter_id=None)).rule)


# -- property: the resolved rule is the most specific matching one ----------

def _oracle_matches(r, comp):
    if not r.active:
        return False
    if r.company_id is not None and r.company_id != comp.company_id:
        return False
    checks = [
        (r.bom_line_id, comp.bom_line_id),
        (r.product_id, comp.product_id),
        (r.bom_id, comp.bom_id),
        (r.workcenter_id, comp.workcenter_id),
    ]
    if any(value is not None and value != actual for value, actual in checks):
        return False
    return r.product_categ_id is None or r.product_categ_id in comp.category_path


def _oracle_rank(r, comp):
    fields = [r.bom_line_id, r.product_id, r.bom_id, r.product_categ_id, r.workcenter_id]
    level = next((i for i, value in enumerate(fields) if value is not None), 5)
    distance = comp.category_path.index(r.product_categ_id) if level == 3 else 0
    return (level, distance)


_maybe = st.one_of  # readability below


@st.composite
def rule_lists(draw):
    count = draw(st.integers(min_value=0, max_value=12))
    ids = draw(st.lists(st.integers(min_value=1, max_value=10000), min_size=count,
                        max_size=count, unique=True))
    result = []
    for rule_id in ids:
        result.append(Rule(
            id=rule_id,
            name="r%s" % rule_id,
            trigger=draw(st.sampled_from(["production_done", "operation_done", "shipment",
                                          "periodic", "manual"])),
            sequence=draw(st.integers(min_value=0, max_value=3)),
            active=draw(st.booleans() | st.just(True)),
            company_id=draw(st.sampled_from([None, COMPANY, OTHER_COMPANY])),
            bom_line_id=draw(_maybe(st.none(), st.sampled_from([BOM_LINE, BOM_LINE + 1]))),
            product_id=draw(_maybe(st.none(), st.sampled_from([PRODUCT, PRODUCT + 1]))),
            bom_id=draw(_maybe(st.none(), st.sampled_from([BOM, BOM + 1]))),
            product_categ_id=draw(_maybe(st.none(), st.sampled_from(sorted(PARENT)))),
            workcenter_id=draw(_maybe(st.none(), st.sampled_from([WORKCENTER,
                                                                  WORKCENTER + 1]))),
        ))
    return result


@st.composite
def components(draw):
    categ = draw(st.sampled_from(sorted(PARENT)))
    return component(
        categ_id=categ,
        company_id=draw(st.sampled_from([COMPANY, OTHER_COMPANY])),
        bom_line_id=draw(st.sampled_from([None, BOM_LINE, BOM_LINE + 1])),
        product_id=draw(st.sampled_from([PRODUCT, PRODUCT + 1])),
        bom_id=draw(st.sampled_from([None, BOM, BOM + 1])),
        workcenter_id=draw(st.sampled_from([None, WORKCENTER, WORKCENTER + 1])),
    )


class TestResolveProperty(unittest.TestCase):

    @settings(max_examples=600, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(candidates=rule_lists(), comp=components())
    def test_property_resolved_rule_is_most_specific_match(self, candidates, comp):
        resolution = resolve(candidates, comp)
        matching = [r for r in candidates if _oracle_matches(r, comp)]
        if not matching:
            self.assertIsNone(resolution.rule)
            self.assertEqual(resolution.reason, "company default")
            return
        best = resolution.rule
        self.assertIn(best, matching)
        best_rank = _oracle_rank(best, comp)
        for other in matching:
            # no matching rule is strictly more specific
            self.assertGreaterEqual(_oracle_rank(other, comp), best_rank)
            if _oracle_rank(other, comp) == best_rank:
                self.assertGreaterEqual((other.sequence, other.id), (best.sequence, best.id))
        level, distance = best_rank
        label = {0: "BoM line rule", 1: "product rule", 2: "BoM rule", 4: "work center rule",
                 5: "company rule"}.get(level) or ("category %s rule"
                                                   % comp.category_names[distance])
        self.assertEqual(resolution.reason, "%s '%s'" % (label, best.name))
        # the answer does not depend on the order the rules come in
        self.assertEqual(resolve(list(reversed(candidates)), comp), resolution)
