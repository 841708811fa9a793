from . import mrp_product_produce
from . import backflush_preview
from . import backflush_batch_result
from . import backflush_manual_confirm
