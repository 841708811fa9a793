from . import (
    backflush_audit,
    backflush_batch_result,
    backflush_cost_rollup,
    backflush_manual_confirm,
    backflush_preview,
    mrp_product_produce,
)
