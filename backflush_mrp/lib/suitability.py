"""Is backflush suitable for a BoM? Usage statistics of its closed orders.

Backflush posts the standard: it fits components that every order consumes
as planned, and fails on those whose consumption varies from order to order.
For one component of one closed order, with sq its standard quantity for the
produced quantity and aq what the order really consumed:

    usage variance (%) = (aq - sq) / sq x 100

Over the last N closed orders of a BoM (orders whose sq is 0 do not count):

    mean (%)   = (sum aq - sum sq) / sum sq x 100, the quantity-weighted mean:
                 the systematic over- (or under-) consumption, what a scrap
                 factor would absorb;
    spread (%) = max - min of the orders' usage variances, in percentage
                 points: how far apart the best and the worst order are.

Classification (thresholds of the company, see Thresholds):

    fewer than min_orders orders        -> no_data
    spread >  unsuitable_spread         -> unsuitable
    spread >  watch_spread              -> watch
    |mean| >  mean_threshold            -> watch (a scrap factor or the BoM
                                           quantity is off; the process is
                                           stable, so it is fixable)
    otherwise                           -> good

A BoM is as suitable as its worst component (no_data when none has data).
The advice texts are built here; the caller passes a translation function.
"""
from .records import record

GOOD, WATCH, UNSUITABLE, NO_DATA = "good", "watch", "unsuitable", "no_data"
# severity order: a BoM takes the most severe level of its components
LEVELS = (NO_DATA, GOOD, WATCH, UNSUITABLE)

# fewer closed orders than this give no verdict: two orders are no process
MIN_ORDERS = 3
# percentages are rounded to this many decimals before they are compared, so
# that float noise (5.000000000001 %) never crosses a threshold
PCT_DIGITS = 6


def _identity(text):
    return text


class Thresholds(record("Thresholds", "watch_spread unsuitable_spread mean_threshold "
                                      "order_count min_orders",
                        watch_spread=5.0, unsuitable_spread=15.0, mean_threshold=2.0,
                        order_count=10, min_orders=MIN_ORDERS)):
    """The company's settings, in percent (percentage points for spreads)."""

    __slots__ = ()


class OrderUsage(record("OrderUsage", "production_id standard_qty actual_qty")):
    """One component in one closed order, in the component's UoM.

    standard_qty: sq, for the quantity the order produced; actual_qty: aq,
    net of reversals, scrap excluded.
    """

    __slots__ = ()


class Stats(record("Stats", "order_count mean_pct min_pct max_pct",
                   mean_pct=0.0, min_pct=0.0, max_pct=0.0)):
    """The usage variances of a component over closed orders, in percent."""

    __slots__ = ()

    @property
    def spread_pct(self):
        return round(self.max_pct - self.min_pct, PCT_DIGITS)


class ComponentSuitability(record("ComponentSuitability",
                                  "product_id name stats level suggested_scrap advice "
                                  "current_scrap manual", current_scrap=0.0, manual=False)):
    """The verdict on one component.

    suggested_scrap: the planned scrap (%) that matches the mean, None if
    none fits; current_scrap: the planned scrap (%) of its BoM line today;
    manual: its trigger is manual.
    """

    __slots__ = ()


class BomSuitability(record("BomSuitability", "level order_count advice components")):
    """The verdict on a BoM; components: a tuple of ComponentSuitability."""

    __slots__ = ()


def usage_pct(order):
    """(aq - sq) / sq x 100, None when the order had no standard for it."""
    if not order.standard_qty:
        return None
    return round((order.actual_qty - order.standard_qty) * 100.0 / order.standard_qty,
                 PCT_DIGITS)


def statistics(orders):
    """Mean (quantity-weighted) and extremes of the orders' usage variances."""
    counted = [order for order in orders if order.standard_qty]
    if not counted:
        return Stats(0)
    percents = [usage_pct(order) for order in counted]
    standard = sum(order.standard_qty for order in counted)
    actual = sum(order.actual_qty for order in counted)
    mean = round((actual - standard) * 100.0 / standard, PCT_DIGITS)
    return Stats(len(counted), mean, min(percents), max(percents))


def classify(stats, thresholds):
    if stats.order_count < thresholds.min_orders:
        return NO_DATA
    if stats.spread_pct > thresholds.unsuitable_spread:
        return UNSUITABLE
    if stats.spread_pct > thresholds.watch_spread:
        return WATCH
    if abs(stats.mean_pct) > thresholds.mean_threshold:
        return WATCH
    return GOOD


def suggested_scrap(current_scrap, mean_pct):
    """Planned scrap (%) at which the standard would have matched the mean usage.

    The standard already includes the current planned scrap s, so the new
    factor is (1 + s) x (1 + mean) - 1. None when even no scrap at all is
    too much (the BoM quantity itself is too high).
    """
    total = ((1.0 + (current_scrap or 0.0) / 100.0) * (1.0 + mean_pct / 100.0) - 1.0) * 100.0
    total = round(total, 1)
    if total < 0:
        return None
    return total + 0.0  # no -0.0


def bom_quantity_cut(current_scrap, mean_pct):
    """By how much (%) the BoM quantity exceeds the mean usage, scrap set to 0."""
    factor = (1.0 + (current_scrap or 0.0) / 100.0) * (1.0 + mean_pct / 100.0)
    return round((1.0 - factor) * 100.0, 1)


def fmt(value):
    """A percentage for a sentence: 14, 4.5, -3 (one decimal at most)."""
    text = "%.1f" % round(value, 1)
    if text.endswith(".0"):
        text = text[:-2]
    return "0" if text == "-0" else text


def _mean_sentence(name, stats, current_scrap, _):
    """What the mean usage says about the planned scrap, or None if nothing."""
    scrap = suggested_scrap(current_scrap, stats.mean_pct)
    values = {"component": name, "mean": fmt(abs(stats.mean_pct)),
              "scrap": fmt(scrap or 0.0), "current": fmt(current_scrap or 0.0),
              "cut": fmt(bom_quantity_cut(current_scrap, stats.mean_pct))}
    if stats.mean_pct > 0:
        return _("%(component)s: uses %(mean)s %% more than standard on average: "
                 "consider a scrap factor of %(scrap)s %%.") % values
    if scrap is not None:
        return _("%(component)s: uses %(mean)s %% less than standard on average: "
                 "consider lowering its scrap factor from %(current)s %% to "
                 "%(scrap)s %%.") % values
    return _("%(component)s: uses %(mean)s %% less than standard on average: "
             "consider lowering its quantity in the BoM by %(cut)s %%.") % values


def _varying_sentence(name, stats, thresholds, current_scrap, manual, values, _):
    """A component whose usage varies beyond the 'watch' spread, not unsuitable."""
    if manual:
        return _("%(component)s: usage varies %(spread)s %% between orders: its trigger "
                 "is manual, which suits it; watch it.") % values
    mean_off = abs(stats.mean_pct) > thresholds.mean_threshold
    if mean_off and stats.mean_pct > 0:
        return _("%(component)s: usage varies %(spread)s %% between orders: consider "
                 "trigger manual or a scrap factor of %(scrap)s %%.") % values
    sentence = _("%(component)s: usage varies %(spread)s %% between orders: consider "
                 "trigger manual, or record the actual consumption on the orders that "
                 "differ.") % values
    if mean_off:
        sentence += " " + _mean_sentence(name, stats, current_scrap, _)
    return sentence


def advice(name, stats, level, thresholds, current_scrap=0.0, manual=False, _=_identity):
    """The advice for one component, in words.

    name: the component's name; current_scrap: its planned scrap (%) on the
    BoM line; manual: its trigger is manual already; _: translates a text.
    """
    values = {"component": name, "count": stats.order_count, "min_orders": thresholds.min_orders,
              "spread": fmt(stats.spread_pct), "min": fmt(stats.min_pct),
              "max": fmt(stats.max_pct), "mean": fmt(stats.mean_pct),
              "scrap": fmt(suggested_scrap(current_scrap, stats.mean_pct) or 0.0)}
    if level == NO_DATA:
        text = _("%(component)s: %(count)s closed order(s) so far; the advice needs at "
                 "least %(min_orders)s.") % values
    elif level == UNSUITABLE and manual:
        text = _("%(component)s: usage varies %(spread)s %% between orders (from %(min)s %% "
                 "to %(max)s %% of standard): backflush does not fit; keep its trigger "
                 "manual.") % values
    elif level == UNSUITABLE:
        text = _("%(component)s: usage varies %(spread)s %% between orders (from %(min)s %% "
                 "to %(max)s %% of standard): backflush does not fit; set its trigger to "
                 "manual and issue it by hand.") % values
    elif level == WATCH and stats.spread_pct > thresholds.watch_spread:
        text = _varying_sentence(name, stats, thresholds, current_scrap, manual, values, _)
    elif abs(stats.mean_pct) > thresholds.mean_threshold:
        text = _mean_sentence(name, stats, current_scrap, _)
    else:
        text = _("%(component)s: usage is stable (varies %(spread)s %% between orders, "
                 "mean %(mean)s %%): backflush fits.") % values
    return text


def assess(product_id, name, orders, thresholds, current_scrap=0.0, manual=False, _=_identity):
    """Statistics, level and advice of one component over its orders."""
    stats = statistics(orders)
    level = classify(stats, thresholds)
    scrap = suggested_scrap(current_scrap, stats.mean_pct) if stats.order_count else None
    return ComponentSuitability(
        product_id=product_id, name=name, stats=stats, level=level, suggested_scrap=scrap,
        advice=advice(name, stats, level, thresholds, current_scrap, manual, _),
        current_scrap=current_scrap or 0.0, manual=bool(manual))


def worst(levels):
    """The most severe level; no_data for nothing."""
    return max(levels, key=LEVELS.index, default=NO_DATA)


def summarise(components, order_count, thresholds, _=_identity):
    """A BoM's level and advice: its worst component, and what to do about each one.

    The advice names the components that are not good, most severe first;
    components without enough orders are left out of it once any has data.
    """
    level = worst(component.level for component in components)
    if level == NO_DATA:
        text = _("%(count)s closed order(s) so far; the advice needs at least "
                 "%(min_orders)s.") % {"count": order_count,
                                       "min_orders": thresholds.min_orders}
    elif level == GOOD:
        text = _("Every component is consumed as planned: backflush fits this BoM.")
    else:
        flagged = sorted((c for c in components if c.level in (WATCH, UNSUITABLE)),
                         key=lambda c: (-LEVELS.index(c.level), -c.stats.spread_pct, c.name))
        text = "\n".join(component.advice for component in flagged)
    return BomSuitability(level=level, order_count=order_count, advice=text,
                          components=tuple(components))
