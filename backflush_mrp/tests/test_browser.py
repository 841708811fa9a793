"""A person's path through the module in a real browser, on a real server.

Debian's chromium, driven by Playwright (never a browser of Playwright's
own), logs in as admin on the test server (server.py) and takes a fresh MO of
the demo Coffee Table through the web client: Backflush Preview, Produce,
Mark as Done, Backflush Now, then (once a delivery released its boxes) the
journal entries and variances from the MO's smart buttons and the Variance
Analysis menu. A second MO waits for the periodic run: the administrator runs
the scheduled action by hand, the test plays OCA's job runner for the jobs it
enqueues, and the MO's Consumed Materials tab shows what was consumed. Every
step leaves a screenshot in .artifacts/screenshots/.
"""
import logging
import os
import re
import shutil
import time
import urllib.error
import urllib.parse
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


@pytest.fixture(scope="module")
def screenshots():
    """The screenshots of this run only: those of an earlier run are removed, once
    (each test names its own, so that one test does not remove another's)."""
    os.makedirs(SCREENSHOTS, exist_ok=True)
    for old in os.listdir(SCREENSHOTS):
        if old.endswith(".png"):
            os.unlink(os.path.join(SCREENSHOTS, old))
    return SCREENSHOTS


@pytest.fixture
def page(request, browser, web_client, screenshots):
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

    def __init__(self, page, server, prefix=""):
        self.page = page
        self.server = server
        self.prefix = prefix   # of this test's screenshots' names
        self.shots = []

    def idle(self):
        """No RPC under way (Odoo's "Loading" indicator hidden)."""
        self.page.wait_for_selector(".o_loading", state="hidden")

    def shot(self, name):
        self.idle()
        self.page.wait_for_timeout(300)   # let the last repaint land
        path = os.path.join(SCREENSHOTS, "%s%02d-%s.png" % (self.prefix, len(self.shots) + 1,
                                                            name))
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

    def column(self, header, scope=""):
        """(row text, text of its cell under header, row shown muted) for each data row
        of the first list view in scope."""
        table = self.page.locator("%s .o_list_view" % scope).first
        headers = [text.strip() for text in table.locator("thead th").all_inner_texts()]
        assert header in headers, "no column %s in %s" % (header, headers)
        index = headers.index(header)
        rows = table.locator("tbody tr.o_data_row")
        found = []
        for number in range(rows.count()):
            row = rows.nth(number)
            found.append((row.inner_text(), row.locator("td").nth(index).inner_text().strip(),
                          "text-muted" in (row.get_attribute("class") or "").split()))
        return found


def _eventually(check, failure, timeout=STEP_TIMEOUT / 1000):
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "%s within %d s" % (failure, timeout)
        time.sleep(0.25)


def _row(rows, product):
    found = [row for row in rows if product in row]
    assert found, "no row for %s in %s" % (product, rows)
    return found[0]


# -- OCA's job runner, played by the test -----------------------------------------------
# the jobs backflush_mrp_queue enqueues (its JOB_METHODS)
BACKFLUSH_JOBS = [("model_name", "=", "mrp.production"),
                  ("method_name", "in", ("_backflush_periodic_chunk",
                                         "_backflush_periodic_retry"))]
JOB_ROUNDS = 5   # a chunk may enqueue retries of its own: they run in the next round


def _waiting_jobs(rpc, exclude=()):
    return rpc("queue.job", "search_read",
               BACKFLUSH_JOBS + [("state", "in", ("pending", "enqueued")),
                                 ("id", "not in", list(exclude))],
               ["uuid", "record_ids"], order="id")


def _run_jobs(server, rpc, before):
    """Run the backflush jobs enqueued since before (ids of the jobs then), as OCA's job
    runner would, until none is left: [ids of the jobs run].

    The test server runs no job runner (queue_job is not a server-wide module
    there), so nothing would run them otherwise.
    """
    ran = []
    for _round in range(JOB_ROUNDS):
        jobs = _waiting_jobs(rpc, exclude=list(before) + ran)
        if not jobs:
            break
        for job in jobs:
            # /queue_job/runjob runs a job only in state enqueued; any other it leaves
            # as it is, with a warning in the log, and still answers 200. The job
            # runner sets that state in SQL just before it calls the URL: here, over
            # XML-RPC, which is what the runner's UPDATE writes
            rpc("queue.job", "write", [job["id"]], {
                "state": "enqueued",
                "date_enqueued": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())})
            status, body = _get("%s/queue_job/runjob?%s" % (server.url, urllib.parse.urlencode(
                {"db": server.dbname, "job_uuid": job["uuid"]})))
            assert status == 200, (
                "/queue_job/runjob answered HTTP %s for job %s: %s\nserver log:\n%s"
                % (status, job["uuid"], body, server.first_traceback(last=True)))
            ran.append(job["id"])
    assert not _waiting_jobs(rpc, exclude=before), (
        "backflush jobs still wait after %d rounds" % JOB_ROUNDS)
    for job in rpc("queue.job", "read", ran, ["uuid", "state", "result", "exc_info"]):
        assert job["state"] == "done", "job %s is %s: %s" % (
            job["uuid"], job["state"], job["exc_info"] or job["result"])
    return ran


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


def test_periodic_run_fills_consumed_materials(page, web_client, demo, admin_rpc):
    """The glue of a done Coffee Table MO waits for the periodic run; an administrator
    runs the scheduled action by hand (Run Manually), its queue jobs run, and the MO's
    Consumed Materials tab shows every component's consumed quantity, the glue's done.

    Its last screenshot (.artifacts/screenshots/periodic-NN-consumed-materials.png)
    is copied by hand to static/description/mo_consumed_after_periodic.png, which
    USAGE.rst shows: copy it again when the screen changes.
    """
    rpc = admin_rpc
    production, name = demo.make_mo(1.0)
    web = WebClient(page, web_client, prefix="periodic-")
    web.login()

    # Produce and Mark as Done: the glue is left to the periodic run
    web.open_record("mrp.production", production)
    web.header_button("Produce").click()
    web.dialog().locator(".o_form_view").wait_for()
    web.idle()
    web.dialog_button("do_produce").click()
    web.wait_dialog_closed()
    web.header_button("Mark as Done").click()
    web.idle()
    if web.dialog().count():   # Odoo asks first, as glue and boxes are not consumed yet
        web.dialog().locator(".modal-footer button.btn-primary").click()
        web.wait_dialog_closed()
    page.wait_for_selector(".o_statusbar_status button.btn-primary[data-value='done']")
    order = demo.mo(production, ("state", "qty_produced"))
    assert order["state"] == "done" and order["qty_produced"] == 1.0, order

    def backflush_lines():
        lines = rpc("mrp.production.backflush.line", "search_read",
                    [("production_id", "=", production)],
                    ["product_id", "product_uom_id", "trigger", "qty_per_unit",
                     "qty_consumed", "qty_pending", "state"])
        return {line["product_id"][0]: line for line in lines}

    glue_product = demo.components["glue"]
    glue = backflush_lines()[glue_product]
    assert (glue["trigger"], glue["state"], glue["qty_consumed"]) == ("periodic", "pending", 0.0)
    assert glue["qty_pending"] > 0, glue

    # Run Manually on the scheduled action (ir.cron's method_direct_trigger), opened as
    # an administrator finds it: only enqueues the run's jobs (backflush_mrp_queue)
    cron = rpc.ref("backflush_mrp.ir_cron_backflush_periodic")
    jobs_before = [job["id"] for job in _waiting_jobs(rpc)]
    web.open_record("ir.cron", cron)
    web.wait_title("Backflush: periodic posting")
    web.shot("scheduled-action")
    web.header_button("Run Manually").click()
    web.idle()
    _eventually(lambda: any(production in job["record_ids"]
                            for job in _waiting_jobs(rpc, exclude=jobs_before)),
                "Run Manually enqueued no job for %s" % name)
    assert backflush_lines()[glue_product]["state"] == "pending", (
        "the scheduled action posted by itself instead of enqueuing jobs")
    _run_jobs(web_client, rpc, jobs_before)

    # the glue is consumed: as much as the BoM gives for what was produced
    lines = backflush_lines()
    glue = lines[glue_product]
    expected = glue["qty_per_unit"] * order["qty_produced"]
    assert expected > 0 and glue["state"] == "done", glue
    assert glue["qty_consumed"] == pytest.approx(expected) and not glue["qty_pending"], glue
    moves = rpc("stock.move", "search_read", [("raw_material_production_id", "=", production)],
                ["product_id", "product_uom", "state", "quantity_done"])
    glue_moves = [move for move in moves if move["product_id"][0] == glue_product]
    assert glue_moves and all(move["state"] == "done" for move in glue_moves), glue_moves

    # the Consumed Materials tab says the same, line by line
    web.open_record("mrp.production", production)
    web.tab("Consumed Materials")
    scope = ".o_notebook .tab-pane.active"
    page.locator("%s .o_list_view tbody tr.o_data_row" % scope).first.wait_for()
    web.idle()
    digits = rpc("decimal.precision", "precision_get", "Product Unit of Measure")
    cells = web.column("Consumed", scope)
    for product, line in lines.items():
        label = line["product_id"][1]
        rows = [(text, consumed, muted) for text, consumed, muted in cells if label in text]
        assert rows, "no row for %s in %s" % (label, cells)
        # the tab shows the moves' quantities in their unit: the line's, in the demo
        assert {move["product_uom"][0] for move in moves if move["product_id"][0] == product} \
            == {line["product_uom_id"][0]}
        shown = sum(float(consumed.replace(",", "")) for _text, consumed, _muted in rows)
        assert round(shown, digits) == round(line["qty_consumed"], digits), (
            "%s: the tab shows %s consumed, the backflush line says %s"
            % (label, [consumed for _text, consumed, _muted in rows], line["qty_consumed"]))
        if product == glue_product:
            assert round(shown, digits) == round(expected, digits), (
                "the tab shows %s glue consumed, not the %s the BoM gives" % (shown, expected))
            assert "Periodic" in rows[0][0]
            assert all(muted for _text, _consumed, muted in rows), (
                "the glue's rows are not shown done (muted): %s" % rows)
    assert all(lines[demo.components[component]]["qty_consumed"] > 0
               for component in ("leg", "top", "screw", "glue"))
    # no focus ring around the tab just clicked on the screenshot
    page.evaluate("document.activeElement && document.activeElement.blur()")
    web.shot("consumed-materials")

    assert not page.problems, page.problems
