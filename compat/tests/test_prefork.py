"""Odoo's prefork workers set their CPU limit from a float on Python 3.11."""
import resource
import unittest

from odoo.service import server


class TestPreforkCpuLimit(unittest.TestCase):

    def test_cpu_limit_from_a_float_is_truncated_as_python_37_did(self):
        soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
        used = resource.getrusage(resource.RUSAGE_SELF)
        limit = used.ru_utime + used.ru_stime + 600.5
        try:
            server.resource.setrlimit(resource.RLIMIT_CPU, (limit, hard))
            self.assertEqual(resource.getrlimit(resource.RLIMIT_CPU)[0], int(limit))
        finally:
            resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))

    def test_other_resource_names_are_the_standard_ones(self):
        self.assertIs(server.resource.getrlimit, resource.getrlimit)
        self.assertEqual(server.resource.RLIMIT_CPU, resource.RLIMIT_CPU)
