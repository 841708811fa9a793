"""Which trigger rule applies to an MO component (SPEC section 2).

The most specific matching rule wins: BoM line, product, BoM, product
category (nearest parent first), work center, then a company-wide rule;
ties by sequence (then id, for a stable answer). When no rule matches, the
company default applies.
"""
from .records import record

# specificity levels, most specific first
LEVEL_BOM_LINE = 0
LEVEL_PRODUCT = 1
LEVEL_BOM = 2
LEVEL_CATEGORY = 3
LEVEL_WORKCENTER = 4
LEVEL_COMPANY = 5


class Rule(record("Rule", "id name trigger sequence active company_id bom_line_id product_id "
                          "bom_id product_categ_id workcenter_id",
                  sequence=10, active=True, company_id=None, bom_line_id=None,
                  product_id=None, bom_id=None, product_categ_id=None, workcenter_id=None)):
    """A trigger rule; a scope field of None matches anything (company_id: every company)."""

    __slots__ = ()


class Component(record("Component", "company_id bom_line_id product_id bom_id category_path "
                                    "category_names workcenter_id",
                       category_names=(), workcenter_id=None)):
    """What a rule is matched against: one BoM line of one MO.

    category_path: the product's category id, then its parents' ids;
    bom_line_id, bom_id and workcenter_id may be None.
    """

    __slots__ = ()


class Resolution(record("Resolution", "rule reason")):
    """The Rule that applies (None: the company default) and why."""

    __slots__ = ()

    @property
    def rule_id(self):
        return self.rule.id if self.rule else None


def _scope_matches(rule, component):
    return all((
        rule.bom_line_id is None or rule.bom_line_id == component.bom_line_id,
        rule.product_id is None or rule.product_id == component.product_id,
        rule.bom_id is None or rule.bom_id == component.bom_id,
        rule.product_categ_id is None or rule.product_categ_id in component.category_path,
        rule.workcenter_id is None or rule.workcenter_id == component.workcenter_id,
    ))


def _applies(rule, component):
    if not rule.active:
        return False
    if rule.company_id is not None and rule.company_id != component.company_id:
        return False
    return _scope_matches(rule, component)


def _specificity(rule, component):
    """(level, category distance): lower is more specific."""
    if rule.bom_line_id is not None:
        return LEVEL_BOM_LINE, 0
    if rule.product_id is not None:
        return LEVEL_PRODUCT, 0
    if rule.bom_id is not None:
        return LEVEL_BOM, 0
    if rule.product_categ_id is not None:
        return LEVEL_CATEGORY, component.category_path.index(rule.product_categ_id)
    if rule.workcenter_id is not None:
        return LEVEL_WORKCENTER, 0
    return LEVEL_COMPANY, 0


def _reason(rule, component):
    level, distance = _specificity(rule, component)
    if level == LEVEL_CATEGORY:
        names = component.category_names
        category = names[distance] if distance < len(names) else "#%s" % rule.product_categ_id
        return "category %s rule '%s'" % (category, rule.name)
    label = {
        LEVEL_BOM_LINE: "BoM line rule",
        LEVEL_PRODUCT: "product rule",
        LEVEL_BOM: "BoM rule",
        LEVEL_WORKCENTER: "work center rule",
        LEVEL_COMPANY: "company rule",
    }[level]
    return "%s '%s'" % (label, rule.name)


def resolve(rules, component):
    """The rule that applies to component, with the reason, or the company default."""
    candidates = [rule for rule in rules if _applies(rule, component)]
    if not candidates:
        return Resolution(None, "company default")
    best = min(candidates,
               key=lambda rule: (_specificity(rule, component), rule.sequence, rule.id))
    return Resolution(best, _reason(best, component))
