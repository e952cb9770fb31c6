"""/metrics is valid Prometheus text (promtool check metrics), and a real
Prometheus server on loopback scrapes arcd and reads arc_tasks back.
Usage: metrics_e2e.py ARCD_BIN ARC_BIN"""
import json
import os
import subprocess
import sys
import tempfile
import urllib.parse

from arc_e2e import Arcd, check, free_port, http, metric_value, wait_until


def main():
    arcd = Arcd(sys.argv[1], sys.argv[2])
    prom = None
    try:
        for i in range(3):
            arcd.arc("tasks", "add", "--subject", f"metrics {i}", "--skills", "ok")
        wait_until("3 completed tasks", lambda: arcd.api("/api/status")["counts"]["completed"] == 3)
        status, text = http(arcd.url + "/metrics")
        check(status == 200, f"/metrics answered {status}")
        check(metric_value(text, 'arc_tasks{status="completed"}') == 3, "arc_tasks{status=completed} is not 3")
        lint = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True, text=True)
        print("promtool check metrics:", lint.returncode, lint.stdout.strip(), lint.stderr.strip())
        check(lint.returncode == 0, "promtool found problems:\n" + lint.stdout + lint.stderr)

        with tempfile.TemporaryDirectory(prefix="arc-prom-") as d:
            prom_port = free_port()
            cfg = os.path.join(d, "prometheus.yml")
            with open(cfg, "w") as f:
                f.write("global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: arcd\n"
                        f"    static_configs:\n      - targets: ['127.0.0.1:{arcd.port}']\n")
            log = open(os.path.join(d, "prometheus.log"), "w")
            prom = subprocess.Popen(["prometheus", f"--config.file={cfg}", f"--storage.tsdb.path={d}/data",
                                     f"--web.listen-address=127.0.0.1:{prom_port}"], stdout=log, stderr=log)
            query = urllib.parse.quote('arc_tasks{status="completed"}')

            def scraped():
                try:
                    _, body = http(f"http://127.0.0.1:{prom_port}/api/v1/query?query={query}")
                except OSError:
                    return None
                result = json.loads(body)["data"]["result"]
                return result[0]["value"][1] if result else None
            value = wait_until("Prometheus to scrape arc_tasks", scraped, timeout=60, step=0.5)
            print("Prometheus read back arc_tasks{status=\"completed\"} =", value)
            check(value == "3", f"Prometheus read {value}, not 3")
            prom.terminate()
            prom.wait(timeout=30)
            prom = None
    finally:
        if prom:
            prom.kill()
        arcd.stop()
    print("ok")


if __name__ == "__main__":
    main()
