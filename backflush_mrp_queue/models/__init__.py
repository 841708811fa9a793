from . import mrp_production, queue_job
