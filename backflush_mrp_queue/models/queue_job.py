from odoo import _, api, models


class QueueJob(models.Model):
    _inherit = "queue.job"

    @api.multi
    def related_action_backflush_productions(self):
        """The manufacturing orders a periodic backflush job posts: a list, or the form of one."""
        self.ensure_one()
        productions = self.env[self.model_name].browse(self.record_ids).exists()
        if not productions:
            return None
        action = {
            "name": _("Manufacturing Orders"),
            "type": "ir.actions.act_window",
            "res_model": productions._name,
            "view_type": "form",
        }
        if len(productions) == 1:
            action.update(view_mode="form", res_id=productions.id)
        else:
            action.update(view_mode="tree,form", domain=[("id", "in", productions.ids)])
        return action
