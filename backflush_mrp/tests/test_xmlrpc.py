"""backflush_report_output through Odoo's real external API (SPEC section 6).

A scanner or an RFID gateway calls ``mrp.production.backflush_report_output``
over XML-RPC on a running server (server.py). Good reports consume the
components; bad ones come back as a Fault that names the problem, and
nothing is recorded: no backflush log, no stock moved, the order unchanged.
"""
import uuid
import xmlrpc.client

import pytest

pytestmark = pytest.mark.slow
# the server, XML-RPC and demo fixtures (a plug-in: one server for the whole run)
pytest_plugins = ("odoo.addons.backflush_mrp.tests.server",)

# Odoo's fault codes on /xmlrpc/2 (odoo/service/wsgi_server.py); 1 is a crash
WARNING = 2        # UserError: the caller can fix the request
ACCESS_ERROR = 4

# the demo Coffee Table, per finished unit (demo/backflush_demo.xml)
PER_TABLE = {"leg": 4.0, "top": 0.25, "screw": 16.8}   # screws: 16 + 5 % planned scrap
NAMES = {"leg": "[BF-LEG] Table Leg", "top": "[BF-TOP] Oak Table Top",
         "screw": "[BF-SCREW] Wood Screw 4x40"}


@pytest.fixture
def order(demo):
    """A fresh, confirmed Coffee Table MO of 2 units: (id, reference), closed after."""
    yield demo.make_mo(2.0)
    demo.tidy()


def snapshot(demo, production):
    return {"stock": demo.stock_levels(), "logs": demo.log_count(),
            "order": demo.mo(production, ("state", "backflush_state", "qty_produced"))}


def test_report_output_consumes_components(demo, admin_rpc, order):
    production, reference = order
    before = demo.stock_levels()
    result = admin_rpc("mrp.production", "backflush_report_output", reference, 1.0)
    assert result["id"] == production
    assert result["production"] == reference
    assert result["state"] == "progress"
    assert result["produced"] == 1.0
    assert result["exceptions"] == [], result["exceptions"]
    consumed = {row["product"]: row["qty"] for row in result["consumed"]}
    # legs, top and screws on output; glue waits for the periodic run, boxes for shipment
    assert consumed == pytest.approx({NAMES[name]: qty for name, qty in PER_TABLE.items()})
    assert result["backflush_state"] == "partial"
    after = demo.stock_levels()
    for name, qty in PER_TABLE.items():
        assert after[name] == pytest.approx(before[name] - qty), name
    assert after["glue"] == before["glue"]
    assert after["box"] == before["box"]
    assert demo.log_count(production) == 1

    # the same order by id: the second unit, consumed once more
    result = admin_rpc("mrp.production", "backflush_report_output", production, 1)
    assert result["produced"] == 2.0
    assert demo.stock_levels()["leg"] == pytest.approx(before["leg"] - 2 * PER_TABLE["leg"])
    assert demo.log_count(production) == 2


@pytest.mark.parametrize("reference, qty, problem", [
    ("wrong reference", 1.0, "No manufacturing order"),
    ("unknown id", 1.0, "No manufacturing order"),
    ("order", -3.0, "must be a positive number"),
    ("order", 0, "must be a positive number"),
    ("order", "2", "must be a number"),
    ("order", 1e12, "not plausible"),
])
def test_bad_report_is_refused_and_nothing_recorded(demo, admin_rpc, order, reference, qty,
                                                    problem):
    production, name = order
    target = {"order": name, "wrong reference": "MO/NO-SUCH-%s" % uuid.uuid4().hex[:6],
              "unknown id": 2 ** 31 - 1}[reference]
    before = snapshot(demo, production)
    with pytest.raises(xmlrpc.client.Fault) as refused:
        admin_rpc("mrp.production", "backflush_report_output", target, qty)
    assert_clear_fault(refused.value, problem)
    assert snapshot(demo, production) == before


def test_user_without_manufacturing_rights_is_refused(rpc_login, demo, admin_rpc, order):
    production, name = order
    login = "scanner-%s" % uuid.uuid4().hex[:8]
    password = uuid.uuid4().hex
    admin_rpc("res.users", "create", {
        "name": "Warehouse scanner %s" % login, "login": login, "password": password,
        "groups_id": [(6, 0, [admin_rpc.ref("base.group_user"),
                              admin_rpc.ref("stock.group_stock_user")])]})
    clerk = rpc_login(login, password)
    before = snapshot(demo, production)
    with pytest.raises(xmlrpc.client.Fault) as refused:
        clerk("mrp.production", "backflush_report_output", name, 1.0)
    assert_clear_fault(refused.value, "Only manufacturing users may post backflushes",
                       code=ACCESS_ERROR)
    assert login in refused.value.faultString
    assert snapshot(demo, production) == before


def assert_clear_fault(fault, problem, code=WARNING):
    """A user-facing error (not a server crash with its traceback) naming the problem."""
    assert fault.faultCode == code, fault
    assert "Traceback" not in fault.faultString, fault.faultString
    assert problem in fault.faultString, fault.faultString


# -- idempotent reports (issue 16) --------------------------------------------------
def test_report_sent_again_gets_the_first_answer(demo, admin_rpc, order):
    production, reference = order
    report_id = "gate-%s" % uuid.uuid4().hex
    before = demo.stock_levels()
    first = admin_rpc("mrp.production", "backflush_report_output", reference, 1.0,
                      report_id=report_id)
    assert first["report_id"] == report_id
    assert first["produced"] == 1.0
    again = admin_rpc("mrp.production", "backflush_report_output", reference, 1.0,
                      report_id=report_id)
    assert again == first
    after = demo.stock_levels()
    for name, qty in PER_TABLE.items():
        assert after[name] == pytest.approx(before[name] - qty), name
    assert demo.log_count(production) == 1
    assert demo.mo(production, ("qty_produced",))["qty_produced"] == 1.0


def test_report_id_reused_for_another_quantity_is_a_clear_fault(demo, admin_rpc, order):
    production, reference = order
    report_id = "gate-%s" % uuid.uuid4().hex
    admin_rpc("mrp.production", "backflush_report_output", reference, 1.0,
              report_id=report_id)
    before = snapshot(demo, production)
    with pytest.raises(xmlrpc.client.Fault) as refused:
        admin_rpc("mrp.production", "backflush_report_output", reference, 2.0,
                  report_id=report_id)
    assert_clear_fault(refused.value, "quantity 2.0 instead of 1.0")
    assert report_id in refused.value.faultString
    assert snapshot(demo, production) == before


def test_cut_connection_then_resend_posts_once(odoo_server, demo, admin_rpc, order):
    """The client gives up before the answer (as a dropped network would), then resends."""
    production, reference = order
    report_id = "gate-%s" % uuid.uuid4().hex
    before = demo.stock_levels()
    impatient = xmlrpc.client.ServerProxy(
        odoo_server.url + "/xmlrpc/2/object", allow_none=True,
        transport=_ShortTimeoutTransport())
    with pytest.raises(OSError):   # socket.timeout: the answer never arrives
        impatient.execute_kw(admin_rpc.dbname, admin_rpc.uid, admin_rpc.password,
                             "mrp.production", "backflush_report_output", [reference, 1.0],
                             {"report_id": report_id})
    result = admin_rpc("mrp.production", "backflush_report_output", reference, 1.0,
                       report_id=report_id)
    assert result["produced"] == 1.0
    assert demo.stock_levels()["leg"] == pytest.approx(before["leg"] - PER_TABLE["leg"])
    assert demo.log_count(production) == 1


class _ShortTimeoutTransport(xmlrpc.client.Transport):
    def make_connection(self, host):
        connection = super().make_connection(host)
        connection.timeout = 0.001
        return connection
