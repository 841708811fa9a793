# pytest only (two job workers committing on their own connections; Odoo's runner finds
# no test case in it): test_queue_concurrency
from . import test_queue, test_queue_concurrency
