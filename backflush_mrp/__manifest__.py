# Copyright 2026 The backflush_mrp developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Backflush MRP",
    "summary": "Consume components automatically at trigger points, value them "
               "at standard cost and book variances",
    "version": "11.0.1.3.8",
    "category": "Manufacturing",
    "website": "https://github.com/backflush-mrp/backflush_mrp",
    "author": "backflush_mrp developers",
    "license": "LGPL-3",
    "depends": ["mrp", "stock_account"],
    "data": [
        "security/backflush_security.xml",
        "security/ir.model.access.csv",
        "data/ir_cron.xml",
        "views/backflush_rule_views.xml",
        "views/backflush_log_views.xml",
        "views/backflush_exception_views.xml",
        "views/backflush_output_report_views.xml",
        "views/mrp_production_views.xml",
        "views/mrp_bom_views.xml",
        "views/mrp_workcenter_views.xml",
        "views/mrp_bom_suitability_views.xml",
        "report/backflush_suitability_report_views.xml",
        "views/product_category_views.xml",
        "views/res_config_settings_views.xml",
        "views/account_move_line_views.xml",
        "views/backflush_menus.xml",
        "report/backflush_variance_report_views.xml",
        "wizards/backflush_preview_views.xml",
        "wizards/backflush_audit_views.xml",
        "wizards/backflush_cost_rollup_views.xml",
    ],
    "demo": [
        "demo/backflush_demo.xml",
    ],
}
