"""Errors a posting turns into a backflush.exception (or a UserError)."""
from odoo.exceptions import UserError


class BackflushProblem(UserError):
    """A posting problem with a reason key of backflush.exception."""

    reason = "other"

    def __init__(self, msg, product=None):
        super().__init__(msg)
        self.product = product


class ShortageProblem(BackflushProblem):
    reason = "shortage"


class LotRequiredProblem(BackflushProblem):
    reason = "lot_required"


class MissingAccountProblem(BackflushProblem):
    reason = "missing_account"


class MissingCostProblem(BackflushProblem):
    reason = "missing_cost"


class LockedPeriodProblem(BackflushProblem):
    reason = "locked_period"
