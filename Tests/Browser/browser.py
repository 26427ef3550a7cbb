"""Debian's headless Chromium driven by chromedriver (python3-selenium), with the controller's CA trusted the way
a user trusts it (an NSS database), console errors collected, axe-core audits and full-page screenshots."""

import base64
import os
import shutil
import subprocess
import tempfile

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from axe_selenium_python import Axe

SCREENSHOTS = os.environ.get("HOMELAB_SCREENSHOTS", os.path.join(os.path.dirname(__file__), "..", "..", ".build", "dashboard-screenshots"))
WIDTHS = {"desktop": (1280, 900), "phone": (375, 812)}


def trusting(ca):
    """A home directory whose NSS database trusts the controller's CA, as `certutil` would set up a user's."""
    home = tempfile.mkdtemp(prefix="homelab-chromium-")
    database = os.path.join(home, ".pki", "nssdb")
    os.makedirs(database)
    subprocess.run(["certutil", "-N", "-d", f"sql:{database}", "--empty-password"], check=True)
    subprocess.run(["certutil", "-A", "-d", f"sql:{database}", "-n", "homelab", "-t", "C,,", "-i", ca], check=True)
    return home


def start(ca, width="desktop"):
    home = trusting(ca)
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", f"--user-data-dir={home}/profile",
                     "--no-first-run", "--disable-background-networking", "--disable-features=Translate,MediaRouter,OptimizationHints",
                     f"--window-size={WIDTHS[width][0]},{WIDTHS[width][1]}"]:
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # Chromium reads the NSS database under $HOME: the browser's only, the suite's own processes keep theirs.
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver", env=dict(os.environ, HOME=home)), options=options)
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(60)
    driver.homelab_home = home
    return driver


def stop(driver):
    """Quits the browser and removes its profile and NSS database."""
    driver.quit()
    shutil.rmtree(driver.homelab_home, ignore_errors=True)


def console_errors(driver, allowed=()):
    """Every console error or uncaught page error since the last call, but those the test caused on purpose."""
    return [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE" and not any(text in entry["message"] for text in allowed)]


def audit(driver):
    """axe-core's serious and critical violations on the page as it is now."""
    axe = Axe(driver)
    axe.inject()
    results = axe.run(options={"resultTypes": ["violations"]})
    return [violation for violation in results["violations"] if violation["impact"] in ("serious", "critical")]


def describe(violations):
    return "\n".join(f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}" for v in violations)


def screenshot(driver, name, width):
    """The whole page (not just the window) at `width`, into SCREENSHOTS/NAME-WIDTH.png."""
    os.makedirs(SCREENSHOTS, exist_ok=True)
    metrics = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
    size = metrics["cssContentSize"]
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True,
                                                             "clip": {"x": 0, "y": 0, "width": WIDTHS[width][0], "height": min(size["height"], 6000), "scale": 1}})
    path = os.path.join(SCREENSHOTS, f"{name}-{WIDTHS[width][0]}.png")
    with open(path, "wb") as file:
        file.write(base64.b64decode(shot["data"]))
    return path


def set_width(driver, width):
    driver.set_window_size(*WIDTHS[width])
    # Media queries follow the viewport, which headless Chromium sets from the window.
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": WIDTHS[width][0], "height": WIDTHS[width][1], "deviceScaleFactor": 1,
                                                                  "mobile": width == "phone"})
