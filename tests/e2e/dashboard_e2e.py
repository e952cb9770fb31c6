"""The dashboard in headless Chromium (driven through chromedriver's
WebDriver protocol): a task added with the CLI appears without a reload, and
pausing the gate with the CLI shows on the page. Saves a screenshot.
Usage: dashboard_e2e.py ARCD_BIN ARC_BIN SCREENSHOT.png"""
import base64
import json
import os
import subprocess
import sys
import tempfile
import urllib.request

from arc_e2e import Arcd, check, free_port, wait_until


class WebDriver:
    def __init__(self):
        self.port = free_port()
        self.profile = tempfile.TemporaryDirectory(prefix="arc-chromium-")
        self.proc = subprocess.Popen(["chromedriver", f"--port={self.port}"], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        self.base = f"http://127.0.0.1:{self.port}"
        wait_until("chromedriver", self._ready)
        args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1400,1100", f"--user-data-dir={self.profile.name}"]
        caps = {"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
            "binary": "/usr/bin/chromium", "args": args}}}}
        self.session = self._call("POST", "/session", caps)["sessionId"]

    def _ready(self):
        try:
            return json.loads(urllib.request.urlopen(self.base + "/status", timeout=2).read())["value"]["ready"]
        except OSError:
            return False

    def _call(self, method, path, body=None):
        req = urllib.request.Request(self.base + path, method=method,
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=60) as r:
            return json.loads(r.read())["value"]

    def go(self, url):
        self._call("POST", f"/session/{self.session}/url", {"url": url})

    def js(self, script, *args):
        return self._call("POST", f"/session/{self.session}/execute/sync", {"script": script, "args": list(args)})

    def screenshot(self, path):
        with open(path, "wb") as f:
            f.write(base64.b64decode(self._call("GET", f"/session/{self.session}/screenshot")))

    def quit(self):
        try:
            self._call("DELETE", f"/session/{self.session}")
        finally:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            self.profile.cleanup()


def text(driver, selector):
    return driver.js("const e = document.querySelector(arguments[0]); return e ? e.innerText : null;", selector)


def main():
    arcd = Arcd(sys.argv[1], sys.argv[2])
    driver = None
    try:
        arcd.arc("tasks", "add", "--subject", "already there", "--skills", "ok")
        wait_until("the first task to complete", lambda: arcd.api("/api/status")["counts"]["completed"] == 1)
        driver = WebDriver()
        driver.go(arcd.url + "/")
        wait_until("the event stream to connect", lambda: text(driver, "#live") == "live")
        wait_until("the task list", lambda: "already there" in (text(driver, "#tasks-table") or ""))
        check(text(driver, "#gate-state") == "running", "gate is not shown as running")
        driver.js("window.__arcNoReload = 42;")

        # No executor runs this one: it waits, scheduled an hour ahead.
        arcd.arc("tasks", "add", "--subject", "added from the CLI while watching", "--scheduled-for", "+1h")
        wait_until("the CLI's task on the page",
                   lambda: "added from the CLI while watching" in (text(driver, "#tasks-table") or ""), timeout=15)
        arcd.arc("dispatch", "pause", "--reason", "e2e test")
        wait_until("the paused gate on the page", lambda: text(driver, "#gate-state") == "paused", timeout=15)
        check(driver.js("return window.__arcNoReload;") == 42, "the page reloaded")
        counts = text(driver, "#counts")
        check("pending" in counts and "completed" in counts, f"queue counts missing: {counts!r}")
        driver.js("document.querySelector('#tasks-table tbody tr.click').click();")
        wait_until("the task detail", lambda: "history" in "" or "pending" in (text(driver, "#detail-body") or ""))
        driver.js("window.scrollTo(0, 0);")
        driver.screenshot(sys.argv[3])
        print("screenshot:", sys.argv[3], os.path.getsize(sys.argv[3]), "bytes")
    finally:
        if driver:
            driver.quit()
        arcd.stop()
    print("ok")


if __name__ == "__main__":
    main()
