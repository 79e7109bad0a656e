"""The browser harness: headless Chromium (Debian's chromium and chromium-driver) driven by Selenium, axe-core
(axe-selenium-python) on every page, screenshots at a phone and a laptop size.

Screenshots go to $BROWSER_SCREENSHOTS (default: browser-screenshots/ at the repository root), one PNG per page and
size: NAME-phone.png (360 x 800) and NAME-laptop.png (1366 x 900).
"""

import os
import pathlib
import shutil
import time

import pytest
from selenium import webdriver
from selenium.common.exceptions import (
    NoSuchElementException,
    StaleElementReferenceException,
    TimeoutException,
    WebDriverException,
)
from selenium.webdriver.chrome.service import Service

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCREENSHOTS = pathlib.Path(os.environ.get("BROWSER_SCREENSHOTS", ROOT / "browser-screenshots"))
SIZES = {"phone": (360, 800), "laptop": (1366, 900)}
MAX_PAGE_BYTES = 100 * 1024


def _between_pages(error):
    """An answer of a page that is being replaced (a form sent, a live refresh): its nodes are gone."""
    if isinstance(error, (StaleElementReferenceException, NoSuchElementException)):
        return True
    words = str(error)
    return "does not belong to the document" in words or "No node with given id" in words


def wait(driver, condition, seconds=15, message=""):
    """Until `condition(driver)` is true, polled every 0.2 s. Looking at a page while the browser replaces it can
    fail (the node is stale or \"does not belong to the document\"): that look is tried again, and a time-out says
    the last such error. Any other error fails at once."""
    deadline = time.monotonic() + seconds
    last = None
    while True:
        try:
            result = condition(driver)
            if result:
                return result
        except WebDriverException as error:
            if not _between_pages(error):
                raise
            last = error
        if time.monotonic() >= deadline:
            detail = f" (last: {type(last).__name__}: {str(last).splitlines()[0] if str(last) else ''})" if last else ""
            raise TimeoutException(f"{message or 'timed out'} after {seconds} s{detail}")
        time.sleep(0.2)


def click_and_load(driver, element, seconds=15):
    """Clicks something that loads a page (a form's button, a link) and returns once the page it was on is gone
    and the next one has loaded: a wait for something on the next page cannot be answered by the old one."""
    old = driver.find_element("tag name", "html")
    element.click()

    def replaced(d):
        try:
            old.tag_name
            return False
        except WebDriverException as error:
            if _between_pages(error):
                return True
            raise

    wait(driver, replaced, seconds, "the click did not load a page")
    wait(driver, lambda d: d.execute_script("return document.readyState") == "complete", seconds, "the page did not load")


def chromium_binary():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.fail("Chromium is not installed (apt-get install chromium chromium-driver): the browser suite must run")


def chromedriver_binary():
    path = shutil.which("chromedriver") or ("/usr/bin/chromedriver" if os.path.exists("/usr/bin/chromedriver") else None)
    if not path:
        pytest.fail("chromedriver is not installed (apt-get install chromium-driver): the browser suite must run")
    return path


@pytest.fixture(scope="session")
def driver():
    options = webdriver.ChromeOptions()
    options.binary_location = chromium_binary()
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1366,900", "--lang=en-GB"):
        options.add_argument(argument)
    # The kiosk's own certificate (HTTPS pages): checked by fingerprint by staff, not by a CA.
    options.accept_insecure_certs = True
    browser = webdriver.Chrome(service=Service(chromedriver_binary()), options=options)
    browser.set_page_load_timeout(30)
    yield browser
    browser.quit()


def axe_violations(browser):
    from axe_selenium_python import Axe

    axe = Axe(browser)
    axe.inject()
    results = axe.run()
    return results.get("violations", [])


def describe(violations):
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation.get('impact')}): {violation['help']}")
        for node in violation.get("nodes", [])[:5]:
            lines.append(f"    {node.get('target')}: {node.get('failureSummary', '').strip()}")
    return "\n".join(lines)


def check_page(browser, name):
    """axe-core finds no violation at either size, the HTML is under 100 KB, and both screenshots are saved."""
    html = browser.page_source
    size = len(html.encode("utf-8"))
    assert size < MAX_PAGE_BYTES, f"{name}: the page is {size} bytes (limit {MAX_PAGE_BYTES})"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    found = []
    for label, (width, height) in SIZES.items():
        browser.set_window_size(width, height)
        browser.execute_script("window.scrollTo(0, 0)")
        violations = axe_violations(browser)
        if violations:
            found.append(f"at {label} size ({width} px):\n" + describe(violations))
        full = browser.execute_script("return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight)")
        browser.set_window_size(width, min(max(int(full) + 120, height), 6000))
        browser.save_screenshot(str(SCREENSHOTS / f"{name}-{label}.png"))
        # A phone-sized page must not scroll sideways.
        if label == "phone":
            overflow = browser.execute_script(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 1, f"{name}: at 360 px the page is {overflow} px wider than the window"
    browser.set_window_size(*SIZES["laptop"])
    assert not found, f"{name}: axe-core found accessibility violations\n" + "\n\n".join(found)
