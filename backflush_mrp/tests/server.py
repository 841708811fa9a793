"""A real Odoo server on the test database, a real XML-RPC client, and their fixtures.

For the tests that see the module from outside (test_xmlrpc.py,
test_browser.py), which load this module as a pytest plug-in
(``pytest_plugins``), so that its session fixtures exist once: one server
for the whole run, started by the first test that asks for it, on a free
loopback port, and stopped at the end. ``./dev.py test`` passes the Odoo
configuration and the test database in BACKFLUSH_ODOO_CONFIG and
BACKFLUSH_TEST_DB.

Not a conftest.py: pytest imports a conftest.py before pytest-odoo names
modules ``odoo.addons.*``, so one here would import this addon a second time
as a top-level package ``backflush_mrp`` and register every model class
twice before the registry is built.
"""
import http.client
import math
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import warnings
import xmlrpc.client
from collections import deque

import odoo
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LAUNCHER = os.path.join(ROOT, "tools", "odoo_launcher.py")
ARTIFACTS = os.path.join(ROOT, ".artifacts")
START_TIMEOUT = 180    # seconds until /web/login must answer
STOP_TIMEOUT = 30      # seconds for a graceful stop before it is killed
RPC_TIMEOUT = 120      # seconds for one XML-RPC call
LOG_TAIL = 40          # lines of the server log shown when it fails
REGISTRY_LOADED = "odoo.modules.loading: Modules loaded."
REGISTRY_FAILED = "Failed to initialize database"
ORIGIN = "backflush_mrp tests"   # the source document of the orders made here
LOG_RECORD = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ ")


class ServerError(Exception):
    """The Odoo server did not start or answer; the message holds its log tail."""


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OdooServer:
    """``odoo_launcher.py`` serving one database over HTTP on a free loopback port."""

    def __init__(self, config, dbname, port=None, log_path=None):
        self.config = config
        self.dbname = dbname
        self.port = port or free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.log_path = log_path or os.path.join(ARTIFACTS, "odoo-server-%s.log" % dbname)
        self.process = None

    def command(self):
        return [sys.executable, LAUNCHER, "-c", self.config, "-d", self.dbname,
                "--http-port", str(self.port), "--http-interface", "127.0.0.1",
                "--db-filter", "^%s$" % self.dbname, "--workers", "0",
                # no scheduled job may post behind the tests' back
                "--max-cron-threads", "0", "--log-level", "info"]

    def start(self, timeout=START_TIMEOUT):
        os.makedirs(os.path.dirname(self.log_path), exist_ok=True)
        with open(self.log_path, "w") as log:
            self.process = subprocess.Popen(self.command(), cwd=ROOT, stdout=log,
                                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        problem = "the registry is not loaded yet"
        loaded = False
        while time.monotonic() < deadline:
            status = self.process.poll()
            if status is not None:
                self.process = None
                raise ServerError(self._failure("exited with status %s" % status))
            # An HTTP request while Odoo 11 preloads the registry imports the
            # addons in a second thread, and the preload can fail on that race
            # ("Model 'decimal.precision' does not exist"): ask only after it.
            if not loaded:
                loaded, failed = self._registry_state()
                if failed:
                    self.stop()
                    raise ServerError(self._failure("could not load the database"))
            if loaded:
                problem = self._login_page_problem()
                if problem is None:
                    return self
            time.sleep(0.5)
        self.stop()
        raise ServerError(self._failure("did not answer within %d s (%s)" % (timeout, problem)))

    def _registry_state(self):
        """(loaded, failed) as the server log tells so far."""
        try:
            with open(self.log_path, errors="replace") as handle:
                text = handle.read()
        except OSError:
            return False, False
        return REGISTRY_LOADED in text, REGISTRY_FAILED in text

    def _login_page_problem(self):
        """None when /web/login answers 200, else what went wrong."""
        try:
            with urllib.request.urlopen(self.url + "/web/login", timeout=5) as response:
                return None if response.status == 200 else "HTTP %s" % response.status
        except urllib.error.HTTPError as error:
            return "HTTP %s" % error.code
        except (OSError, http.client.HTTPException) as error:
            return str(error)

    def _failure(self, what):
        return ("the Odoo server for database %s on port %d %s.\ncommand: %s\nlast lines of "
                "%s:\n%s" % (self.dbname, self.port, what, " ".join(self.command()),
                             self.log_path, self.log_tail()))

    def log_tail(self, lines=LOG_TAIL):
        try:
            with open(self.log_path, errors="replace") as handle:
                return "".join(deque(handle, maxlen=lines))
        except OSError as error:
            return "(no log: %s)" % error

    def first_traceback(self, last=False):
        """The first (or last) traceback of the server log, with its log line."""
        try:
            with open(self.log_path, errors="replace") as handle:
                lines = handle.read().splitlines()
        except OSError as error:
            return "(no log: %s)" % error
        starts = [i for i, line in enumerate(lines) if line.startswith("Traceback ")]
        if not starts:
            return self.log_tail()
        start = starts[-1] if last else starts[0]
        end = start + 1
        while end < len(lines) and not LOG_RECORD.match(lines[end]):
            end += 1
        return "\n".join(lines[max(start - 1, 0):end])

    def stop(self, timeout=STOP_TIMEOUT):
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)   # Odoo stops gracefully on the first one
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=timeout)


class _TimeoutTransport(xmlrpc.client.Transport):
    def __init__(self, timeout):
        super().__init__()
        self.timeout = timeout

    def make_connection(self, host):
        connection = super().make_connection(host)
        connection.timeout = self.timeout
        return connection


class Rpc:
    """Odoo's external API as an integration sees it: ``rpc(model, method, *args)``."""

    def __init__(self, url, dbname, login, password, timeout=RPC_TIMEOUT):
        self.dbname, self.login, self.password = dbname, login, password
        common = xmlrpc.client.ServerProxy(url + "/xmlrpc/2/common",
                                           transport=_TimeoutTransport(timeout))
        self.uid = common.authenticate(dbname, login, password, {})
        if not self.uid:
            raise ServerError("XML-RPC login %s refused on database %s" % (login, dbname))
        self.models = xmlrpc.client.ServerProxy(url + "/xmlrpc/2/object", allow_none=True,
                                                transport=_TimeoutTransport(timeout))

    def __call__(self, model, method, *args, **kwargs):
        return self.models.execute_kw(self.dbname, self.uid, self.password, model, method,
                                      list(args), kwargs)

    def ref(self, xmlid):
        return self("ir.model.data", "xmlid_to_res_id", xmlid, True)


# -- the demo furniture factory, seen through XML-RPC ------------------------------
class DemoFactory:
    """Orders of the demo Coffee Table and the stock they need, made through XML-RPC."""

    def __init__(self, rpc):
        self.rpc = rpc
        self.table = rpc.ref("backflush_mrp.product_coffee_table")
        self.bom = rpc.ref("backflush_mrp.bom_coffee_table")
        self.stock = rpc.ref("stock.stock_location_stock")
        self.line_side = rpc.ref("backflush_mrp.location_line_side")
        self.customers = rpc.ref("stock.stock_location_customers")
        self.unit = rpc.ref("product.product_uom_unit")
        self.components = {
            "leg": rpc.ref("backflush_mrp.product_leg"),
            "top": rpc.ref("backflush_mrp.product_top"),
            "screw": rpc.ref("backflush_mrp.product_screw"),
            "glue": rpc.ref("backflush_mrp.product_glue"),
            "box": rpc.ref("backflush_mrp.product_box"),
        }

    def on_hand(self, product, location=None, lot=None, unreserved=False):
        domain = [("product_id", "=", product),
                  ("location_id", "child_of", location or self.stock)]
        if lot:
            domain.append(("lot_id", "=", lot))
        quants = self.rpc("stock.quant", "search_read", domain,
                          ["quantity", "reserved_quantity"])
        return sum(quant["quantity"] - (quant["reserved_quantity"] if unreserved else 0)
                   for quant in quants)

    def stock_levels(self):
        """On-hand quantity of every component where the demo rules consume it from."""
        return {name: self.on_hand(product, self.line_side if name == "screw" else None)
                for name, product in self.components.items()}

    def ensure_stock(self, minimum=60, target=200):
        """Earlier runs consumed the demo stock: bring what runs low back up."""
        glue_lot = self.rpc.ref("backflush_mrp.lot_glue_b")
        lines = []
        for name, product in self.components.items():
            location = self.line_side if name == "screw" else self.stock
            lot = glue_lot if name == "glue" else False
            if self.on_hand(product, location, lot, unreserved=True) < minimum:
                lines.append((0, 0, {"product_id": product, "product_uom_id": self.unit,
                                     "location_id": location, "prod_lot_id": lot,
                                     "product_qty": self.on_hand(product, location, lot)
                                     + target}))
        if lines:
            inventory = self.rpc("stock.inventory", "create", {
                "name": "Browser/XML-RPC tests: stock top-up", "filter": "partial",
                "location_id": self.stock, "line_ids": lines})
            self.rpc("stock.inventory", "action_done", [inventory])

    def make_mo(self, qty=1.0):
        """A confirmed, reserved Coffee Table MO: (id, reference)."""
        production = self.rpc("mrp.production", "create", {
            "product_id": self.table, "product_qty": qty, "product_uom_id": self.unit,
            "bom_id": self.bom, "origin": ORIGIN})
        self.rpc("mrp.production", "action_assign", [production])
        name = self.rpc("mrp.production", "read", [production], ["name"])[0]["name"]
        return production, name

    def mo(self, production, fields=("name", "state", "backflush_state")):
        return self.rpc("mrp.production", "read", [production], list(fields))[0]

    def log_count(self, production=None):
        domain = [("production_id", "=", production)] if production else []
        return self.rpc("backflush.log", "search_count", domain)

    def tables_waiting_for_shipment(self):
        """Finished units whose boxes wait for a delivery, over all Coffee Table MOs."""
        lines = self.rpc("mrp.production.backflush.line", "search_read", [
            ("trigger", "=", "shipment"), ("production_id.product_id", "=", self.table),
            ("production_id.state", "=", "done")], ["qty_pending", "qty_per_unit"])
        return sum(line["qty_pending"] / line["qty_per_unit"] for line in lines
                   if line["qty_per_unit"])

    def ship_tables(self, qty):
        """Deliver qty Coffee Tables to a customer; returns the picking id."""
        picking_type = self.rpc("stock.picking.type", "search", [
            ("code", "=", "outgoing"), ("default_location_src_id", "=", self.stock)], limit=1)
        if self.on_hand(self.table) < qty:
            inventory = self.rpc("stock.inventory", "create", {
                "name": "Browser/XML-RPC tests: tables to ship", "filter": "partial",
                "location_id": self.stock, "line_ids": [(0, 0, {
                    "product_id": self.table, "product_uom_id": self.unit,
                    "location_id": self.stock, "product_qty": qty})]})
            self.rpc("stock.inventory", "action_done", [inventory])
        picking = self.rpc("stock.picking", "create", {
            "picking_type_id": picking_type[0], "location_id": self.stock,
            "location_dest_id": self.customers, "origin": "backflush_mrp tests",
            "move_lines": [(0, 0, {
                "name": "Coffee Table", "product_id": self.table, "product_uom": self.unit,
                "product_uom_qty": qty, "location_id": self.stock,
                "location_dest_id": self.customers})]})
        self.rpc("stock.picking", "action_confirm", [picking])
        self.rpc("stock.picking", "action_assign", [picking])
        moves = self.rpc("stock.move", "search", [("picking_id", "=", picking)])
        self.rpc("stock.move", "write", moves, {"quantity_done": qty})
        # action_done, not button_validate: that one returns None, which Odoo 11's
        # XML-RPC cannot send back
        self.rpc("stock.picking", "action_done", [picking])
        return picking

    def tidy(self):
        """Leave no order of these tests open or waiting for a trigger.

        Their orders are committed, and other tests count what the scheduled
        job finds pending in the database: open orders with output are marked
        done, the others cancelled, what is due is posted, the boxes shipped.
        Best effort: an order that cannot be closed (the tests that made it
        say why) is left as it is, with a warning.
        """
        orders = self.rpc("mrp.production", "search_read", [
            ("origin", "=", ORIGIN), ("state", "in", ("confirmed", "planned", "progress"))],
            ["qty_produced"])
        for order in orders:
            method = "button_mark_done" if order["qty_produced"] else "action_cancel"
            self._try(method, order["id"])
        waiting = self.rpc("mrp.production", "search", [
            ("origin", "=", ORIGIN), ("state", "=", "done"),
            ("backflush_state", "in", ("pending", "partial", "exception"))])
        for production in waiting:
            self._try("action_backflush", production)
        self.ship_backlog()

    def _try(self, method, production):
        try:
            self.rpc("mrp.production", method, [production])
        except xmlrpc.client.Fault as fault:
            warnings.warn("tidying up: %s of MO id %s failed: %s"
                          % (method, production, fault.faultString.strip()[-300:]),
                          stacklevel=2)

    def ship_backlog(self):
        """Deliver as many tables as done MOs wait for, so that none waits any more."""
        waiting = math.ceil(self.tables_waiting_for_shipment() - 1e-6)
        if waiting > 0:
            self.ship_tables(waiting)
        return waiting


# -- fixtures ------------------------------------------------------------------------
@pytest.fixture(scope="session")
def odoo_server():
    config = os.environ.get("BACKFLUSH_ODOO_CONFIG") or odoo.tools.config.rcfile
    dbname = os.environ.get("BACKFLUSH_TEST_DB") or odoo.tools.config["db_name"]
    if not config or not os.path.exists(config):
        pytest.fail("no Odoo configuration file for the test server: run the tests with "
                    "./dev.py test (it sets BACKFLUSH_ODOO_CONFIG)", pytrace=False)
    server = OdooServer(config, dbname)
    try:
        server.start()
    except ServerError as error:
        pytest.fail(str(error), pytrace=False)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def admin_rpc(odoo_server):
    return Rpc(odoo_server.url, odoo_server.dbname, "admin", "admin")


@pytest.fixture(scope="session")
def rpc_login(odoo_server):
    """rpc_login(login, password): an XML-RPC client logged in as that user."""
    return lambda login, password: Rpc(odoo_server.url, odoo_server.dbname, login, password)


@pytest.fixture(scope="session")
def demo(admin_rpc):
    """The demo furniture factory, its stock brought back up if earlier runs used it;
    the orders the tests made are closed before and after."""
    factory = DemoFactory(admin_rpc)
    factory.tidy()
    factory.ensure_stock()
    yield factory
    factory.tidy()
