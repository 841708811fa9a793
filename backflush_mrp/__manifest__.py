# Copyright 2026 The backflush_mrp developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Backflush MRP",
    "summary": "Consume components automatically at trigger points, value them "
               "at standard cost and book variances",
    "version": "11.0.1.0.0",
    "category": "Manufacturing",
    "website": "https://github.com/backflush-mrp/backflush_mrp",
    "author": "backflush_mrp developers",
    "license": "LGPL-3",
    "depends": ["mrp", "stock_account"],
    "data": [
    ],
    "demo": [
    ],
}
