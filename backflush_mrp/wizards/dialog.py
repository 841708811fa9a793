"""The action that shows a wizard record in a dialog (shared by the wizards)."""


def open_in_dialog(record, title):
    return {
        "type": "ir.actions.act_window",
        "name": title,
        "res_model": record._name,
        "res_id": record.id,
        "view_mode": "form",
        "target": "new",
    }
