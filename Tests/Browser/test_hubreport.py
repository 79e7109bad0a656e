"""The coordinators' pages of hubreport in a real browser: two simulator kiosks enrol and sync real counts, a
coordinator sets a password with the code `hubreport user add` printed, sees both hubs and their charts, and
downloads a suppressed export. axe-core and screenshots through `check_page` on every page.
"""

import json
import os
import pathlib
import re
import signal
import socket
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request

import pytest
from selenium.webdriver.common.by import By

from conftest import check_page, click_and_load, wait

ROOT = pathlib.Path(__file__).resolve().parents[2]
BUILD = pathlib.Path(os.environ.get("HUBREPORT_BUILD_DIR", ROOT / ".build" / "debug"))
PASSWORD = "partnership tea urn"
HUBS = ("brae-street", "leith-links")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(*command, **kwargs):
    result = subprocess.run([str(c) for c in command], capture_output=True, text=True, timeout=60, **kwargs)
    assert result.returncode == 0, f"{command}: {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result.stdout


def wait_until(condition, seconds=30, message=""):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(message)


@pytest.fixture(scope="module")
def service():
    work = pathlib.Path(tempfile.mkdtemp(prefix="hubreport-browser-"))
    database = work / "hubreport.sqlite"
    report = BUILD / "hubreport"
    codes = {hub: json.loads(run(report, "hub", "add", hub, "--name", f"Hub {hub}", "--json", "--database", database))["code"]
             for hub in HUBS}
    port = free_port()
    log = open(work / "hubreport.log", "w")
    process = subprocess.Popen([str(report), "serve", "--listen", f"127.0.0.1:{port}", "--database", str(database)],
                               stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"

    def healthy():
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    wait_until(healthy, message="hubreport did not start:\n" + (work / "hubreport.log").read_text())
    kiosks = []
    try:
        template = (ROOT / "Simulator" / "kiosk.toml").read_text()
        # No pages on the kiosks here (the kiosk's pages have their own tests).
        template = re.sub(r"(?ms)^\[web\]\n.*?^\n", "", template)
        for index, hub in enumerate(HUBS):
            folder = work / hub
            (folder / "state").mkdir(parents=True)
            text = re.sub(r'(?m)^id = "[^"]*"', f'id = "{hub}"', template, count=1)
            text = re.sub(r'(?m)^state_dir = "[^"]*"', f'state_dir = "{folder / "state"}"', text, count=1)
            text = re.sub(r'(?m)^directory = "[^"]*"', f'directory = "{ROOT / "Simulator" / "directory.json"}"', text,
                          count=1)
            (folder / "kiosk.toml").write_text(text)
            tool = [BUILD / "hubkiosk", "--config", folder / "kiosk.toml", "--state-dir", folder / "state"]
            daemon = subprocess.Popen([str(BUILD / "hubkioskd"), "--config", str(folder / "kiosk.toml"), "--state-dir",
                                       str(folder / "state")], stdout=open(folder / "log", "w"),
                                      stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            kiosks.append(daemon)
            wait_until(lambda: subprocess.run([str(c) for c in tool + ["status"]], capture_output=True).returncode == 0,
                       message=f"{hub} did not start:\n" + (folder / "log").read_text())
            run(*tool, "sync", "enrol", base, codes[hub])
            for button in (["food", "money"] if index == 0 else ["housing"]):
                run(*tool, "sim", "press", button)
            run(*tool, "sync", "now")
        yield {"base": base, "database": database, "work": work}
    finally:
        for daemon in kiosks + [process]:
            daemon.send_signal(signal.SIGTERM)
        for daemon in kiosks + [process]:
            try:
                daemon.wait(timeout=20)
            except subprocess.TimeoutExpired:
                daemon.kill()


def signed_in(driver):
    return bool(driver.find_elements(By.CSS_SELECTOR, "form.signout button"))


def test_coordinator_sets_up_sees_two_hubs_and_downloads_a_suppressed_export(driver, service):
    base = service["base"]
    printed = run(BUILD / "hubreport", "user", "add", "maria", "--role", "coordinator", "--database",
                  service["database"])
    code = re.search(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", printed)
    assert code, printed
    driver.delete_all_cookies()
    driver.get(base + "/")
    assert "/login" in driver.current_url
    check_page(driver, "report-login")
    driver.get(base + "/setup")
    check_page(driver, "report-setup")
    for field, value in {"code": code.group(0), "password": PASSWORD, "password2": PASSWORD}.items():
        driver.find_element(By.ID, field).send_keys(value)
    if driver.find_elements(By.ID, "name") and driver.find_element(By.ID, "name").is_displayed():
        driver.find_element(By.ID, "name").send_keys("maria")
    click_and_load(driver, driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))
    wait(driver, signed_in, 20, "not signed in after setup")

    # Sign out, then in again with the new password.
    click_and_load(driver, driver.find_element(By.CSS_SELECTOR, "form.signout button"))
    wait(driver, lambda d: not signed_in(d), 10, "not signed out")
    driver.get(base + "/login")
    driver.find_element(By.ID, "name").send_keys("maria")
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    click_and_load(driver, driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))
    wait(driver, signed_in, 20, "could not sign in")

    driver.get(base + "/")
    page = driver.find_element(By.TAG_NAME, "main").text
    for hub in HUBS:
        assert hub in page or f"Hub {hub}" in page, page
    check_page(driver, "report-hubs")
    driver.get(base + "/charts")
    charts = driver.find_elements(By.CSS_SELECTOR, "main svg")
    assert len(charts) >= 3, "the charts page has fewer than three charts"
    page = driver.page_source
    for hub in HUBS:
        assert hub in page or f"Hub {hub}" in page
    check_page(driver, "report-charts")
    driver.get(base + f"/hubs/{HUBS[0]}")
    check_page(driver, "report-hub")
    driver.get(base + "/export")
    check_page(driver, "report-export")
    driver.get(base + "/enrol")
    check_page(driver, "report-enrol")

    # The export form's download, with the browser's session: suppressed by default (1-7 shown as [c]).
    driver.get(base + "/export")
    form = driver.find_element(By.CSS_SELECTOR, "main form")
    fields = {}
    for element in form.find_elements(By.CSS_SELECTOR, "input, select"):
        name, kind = element.get_attribute("name"), element.get_attribute("type")
        if not name or (kind in ("checkbox", "radio") and not element.is_selected()):
            continue
        fields.setdefault(name, []).append(element.get_attribute("value"))
    assert "exact" not in fields, "exact counts are ticked by default"
    cookies = "; ".join(f"{c['name']}={c['value']}" for c in driver.get_cookies())
    body = urllib.parse.urlencode([(k, v) for k, values in fields.items() for v in values]).encode()
    request = urllib.request.Request(base + "/export", data=body, method="POST", headers={
        "Cookie": cookies, "Origin": base, "Content-Type": "application/x-www-form-urlencoded"})
    with urllib.request.urlopen(request, timeout=20) as response:
        assert response.status == 200
        assert "attachment" in (response.headers.get("Content-Disposition") or "")
        text = response.read().decode()
    assert "[c]" in text, text[:500]
    for hub in HUBS:
        assert hub in text, text[:500]

    # The same form from another site is refused.
    request = urllib.request.Request(base + "/export", data=body, method="POST", headers={
        "Cookie": cookies, "Origin": "http://localhost:1", "Content-Type": "application/x-www-form-urlencoded"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 403
