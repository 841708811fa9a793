# Copyright 2026 The backflush_mrp developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Backflush MRP on Job Queue",
    "summary": "Run the periodic backflush as queue_job jobs, in parallel on any number "
               "of workers",
    "version": "11.0.2.0.0",
    "category": "Manufacturing",
    "website": "https://github.com/backflush-mrp/backflush_mrp",
    "author": "backflush_mrp developers",
    "license": "LGPL-3",
    "depends": ["backflush_mrp", "queue_job"],
    "data": [
        "data/queue_job_channel.xml",
    ],
}
