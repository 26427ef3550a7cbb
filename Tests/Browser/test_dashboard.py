"""The dashboard in a real browser against a real controller with real agents and dockerd (see environment.py).
Run by `make test` (and alone by `make test-browser`); the steps run in order, in one browser, as a user's visit."""

import http.server
import os
import random
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import browser  # noqa: E402
import environment  # noqa: E402
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException, TimeoutException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

PAGES = ["/", "/map", "/devices", "/devices/nas", "/devices/add", "/apps", "/catalog", "/catalog/hello-page", "/deploy/hello-page", "/tokens"]


class Dashboard(unittest.TestCase):
    env = None
    driver = None
    app = f"hello-{random.randint(0, 1 << 24):06x}"
    port = random.randint(20000, 29999)

    @classmethod
    def setUpClass(cls):
        cls.env = environment.make()
        cls.env.up()
        cls.driver = browser.start(cls.env.ca)

    @classmethod
    def tearDownClass(cls):
        if cls.driver:
            browser.stop(cls.driver)
        if cls.env:
            try:
                cls.env.api(f"/v1/deployments/{cls.app}?data=delete", method="DELETE")
            except OSError:
                pass  # removed by the last step already, or the controller is gone: forget() below removes what is left
            cls.env.down()
            cls.env.forget(cls.app)

    # Helpers

    def open(self, path):
        self.driver.get(self.env.url + path)

    def wait(self, condition, timeout=30, message=""):
        # Live parts are swapped while we look: an element found a moment ago may be gone; look again.
        try:
            return WebDriverWait(self.driver, timeout, poll_frequency=0.1, ignored_exceptions=(StaleElementReferenceException, NoSuchElementException)).until(
                lambda driver: condition(), message)
        except TimeoutException:
            browser.screenshot(self.driver, "failure", "desktop")
            raise AssertionError(f"{message or 'condition'} not within {timeout} s; at {self.driver.current_url}:\n{self.text()[:1500]}") from None

    def find(self, selector):
        return self.driver.find_element(By.CSS_SELECTOR, selector)

    def finds(self, selector):
        return self.driver.find_elements(By.CSS_SELECTOR, selector)

    def text(self):
        return self.find("body").text

    def no_console_errors(self, allowed=()):
        # The lab adds and removes interfaces on this machine (veths, Docker bridges), and Chromium then cancels the
        # requests in flight with ERR_NETWORK_CHANGED; the page shows what it had and fetches again on the next event.
        errors = browser.console_errors(self.driver, (*allowed, "net::ERR_NETWORK_CHANGED"))
        self.assertEqual(errors, [], "console or page errors")

    def sign_in(self):
        self.find("#token").clear()
        self.find("#token").send_keys(self.env.token)
        self.find("form button[type=submit]").click()

    # The visit, in order

    def test_01_wrong_token_is_refused_with_a_message(self):
        self.open("/devices")
        self.wait(lambda: "/login?next=%2Fdevices" in self.driver.current_url, message="an unknown visitor goes to the login page")
        self.find("#token").send_keys("HLA1.0000.wrong")
        self.find("form button[type=submit]").click()
        self.wait(lambda: "That is not a valid API token" in self.text())
        self.assertEqual(self.driver.get_cookies(), [], "no session for a wrong token")
        # The refusal is a 401 page, which Chromium logs as a failed load: that one, and only that one, is expected.
        self.no_console_errors(allowed=["/login - Failed to load resource: the server responded with a status of 401"])
        time.sleep(1.2)  # the throttle's first delay

    def test_02_signs_in_back_to_the_page_and_sees_devices_online_with_health(self):
        self.sign_in()
        self.wait(lambda: self.driver.current_url.endswith("/devices"), message="back on the page asked for")
        cookie = next(c for c in self.driver.get_cookies() if c["name"] == "__Host-homelab-session")
        self.assertTrue(cookie["httpOnly"] and cookie["secure"] and cookie["sameSite"] == "Strict")
        self.assertEqual(self.driver.execute_script("return document.cookie"), "", "scripts cannot read the session")
        for name in self.env.devices:
            row = self.find(f'tr[data-device="{name}"]')
            self.assertIn("row-online", row.get_attribute("class"))
            self.assertRegex(row.find_element(By.CSS_SELECTOR, ".health").get_attribute("class"), r"health-(green|yellow|red)")
        self.no_console_errors()

    def test_03_a_forged_cross_site_form_post_is_refused(self):
        target = self.env.url + "/tokens/api"
        page = f"""<!doctype html><title>win a prize</title><form id=f method=post action="{target}"><input name=name value=mallory></form>
            <script>document.getElementById('f').submit()</script>""".encode()

        class Attacker(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.end_headers()
                self.wfile.write(page)

            def log_message(self, *arguments):
                pass

        server = http.server.HTTPServer(("127.0.0.1", environment.free_port(15000, 16999)), Attacker)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            self.driver.get(f"http://127.0.0.1:{server.server_port}/")
            self.wait(lambda: self.driver.current_url.startswith(self.env.url), message="the forged form posted")
            self.wait(lambda: "session_expired" in self.text() or "csrf_origin" in self.text(), message="refused")
        finally:
            server.shutdown()
            server.server_close()
        self.assertNotIn("mallory", [t["name"] for t in self.env.api("/v1/api-tokens")["items"]])
        browser.console_errors(self.driver)  # the attacker's page and the refusal are not the dashboard's errors

    def test_04_a_device_goes_offline_live_and_comes_back(self):
        self.open("/")
        self.wait(lambda: self.finds('tr[data-device="pi4"].row-online'))
        self.driver.execute_script("window.notReloaded = true")
        self.env.stop_agent("pi4")
        self.wait(lambda: self.finds('tr[data-device="pi4"].row-offline'), timeout=30, message="pi4 offline on the open page")
        self.wait(lambda: "pi4 is offline" in self.find(".attention").text)
        self.env.start_agent("pi4")
        self.wait(lambda: self.finds('tr[data-device="pi4"].row-online'), timeout=45, message="pi4 back online on the open page")
        self.assertTrue(self.driver.execute_script("return window.notReloaded === true"), "updated live, not by reloading")
        self.no_console_errors()

    def test_05_searches_the_catalog(self):
        self.open("/catalog")
        count = len(self.finds(".recipe-card"))
        self.find("#q").send_keys("hello page")
        self.wait(lambda: len(self.finds(".recipe-card")) == 1, message="results follow the search as it is typed")
        self.assertGreater(count, 1)
        self.assertIn("q=hello", self.driver.current_url)
        self.find(".recipe-card a").click()
        self.wait(lambda: "Where it would go" in self.text())
        self.assertTrue(self.finds(".ranking li.chosen"), "the best device is marked")
        self.no_console_errors()

    def test_06_deploys_through_the_wizard_and_opens_the_app(self):
        self.open("/deploy/hello-page")
        self.assertTrue(self.finds('.ranking input[type=radio][checked]'), "the top device is preselected")
        self.fill(name=self.app, port="99999")
        self.find("form.wizard button[type=submit]").click()
        self.wait(lambda: self.finds("#input-WEB_PORT-error"), message="the error beside its field")
        self.no_console_errors(allowed=["/deploy/hello-page - Failed to load resource: the server responded with a status of 422"])
        self.assertEqual(self.find("#input-IMAGE").get_attribute("value"), self.env.image, "what was typed is kept")
        self.assertEqual(self.find("#name").get_attribute("value"), self.app)
        self.fill(port=str(self.port))
        nas = self.find('input[type=radio][value="nas"]')
        nas.click()  # the device with Docker in loopback mode; in the lab, any
        self.find("form.wizard button[type=submit]").click()
        self.wait(lambda: f"/apps/{self.app}" in self.driver.current_url, timeout=90, message="the deploy accepted")
        self.wait(lambda: self.find(".app-head .badge").get_attribute("data-state") == "running", timeout=120, message="running, shown live")
        self.assertIn("It says what you typed", self.text(), "the recipe's notes")
        link = self.find("[data-open]")
        link.click()
        self.driver.switch_to.window(self.driver.window_handles[-1])
        self.wait(lambda: "hello from the browser suite" in self.text(), message="the app answers")
        self.driver.close()
        self.driver.switch_to.window(self.driver.window_handles[0])
        # The app is not the dashboard: busybox httpd has no favicon.
        self.no_console_errors(allowed=[f":{self.port}/favicon.ico - Failed to load resource"])

    def fill(self, name=None, port=None):
        if name is not None:
            self.find("#name").clear()
            self.find("#name").send_keys(name)
        if port is not None:
            self.find("#input-WEB_PORT").clear()
            self.find("#input-WEB_PORT").send_keys(port)
        self.find("#input-IMAGE").clear()
        self.find("#input-IMAGE").send_keys(self.env.image)
        self.find("#input-MESSAGE").clear()
        self.find("#input-MESSAGE").send_keys("hello from the browser suite")

    def test_07_reads_the_logs(self):
        self.open(f"/apps/{self.app}")
        self.find("[data-load-logs]").click()
        self.wait(lambda: "serving" in self.find("[data-log-lines]").text, message="the app's log lines")
        self.no_console_errors()

    def test_07b_backs_the_app_up_from_its_page_and_the_controller_checks_it(self):
        if isinstance(self.env, environment.LoopbackEnvironment):
            self.skipTest("backups are tried in the lab")
        self.open(f"/apps/{self.app}")
        self.assertIn("No backup target yet", self.text())
        self.env.api("/v1/backups/targets/nas", method="PUT", body={"path": f"{self.env.dir}/backups"})
        self.open(f"/apps/{self.app}")
        self.find(f'form[action="/apps/{self.app}/backup"] button').click()
        self.wait(lambda: "notice=backup" in self.driver.current_url, message="the backup accepted")
        jobs = lambda: self.find(".backup-jobs").text  # noqa: E731
        self.wait(lambda: "Backup succeeded" in jobs(), timeout=120, message="the backup shown done, live")
        self.assertIn("to nas:", jobs())
        # The controller checks a repository within a minute of its first backup (then weekly) by itself; the
        # button does the same (tried in BackupPageTests), and would meet that check here.
        self.wait(lambda: "Check succeeded" in jobs() and "no damage found" in jobs(), timeout=180, message="the scheduled check shown done, live")
        # While a job of its backups runs the panel offers no action; once it ended, a restore from the run.
        self.wait(lambda: self.finds("#restore-run option"), message="a run to restore from, once nothing runs")
        self.no_console_errors()

    def test_08_drills_from_the_map_into_a_device_and_an_app(self):
        self.open("/map?group=hardware")
        card = self.find('.device-card[data-device="nas"]')
        self.assertTrue(self.finds(".network"))
        card.find_element(By.CSS_SELECTOR, f'a.chip[href="/apps/{self.app}"]').click()
        self.wait(lambda: f"/apps/{self.app}" in self.driver.current_url, message="the app from its chip")
        self.open("/map")
        self.find('.device-card[data-device="nas"] h3 a').click()
        self.wait(lambda: self.driver.current_url.endswith("/devices/nas"))
        self.wait(lambda: self.app in self.find("#apps-h").find_element(By.XPATH, "..").text, message="the device's apps")
        self.no_console_errors()

    def test_09_every_page_passes_the_audit_without_console_errors_at_both_widths(self):
        pages = PAGES + [f"/apps/{self.app}"]
        for width in ("desktop", "phone"):
            browser.set_width(self.driver, width)
            for path in pages:
                self.open(path)
                self.wait(lambda: self.driver.execute_script("return document.readyState") == "complete")
                time.sleep(0.3)  # live parts load after the page
                violations = browser.audit(self.driver)
                self.assertEqual(violations, [], f"{path} at {width}:\n{browser.describe(violations)}")
                # A long name (a mount point) must not squeeze the value beside it to nothing on a phone.
                squeezed = self.driver.execute_script(
                    "return [...document.querySelectorAll('.facts dd')]"
                    ".filter(d => d.textContent.trim() && d.getBoundingClientRect().width < 80).map(d => d.textContent.trim())")
                self.assertEqual(squeezed, [], f"{path} at {width}: values with no room")
                name = "app" if path.startswith("/apps/") else path.strip("/").replace("/", "-") or "overview"
                browser.screenshot(self.driver, name, width)
                self.no_console_errors()
        self.driver.delete_all_cookies()
        self.open("/login")
        browser.screenshot(self.driver, "login", "phone")
        browser.set_width(self.driver, "desktop")
        browser.screenshot(self.driver, "login", "desktop")
        self.sign_in()

    def test_10_an_expired_session_returns_to_the_page_after_signing_in(self):
        self.open("/apps?state=running")
        self.driver.delete_cookie("__Host-homelab-session")
        self.open("/apps?state=running")
        self.wait(lambda: "/login" in self.driver.current_url)
        self.sign_in()
        self.wait(lambda: self.driver.current_url.endswith("/apps?state=running"), message="back where the user was")
        self.no_console_errors()

    def test_10a_moves_the_app_to_another_device_with_move_to(self):
        if isinstance(self.env, environment.LoopbackEnvironment):
            self.skipTest("both loopback agents share one dockerd: a move needs the lab's two")
        self.open(f"/apps/{self.app}")
        choice = Select(self.find("#move-to"))
        self.assertEqual([option.text for option in choice.options], ["auto", "pi4"], "auto and the other device")
        choice.select_by_visible_text("pi4")
        self.find('form.move button[type=submit]').click()
        self.wait(lambda: self.finds('.facts a[href="/devices/pi4"]'), timeout=180, message="the component shown on pi4")
        self.wait(lambda: self.find(".app-head .badge").get_attribute("data-state") == "running", timeout=60,
                  message="running at pi4, shown live")
        self.assertEqual([c["device"] for c in self.env.api(f"/v1/deployments/{self.app}")["deployment"]["components"]], ["pi4"])
        self.no_console_errors()

    def test_11_stops_and_removes_the_app(self):
        self.open(f"/apps/{self.app}")
        self.find(f'form[action="/apps/{self.app}/stop"] button').click()
        self.wait(lambda: self.find(".app-head .badge").get_attribute("data-state") == "stopped", timeout=60)
        self.find('input[name=data][value=delete]').click()
        self.find(f'form[action="/apps/{self.app}/remove"] button').click()
        self.wait(lambda: self.driver.current_url.endswith("/apps?notice=removed"), timeout=120)
        self.assertNotIn(self.app, self.text())
        self.no_console_errors()


if __name__ == "__main__":
    unittest.main(verbosity=2, failfast=True)
