from . import backflush_variance_report
