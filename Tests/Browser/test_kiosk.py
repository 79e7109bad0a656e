"""The kiosk's staff and simulator pages in a real browser (issue 10, "Tested in a real browser").

A fixture starts hubkioskd (from $HUBKIOSK_BUILD_DIR, default .build/debug) on the simulator backend, on a free
loopback port with a state folder of its own, and stops it with SIGTERM at the end. The tests drive headless
Chromium through the harness's `driver` fixture and run `check_page` (axe-core, page size, screenshots) on every
page: sign-in, setup, today, a slip with its preview, reports, directory and the simulator.
"""

import http.server
import os
import pathlib
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from selenium.webdriver.common.by import By

from conftest import click_and_load, wait

ROOT = pathlib.Path(__file__).resolve().parents[2]
STAFF = "staff"
PASSWORD = "brae street tea urn"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, process, log, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"hubkioskd exited ({process.returncode}):\n{log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"hubkioskd did not listen on {port} within {seconds} s:\n{log.read_text()}")


class Kiosk:
    def __init__(self, base, state, log):
        self.base = base
        self.state = state
        self.log = log
        self.slips = state / "simulator" / "slips"
        self.has_account = False

    def url(self, path):
        return self.base + path

    def slip_files(self):
        return sorted(self.slips.glob("slip-*.txt"))

    def setup_code(self):
        """The one-time code as printed on the first slip (double width: a space between letters)."""
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            for slip in self.slip_files():
                for line in slip.read_text().splitlines():
                    squeezed = line.replace(" ", "")
                    if re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", squeezed):
                        return squeezed
            time.sleep(0.2)
        pytest.fail("no setup code on a printed slip:\n" + self.log.read_text())


@pytest.fixture(scope="module")
def kiosk():
    build = pathlib.Path(os.environ.get("HUBKIOSK_BUILD_DIR", ROOT / ".build" / "debug"))
    daemon = build / "hubkioskd"
    if not daemon.exists():
        pytest.fail(f"{daemon} is missing: build it first (swift build --product hubkioskd)")
    folder = pathlib.Path(tempfile.mkdtemp(prefix="hubkiosk-browser-"))
    state = folder / "state"
    port = free_port()
    shutil.copy(ROOT / "Simulator" / "directory.json", folder / "directory.json")
    config = (ROOT / "Simulator" / "kiosk.toml").read_text()
    config = re.sub(r'(?m)^listen = "[^"]*"', f'listen = "127.0.0.1:{port}"', config)
    config = re.sub(r'(?m)^state_dir = "[^"]*"', 'state_dir = "state"', config)
    assert f"127.0.0.1:{port}" in config and 'state_dir = "state"' in config
    (folder / "kiosk.toml").write_text(config)
    log = folder / "hubkioskd.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(daemon), "--config", str(folder / "kiosk.toml")],
            stdout=out, stderr=subprocess.STDOUT, cwd=folder)
    try:
        wait_for_port(port, process, log)
        yield Kiosk(f"http://127.0.0.1:{port}", state, log)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        print(log.read_text()[-4000:])
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def check(request, driver):
    """`check_page(driver, name)` from the harness (a plain function or a fixture)."""
    try:
        check_page = request.getfixturevalue("check_page")
    except pytest.FixtureLookupError:
        from conftest import check_page
    return lambda name: check_page(driver, name)


# MARK: - Helpers



def text(driver, selector):
    return driver.find_element(By.CSS_SELECTOR, selector).text


def fill(driver, values):
    for field, value in values.items():
        element = driver.find_element(By.ID, field)
        element.clear()
        element.send_keys(value)


def submit(driver, form_selector="main form"):
    click_and_load(driver, driver.find_element(By.CSS_SELECTOR, f"{form_selector} button[type=submit]"))


def signed_in(driver):
    return bool(driver.find_elements(By.CSS_SELECTOR, "form.signout button"))


def do_setup(driver, kiosk, check=None):
    driver.delete_all_cookies()
    kiosk.setup_code()  # printed once the setup code is open (the port can open before it)
    driver.get(kiosk.url("/setup"))
    assert driver.find_elements(By.ID, "code"), "the setup form is not open:\n" + driver.page_source[:2000]
    if check:
        check("setup")
    fill(driver, {"code": kiosk.setup_code(), "name": STAFF, "password": PASSWORD, "password2": PASSWORD})
    submit(driver)
    wait(driver, signed_in, message="not signed in after setup")
    kiosk.has_account = True


def sign_in(driver, kiosk, password=PASSWORD):
    driver.get(kiosk.url("/login"))
    fill(driver, {"name": STAFF, "password": password})
    submit(driver)


def ensure_signed_in(driver, kiosk):
    driver.get(kiosk.url("/"))
    if signed_in(driver):
        return
    if not kiosk.has_account:
        do_setup(driver, kiosk)
    else:
        sign_in(driver, kiosk)
    wait(driver, signed_in, message="could not sign in")


def visits_today(driver, kiosk):
    driver.get(kiosk.url("/"))
    return int(text(driver, "#visits-today"))


# MARK: - Tests

def test_first_run_setup_with_the_printed_code(driver, kiosk, check):
    driver.delete_all_cookies()
    driver.get(kiosk.url("/"))
    assert "/login" in driver.current_url, "a page without a session goes to sign-in"
    check("login")
    do_setup(driver, kiosk, check)
    assert urllib.parse.urlparse(driver.current_url).path == "/"
    assert STAFF in text(driver, "form.signout")
    check("today")


def test_sign_out_and_in_again_and_a_wrong_password(driver, kiosk):
    ensure_signed_in(driver, kiosk)
    click_and_load(driver, driver.find_element(By.CSS_SELECTOR, "form.signout button"))
    wait(driver, lambda d: not signed_in(d), message="still signed in after signing out")
    driver.get(kiosk.url("/"))
    assert "/login" in driver.current_url, "signed out: / asks to sign in"

    sign_in(driver, kiosk, password="not the password at all")
    error = wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "main .error"), message="no error shown")
    assert "wrong" in error[0].text
    assert not signed_in(driver)

    sign_in(driver, kiosk)
    wait(driver, signed_in, message="not signed in with the right password")
    assert "/login" not in driver.current_url


def test_simulator_press_shows_led_slip_and_count(driver, kiosk, check):
    ensure_signed_in(driver, kiosk)
    before_visits = visits_today(driver, kiosk)
    before_files = len(kiosk.slip_files())
    driver.get(kiosk.url("/sim"))
    check("sim")
    before_slips = len(driver.find_elements(By.CSS_SELECTOR, "#slips h3"))
    assert text(driver, "#led-food") == "LED off"

    click_and_load(driver, driver.find_element(By.ID, "press-food"))
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "main .notice"), message="no notice after the press")
    assert "Pressed food" in text(driver, "main .notice")
    led = text(driver, "#led-food")
    assert led in ("LED on", "LED printing"), led
    # The slip shows in the slips section (the page's live updates bring it if it printed after the redirect).
    wait(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#slips h3")) > before_slips, seconds=20,
         message="the slip did not appear on /sim")
    assert "Food" in text(driver, "#slips") or "Brae Street Hub" in text(driver, "#slips")
    wait(driver, lambda d: len(kiosk.slip_files()) > before_files, message="no slip file")
    assert visits_today(driver, kiosk) == before_visits + 1


def test_print_a_slip_from_the_staff_page(driver, kiosk, check):
    ensure_signed_in(driver, kiosk)
    driver.get(kiosk.url("/slip"))
    for need in ("food", "housing"):
        driver.find_element(By.CSS_SELECTOR, f"input[name=need][value={need}]").click()
    submit(driver, "main form[action='/slip']")
    preview = wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "main .receipt"), message="no preview")
    assert "Brae Street Hub" in preview[0].text
    check("slip")

    before = len(kiosk.slip_files())
    click_and_load(driver, driver.find_element(By.ID, "print"))
    notice = wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "main .notice"), message="no notice")
    assert "The slip is printing (2 needs)" in notice[0].text
    wait(driver, lambda d: len(kiosk.slip_files()) > before, seconds=20, message="no new slip in the slips folder")


def test_talk_alert_is_shown_and_acknowledged(driver, kiosk):
    ensure_signed_in(driver, kiosk)
    driver.get(kiosk.url("/sim"))
    click_and_load(driver, driver.find_element(By.ID, "press-talk"))
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "main .notice"), message="no notice after the press")
    assert "alert-on" in driver.find_element(By.CSS_SELECTOR, "#kiosk .lamp[class*=alert-]").get_attribute("class") \
        or "on" in text(driver, "#led-staff-alert")

    driver.get(kiosk.url("/"))
    alerts = driver.find_elements(By.CSS_SELECTOR, "#alerts li.alert")
    assert alerts and "talk" in alerts[0].text.lower(), driver.find_element(By.ID, "alerts").text
    button = driver.find_element(By.ID, "acknowledge")
    assert "I am going over" in button.text
    click_and_load(driver, button)
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "main .notice"), message="no notice")
    assert not driver.find_elements(By.CSS_SELECTOR, "#alerts li.alert")
    assert not driver.find_elements(By.ID, "acknowledge")
    assert "No alerts" in text(driver, "#alerts")


def test_every_page_passes_axe(driver, kiosk, check):
    ensure_signed_in(driver, kiosk)
    for path, name in (("/reports", "reports"), ("/directory", "directory")):
        driver.get(kiosk.url(path))
        assert urllib.parse.urlparse(driver.current_url).path == path
        check(name)


class OtherSite(http.server.BaseHTTPRequestHandler):
    page = b""

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(self.page)

    def log_message(self, *args):
        pass


@pytest.fixture
def other_site(kiosk):
    """A page on another origin (http://localhost:PORT, the kiosk being http://127.0.0.1:PORT) with forms that
    post to the kiosk."""
    OtherSite.page = f"""<!doctype html><html lang="en"><head><title>Another site</title></head><body>
<form method="post" action="{kiosk.url('/sim/press')}"><input type="hidden" name="button" value="food">
<button id="press" type="submit">Press</button></form>
<form method="post" action="{kiosk.url('/alerts/acknowledge')}"><button id="ack" type="submit">Ack</button></form>
</body></html>""".encode()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), OtherSite)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://localhost:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def sim_counts(driver, kiosk):
    driver.get(kiosk.url("/sim"))
    return text(driver, "#sim-counts")


def test_a_cross_site_post_is_refused(driver, kiosk, other_site):
    ensure_signed_in(driver, kiosk)
    # An alert to keep: a cross-site acknowledge must not clear it. The simulator's clock is moved on first, so that
    # the press starts a new visit (a second "talk" in the same visit counts once and raises no new alert).
    driver.get(kiosk.url("/sim"))
    driver.find_element(By.CSS_SELECTOR, "input[name=minutes][value='10']").click()
    click_and_load(driver, driver.find_element(By.ID, "advance-clock"))
    wait(driver, lambda d: "moved forward" in text(d, "#sim-clock"), message="the clock did not move")
    click_and_load(driver, driver.find_element(By.ID, "press-talk"))
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "main .notice"))
    driver.get(kiosk.url("/"))
    assert driver.find_elements(By.CSS_SELECTOR, "#alerts li.alert"), "the talk press raised no alert"
    counts = sim_counts(driver, kiosk)
    files = len(kiosk.slip_files())

    for button in ("press", "ack"):
        driver.get(other_site + "/")
        click_and_load(driver, driver.find_element(By.ID, button))
        wait(driver, lambda d: d.current_url.startswith(kiosk.base), message="the form was not sent")
        body = driver.find_element(By.TAG_NAME, "body").text
        assert "refused" in body, body

    assert sim_counts(driver, kiosk) == counts, "a cross-site press changed the counts"
    assert len(kiosk.slip_files()) == files
    driver.get(kiosk.url("/"))
    assert driver.find_elements(By.CSS_SELECTOR, "#alerts li.alert"), "a cross-site post acknowledged the alert"

    # The same with the session's cookie and CSRF token: the Origin alone makes the kiosk answer 403.
    cookies = "; ".join(f"{c['name']}={c['value']}" for c in driver.get_cookies())
    csrf = driver.find_element(By.CSS_SELECTOR, "#acknowledge").find_element(
        By.XPATH, "./ancestor::form//input[@name='_csrf']").get_attribute("value")
    request = urllib.request.Request(
        kiosk.url("/alerts/acknowledge"), data=urllib.parse.urlencode({"_csrf": csrf}).encode(), method="POST",
        headers={"Cookie": cookies, "Origin": other_site, "Content-Type": "application/x-www-form-urlencoded"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 403
    driver.get(kiosk.url("/"))
    assert driver.find_elements(By.CSS_SELECTOR, "#alerts li.alert"), "the refused post acknowledged the alert"
    # Cleared from the kiosk's own page, for the tests after this one.
    click_and_load(driver, driver.find_element(By.ID, "acknowledge"))
    wait(driver, lambda d: not d.find_elements(By.CSS_SELECTOR, "#alerts li.alert"))


def test_security_headers(kiosk):
    with urllib.request.urlopen(kiosk.url("/login"), timeout=10) as response:
        assert response.status == 200
        headers = response.headers
    csp = headers["Content-Security-Policy"]
    assert csp and "frame-ancestors 'none'" in csp, csp
    assert "'unsafe-inline'" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"


def test_edit_a_service_and_import_a_directory_with_its_preview(driver, kiosk, check):
    ensure_signed_in(driver, kiosk)
    driver.get(kiosk.url("/directory"))
    first = driver.find_element(By.CSS_SELECTOR, "main tbody th a")
    name = first.text
    click_and_load(driver, first)
    wait(driver, lambda d: d.find_elements(By.ID, "edit-service"), message="no service page")
    check("directory-service")
    click_and_load(driver, driver.find_element(By.ID, "edit-service"))
    wait(driver, lambda d: d.find_elements(By.ID, "phones"), message="no edit form")
    check("directory-edit")
    phones = driver.find_element(By.ID, "phones")
    phones.clear()
    phones.send_keys("0131 496 0999")
    click_and_load(driver, driver.find_element(By.ID, "save-service"))
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "main .notice") or d.find_elements(By.ID, "edit-problems"),
         message="no answer to the edit")
    assert not driver.find_elements(By.ID, "edit-problems"), driver.find_element(By.TAG_NAME, "main").text
    driver.get(kiosk.url("/directory?q=" + urllib.parse.quote(name)))
    assert "0131 496 0999" in driver.find_element(By.TAG_NAME, "main").text

    # Import: a copy of the directory with one service renamed; the preview says so; nothing changes until confirmed.
    source = (ROOT / "Simulator" / "directory.json").read_text()
    match = re.search(r'"name":\s*"([^"]+)"', source)
    assert match
    old = match.group(1)
    folder = pathlib.Path(tempfile.mkdtemp(prefix="hubkiosk-import-"))
    renamed = folder / "renamed.json"
    renamed.write_text(source.replace(f'"{old}"', '"Renamed in the browser test"', 1))
    driver.get(kiosk.url("/directory"))
    driver.find_element(By.ID, "file").send_keys(str(renamed))
    click_and_load(driver, driver.find_element(By.ID, "import-preview"))
    changes = wait(driver, lambda d: d.find_elements(By.ID, "import-changes"), message="no preview of the changes")
    assert "Renamed in the browser test" in changes[0].text, changes[0].text
    check("directory-import")
    # Not in use yet (asked beside the page, with the browser's session).
    cookies = "; ".join(f"{c['name']}={c['value']}" for c in driver.get_cookies())
    request = urllib.request.Request(kiosk.url("/directory?q=Renamed"), headers={"Cookie": cookies})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert "Renamed in the browser test" not in response.read().decode()
    click_and_load(driver, driver.find_element(By.ID, "import-apply"))
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "main .notice"), message="no answer to the import")
    driver.get(kiosk.url("/directory?q=Renamed"))
    assert "Renamed in the browser test" in driver.find_element(By.TAG_NAME, "tbody").text
