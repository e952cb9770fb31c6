"""Helpers for the end-to-end tests: a real arcd with its HTTP server on a
free loopback port, waits with timeouts (never fixed sleeps), plain urllib."""
import json
import os
import re
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(what, fn, timeout=20.0, step=0.1):
    deadline = time.monotonic() + timeout
    while True:
        value = fn()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(step)


def http(url, method="GET", body=None, token=None, timeout=5):
    req = urllib.request.Request(url, method=method, data=body.encode() if body else None)
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    if body:
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return r.status, r.read().decode()


class Arcd:
    """arcd on a temporary database with [http] on a free port and a skill
    `ok` that succeeds at once."""

    def __init__(self, arcd_bin, arc_bin):
        self.dir = tempfile.TemporaryDirectory(prefix="arc-e2e-")
        self.arc_bin = arc_bin
        self.db = os.path.join(self.dir.name, "arc.db")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = os.path.join(self.dir.name, "arc.toml")
        with open(config, "w") as f:
            f.write(f'[arcd]\ndatabase = "{self.db}"\npoll_ms = 50\n'
                    f'[http]\nlisten = "127.0.0.1:{self.port}"\n'
                    '[skills.ok]\ncommand = ["/bin/sh", "-c", "cat >/dev/null; echo done"]\n')
        self.log_path = os.path.join(self.dir.name, "arcd.log")
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen([arcd_bin, "--config", config], stdout=self.log, stderr=self.log)
        wait_until("arcd's HTTP server", self._up)
        with open(os.path.join(self.dir.name, "arcd-http.token")) as f:
            self.token = f.read().strip()

    def _up(self):
        if self.proc.poll() is not None:
            raise AssertionError("arcd exited:\n" + open(self.log_path).read())
        try:
            return http(self.url + "/api/status")[0] == 200
        except OSError:
            return False

    def arc(self, *args):
        return subprocess.run([self.arc_bin, "--db", self.db, *args], check=True, capture_output=True, text=True).stdout

    def api(self, path):
        return json.loads(http(self.url + path)[1])

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise AssertionError("arcd did not stop within 30 s of SIGTERM:\n" + open(self.log_path).read()[-3000:])
        self.log.close()
        self.dir.cleanup()
        assert code == 0, f"arcd exited with {code}"


def check(cond, message):
    if not cond:
        raise AssertionError(message)


def metric_value(text, series):
    m = re.search(r"^" + re.escape(series) + r" (\S+)$", text, re.M)
    return float(m.group(1)) if m else None
