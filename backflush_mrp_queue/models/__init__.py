from . import mrp_production
