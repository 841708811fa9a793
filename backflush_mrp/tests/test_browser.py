"""A person's path through the module in a real browser, on a real server.

Debian's chromium, driven by Playwright (never a browser of Playwright's
own), logs in as admin on the test server (server.py) and takes a fresh MO of
the demo Coffee Table through the web client: Backflush Preview, Produce,
Mark as Done, Backflush Now, then (once a delivery released its boxes) the
journal entries and variances from the MO's smart buttons and the Variance
Analysis menu. Every step leaves a screenshot in .artifacts/screenshots/.
"""
import logging
import os
import re
import shutil
import time
import urllib.error
import urllib.request

import pytest

_logger = logging.getLogger(__name__)

pytestmark = pytest.mark.slow
# the server, XML-RPC and demo fixtures (a plug-in: one server for the whole run)
pytest_plugins = ("odoo.addons.backflush_mrp.tests.server",)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCREENSHOTS = os.path.join(ROOT, ".artifacts", "screenshots")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
STEP_TIMEOUT = 30000       # ms for any one wait or click
LAUNCH_TIMEOUT = 60000     # ms for chromium to start
VIEWPORT = {"width": 1400, "height": 900}


# -- fixtures -----------------------------------------------------------------------
@pytest.fixture(scope="module")
def browser():
    reason = os.environ.get("BACKFLUSH_BROWSER_SKIP")
    if reason:
        pytest.skip("browser tests skipped: %s" % reason)
    chromium = os.environ.get("BACKFLUSH_CHROMIUM", "/usr/bin/chromium")
    if not os.access(chromium, os.X_OK):
        pytest.skip("browser tests skipped: %s is not installed (./dev.py test installs "
                    "it)" % chromium)
    if not shutil.which("lessc"):
        pytest.skip("browser tests skipped: lessc is not installed, the web client would "
                    "have no styles (./dev.py test installs it)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS,
                                             headless=True, timeout=LAUNCH_TIMEOUT)
        yield browser
        browser.close()


def _get(url):
    """(HTTP status, body start) of a GET."""
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, response.read(2000)
    except urllib.error.HTTPError as error:
        return error.code, error.read(2000)


@pytest.fixture(scope="module")
def web_client(odoo_server):
    """The server serves what the web client is made of, or the test says what is not."""
    status, _body = _get(odoo_server.url + "/web/static/src/xml/dialog.xml")
    assert status == 200, (
        "the Odoo server does not serve the addons' static files (HTTP %s for "
        "/web/static/src/xml/dialog.xml): has the first HTTP request failed to import "
        "the addons of the addons path (odoo.http.Root.load_addons)? First error in the "
        "server log:\n%s" % (status, odoo_server.first_traceback()))
    status, _body = _get(odoo_server.url + "/web/webclient/qweb?mods=web")
    assert status == 200, (
        "the web client's templates do not load (HTTP %s for /web/webclient/qweb). "
        "Last error in the server log:\n%s" % (status, odoo_server.first_traceback(last=True)))
    return odoo_server


@pytest.fixture
def page(request, browser, web_client):
    os.makedirs(SCREENSHOTS, exist_ok=True)
    for old in os.listdir(SCREENSHOTS):
        if old.endswith(".png"):
            os.unlink(os.path.join(SCREENSHOTS, old))
    context = browser.new_context(viewport=VIEWPORT, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(STEP_TIMEOUT)
    page.problems = []
    page.on("pageerror", lambda error: page.problems.append("page error: %s" % error))
    page.on("dialog", lambda dialog: (page.problems.append("dialog: %s" % dialog.message),
                                      dialog.dismiss()))
    failed_before = request.session.testsfailed
    yield page
    if request.session.testsfailed > failed_before:
        path = os.path.join(SCREENSHOTS, "failed-%s.png" % request.node.name)
        page.screenshot(path=path)
        _logger.error("browser test failed: the page as it was is in %s; page errors: %s",
                      os.path.relpath(path, ROOT), page.problems or "none")
    context.close()


# -- the web client, Odoo 11 -----------------------------------------------------------
class WebClient:
    """Steps in Odoo 11's web client, each waiting (bounded) for its outcome."""

    def __init__(self, page, server):
        self.page = page
        self.server = server
        self.shots = []

    def idle(self):
        """No RPC under way (Odoo's "Loading" indicator hidden)."""
        self.page.wait_for_selector(".o_loading", state="hidden")

    def shot(self, name):
        self.idle()
        self.page.wait_for_timeout(300)   # let the last repaint land
        path = os.path.join(SCREENSHOTS, "%02d-%s.png" % (len(self.shots) + 1, name))
        self.page.screenshot(path=path)
        self.shots.append(path)
        return path

    def login(self, login="admin", password="admin"):
        self.page.goto(self.server.url + "/web/login")
        self.page.fill("input[name=login]", login)
        self.page.fill("input[name=password]", password)
        self.page.click("form button[type=submit]")
        self.page.wait_for_selector("#oe_main_menu_navbar")
        self.page.wait_for_selector(".o_control_panel")   # the first action is shown
        self.idle()
        html = self.page.content()
        assert "Could not execute command" not in html, (
            "the web client's styles did not compile (lessc): %s"
            % re.search(r"Could not execute command[^\"<]*", html).group(0))

    def open_record(self, model, record_id):
        # a whole page load: a change of the URL's hash alone races the action shown
        self.page.goto("%s/web#id=%d&model=%s&view_type=form"
                       % (self.server.url, record_id, model))
        self.page.reload()
        self.page.wait_for_selector(".o_form_view")
        self.idle()

    def header_button(self, label):
        """A visible button of the form's status bar (Odoo 11 renders them without name)."""
        return self.page.locator(
            ".o_form_statusbar .o_statusbar_buttons > button:not(.o_invisible_modifier)"
        ).filter(has_text=re.compile(r"^\s*%s\s*$" % re.escape(label)))

    def smart_button(self, count_field):
        """A visible smart button, found by the counter field it shows."""
        return self.page.locator(
            ".oe_button_box button.oe_stat_button:not(.o_invisible_modifier)"
            ":has([name='%s'])" % count_field)

    def dialog(self):
        return self.page.locator(".modal.in, .modal.show").last

    def dialog_button(self, name):
        return self.dialog().locator(".modal-footer button[name='%s']" % name)

    def wait_dialog_closed(self):
        self.page.wait_for_selector(".modal.in, .modal.show", state="detached")
        self.idle()

    def wait_title(self, title):
        """The breadcrumb ends with title: the action or record asked for is shown."""
        self.page.locator(".o_control_panel .breadcrumb li.active").filter(
            has_text=title).wait_for()
        self.idle()

    def status(self):
        return self.page.locator(".o_statusbar_status button.btn-primary").inner_text().strip()

    def tab(self, label):
        self.page.locator(".o_notebook .nav-tabs a").filter(
            has_text=re.compile(r"^\s*%s\s*$" % re.escape(label))).click()

    def menu(self, xmlid):
        self.page.click("a[data-menu-xmlid='%s']" % xmlid)
        self.idle()

    def rows(self, scope=""):
        """Texts of the data rows of the list views in scope."""
        return self.page.locator("%s .o_list_view tbody tr.o_data_row" % scope).all_inner_texts()


def _eventually(check, failure, timeout=STEP_TIMEOUT / 1000):
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "%s within %d s" % (failure, timeout)
        time.sleep(0.25)


def _row(rows, product):
    found = [row for row in rows if product in row]
    assert found, "no row for %s in %s" % (product, rows)
    return found[0]


# -- the test -----------------------------------------------------------------------------
def test_coffee_table_through_the_web_client(page, web_client, demo, admin_rpc):
    rpc = admin_rpc
    production, name = demo.make_mo(1.0)
    web = WebClient(page, web_client)
    web.login()

    # the confirmed order
    web.open_record("mrp.production", production)
    assert web.status() == "Confirmed"
    web.shot("mo-confirmed")

    # Backflush Preview: one line per component, nothing posted
    web.header_button("Backflush Preview").click()
    web.dialog().locator(".o_list_view").wait_for()
    web.idle()
    preview = web.rows(".modal")
    for product, trigger in (("[BF-LEG] Table Leg", "On completion"),
                             ("[BF-TOP] Oak Table Top", "On completion"),
                             ("[BF-SCREW] Wood Screw 4x40", "On completion"),
                             ("[BF-GLUE] Wood Glue Tube", "Periodic"),
                             ("[BF-BOX] Flat-pack Box", "On shipment")):
        assert trigger in _row(preview, product)
    assert "Line Side Bins" in _row(preview, "[BF-SCREW] Wood Screw 4x40")
    web.shot("backflush-preview")
    web.dialog().locator(".modal-footer button[special='cancel']").click()
    web.wait_dialog_closed()
    assert demo.log_count(production) == 0

    # Produce: the wizard records one table; legs, top and screws are backflushed
    before = demo.stock_levels()
    web.header_button("Produce").click()
    web.dialog().locator(".o_form_view").wait_for()
    web.idle()
    web.shot("produce-wizard")
    web.dialog_button("do_produce").click()
    web.wait_dialog_closed()
    exceptions = rpc("backflush.exception", "search_read",
                     [("production_id", "=", production), ("state", "=", "open")], ["message"])
    assert not exceptions, "producing raised backflush exceptions: %s" % exceptions
    after = demo.stock_levels()
    assert after["leg"] == pytest.approx(before["leg"] - 4)
    assert after["top"] == pytest.approx(before["top"] - 0.25)
    assert after["screw"] == pytest.approx(before["screw"] - 16.8)
    assert after["glue"] == before["glue"] and after["box"] == before["box"]
    web.tab("Backflush")
    # the form reloads the order after the wizard closes: on a slow machine its
    # rows may still be the ones of before for a moment
    _eventually(lambda: any("[BF-LEG] Table Leg" in row and "Backflushed" in row
                            for row in web.rows(".o_notebook .tab-pane.active")),
                "the Backflush tab shows the legs backflushed")
    lines = web.rows(".o_notebook .tab-pane.active")
    for product in ("[BF-LEG] Table Leg", "[BF-TOP] Oak Table Top",
                    "[BF-SCREW] Wood Screw 4x40"):
        assert "Backflushed" in _row(lines, product)
    for product in ("[BF-GLUE] Wood Glue Tube", "[BF-BOX] Flat-pack Box"):
        assert "Pending" in _row(lines, product)
    web.shot("produced-backflush-tab")

    # Mark as Done: Odoo asks first, as glue and boxes are not consumed yet
    web.header_button("Mark as Done").click()
    web.idle()
    if web.dialog().count():
        web.shot("mark-done-confirmation")
        web.dialog().locator(".modal-footer button.btn-primary").click()
        web.wait_dialog_closed()
    page.wait_for_selector(".o_statusbar_status button.btn-primary[data-value='done']")
    assert demo.mo(production)["state"] == "done"
    web.shot("mo-done")

    # Backflush Now posts the glue; a delivery of tables releases the boxes
    logs = demo.log_count(production)
    web.header_button("Backflush Now").click()
    _eventually(lambda: demo.log_count(production) > logs, "Backflush Now posted nothing")
    web.idle()
    demo.ship_backlog()
    assert demo.mo(production)["backflush_state"] == "done"
    web.open_record("mrp.production", production)
    web.smart_button("backflush_variance_count").wait_for()
    web.shot("mo-settled")

    # what the MO posted: WIP back to 0.00, the revision variance settles the difference
    items = rpc("account.move.line", "search_read",
                [("backflush_production_id", "=", production)],
                ["account_id", "debit", "credit", "move_id", "product_id",
                 "backflush_variance_type"])
    wip = [item for item in items if item["account_id"][1].startswith("BF1100 ")]
    variances = [item for item in items if item["backflush_variance_type"]]
    assert wip and variances, items
    assert round(sum(i["debit"] - i["credit"] for i in wip), 2) == 0.0
    lines = rpc("mrp.production.backflush.line", "search_read",
                [("production_id", "=", production)], ["qty_per_unit", "standard_cost"])
    rolled_up = round(sum(line["qty_per_unit"] * line["standard_cost"] for line in lines), 2)
    components = round(sum(i["debit"] - i["credit"] for i in wip
                           if i["product_id"] and i["product_id"][0] != demo.table), 2)
    assert components == rolled_up, (
        "the components put %.2f on WIP, their standard cost is %.2f: are the demo's "
        "component categories valued in real time? %s" % (components, rolled_up, items))
    revision = round(rolled_up - 57.00, 2)
    assert [(v["backflush_variance_type"], round(v["debit"] - v["credit"], 2))
            for v in variances] == [("revision", revision)]
    variance_entry = variances[0]["move_id"]

    # the journal entries smart button, and the settlement entry's lines on screen
    web.smart_button("backflush_account_move_count").click()
    web.wait_title("Journal Entries")
    entries = web.rows()
    assert len(entries) == len({item["move_id"][0] for item in items}), entries
    web.shot("journal-entries")
    page.locator(".o_list_view tbody tr.o_data_row").filter(
        has_text=variance_entry[1]).first.click()
    web.wait_title(variance_entry[1])
    entry_lines = web.rows(".o_form_view")
    amount = "%.2f" % abs(revision)
    assert amount in _row(entry_lines, "BF1100 Work in Progress (backflush)")
    assert amount in _row(entry_lines, "BF5300 Standard Revision Variance")
    web.shot("variance-journal-entry")

    # the Variances smart button: its rows, then as a pivot
    web.page.locator(".breadcrumb a").filter(has_text=name).click()
    web.wait_title(name)
    web.smart_button("backflush_variance_count").click()
    web.wait_title("Variance Analysis")
    assert "Revision" in _row(web.rows(), name)
    web.page.click(".o_cp_switch_buttons .o_cp_switch_pivot")
    page.wait_for_selector(".o_pivot table")
    web.idle()
    assert amount in page.inner_text(".o_pivot")
    web.shot("mo-variances-pivot")

    # Manufacturing > Reporting > Variance Analysis
    web.menu("mrp.menu_mrp_root")
    assert page.locator(".oe_secondary_menu_section[data-menu-xmlid='mrp.menu_mrp_reporting']"
                        ).is_visible()
    web.menu("backflush_mrp.menu_backflush_variance_report_mrp")
    web.wait_title("Variance Analysis")
    page.wait_for_selector(".o_pivot table")
    web.idle()
    assert "Revision" in page.inner_text(".o_pivot")
    web.shot("variance-analysis")

    assert not page.problems, page.problems
