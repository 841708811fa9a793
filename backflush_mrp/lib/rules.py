"""Which trigger rule applies to an MO component (SPEC section 2).

The most specific matching rule wins: BoM line, product, BoM, product
category (nearest parent first), work center, then a company-wide rule;
ties by sequence (then id, for a stable answer). When no rule matches, the
company default applies.
"""
from collections.abc import Sequence
from dataclasses import dataclass

# specificity levels, most specific first
LEVEL_BOM_LINE = 0
LEVEL_PRODUCT = 1
LEVEL_BOM = 2
LEVEL_CATEGORY = 3
LEVEL_WORKCENTER = 4
LEVEL_COMPANY = 5


@dataclass(frozen=True)
class Rule:
    id: int
    name: str
    trigger: str
    sequence: int = 10
    active: bool = True
    company_id: int | None = None  # None: every company
    bom_line_id: int | None = None
    product_id: int | None = None
    bom_id: int | None = None
    product_categ_id: int | None = None
    workcenter_id: int | None = None


@dataclass(frozen=True)
class Component:
    """What a rule is matched against: one BoM line of one MO."""

    company_id: int
    bom_line_id: int | None
    product_id: int
    bom_id: int | None
    category_path: tuple[int, ...]  # the product's category, then its parents
    category_names: tuple[str, ...] = ()
    workcenter_id: int | None = None


@dataclass(frozen=True)
class Resolution:
    rule: Rule | None
    reason: str

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


def resolve(rules: Sequence[Rule], component: Component) -> Resolution:
    """The rule that applies to component, with the reason, or the company default."""
    candidates = [rule for rule in rules if _applies(rule, component)]
    if not candidates:
        return Resolution(None, "company default")
    best = min(candidates,
               key=lambda rule: (_specificity(rule, component), rule.sequence, rule.id))
    return Resolution(best, _reason(best, component))
