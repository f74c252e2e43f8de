"""A real Prometheus (Debian's `prometheus`) for the deployment checks: it
parses PromQL and loads rule files exactly as production will.

It listens on a loopback port, keeps its TSDB in a temporary directory,
scrapes nothing, and is stopped by the harness.Cleanup it was given, also
when the test fails or Bazel's timeout sends SIGTERM.
"""
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

import harness  # stop_process; the importing test puts it on sys.path

INSTALL_HINT = "run tools/install-deps.sh as root (CI installs it)"


def require(tool):
    """The path of `tool`, or an AssertionError that says how to get it."""
    path = shutil.which(tool)
    if path is None:
        raise AssertionError(
            f"{tool} is not installed: {INSTALL_HINT}; it comes with Debian's "
            "`prometheus` package")
    return path


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrometheusServer:
    """Starts at construction; `rule_files` are loaded as configured rules."""

    def __init__(self, cleanup, rule_files=(), timeout=30.0):
        binary = require("prometheus")
        self.dir = tempfile.mkdtemp(prefix="mfr-prometheus-")
        cleanup.push("prometheus directory", lambda: shutil.rmtree(self.dir, ignore_errors=True))
        config = os.path.join(self.dir, "prometheus.yml")
        with open(config, "w") as f:
            f.write("rule_files:\n" if rule_files else "scrape_configs: []\n")
            for path in rule_files:
                f.write(f"  - {json.dumps(os.path.abspath(path))}\n")
        self.log_path = os.path.join(self.dir, "prometheus.log")
        self.proc = None
        cleanup.push("prometheus process", self.stop)
        for _ in range(3):  # another process may take the port first
            port = _free_port()
            self.url = f"http://127.0.0.1:{port}"
            with open(self.log_path, "w") as log:
                self.proc = subprocess.Popen(
                    [binary, f"--config.file={config}",
                     f"--storage.tsdb.path={os.path.join(self.dir, 'data')}",
                     f"--web.listen-address=127.0.0.1:{port}"],
                    stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            if self._wait_ready(timeout):
                return
            if "address already in use" not in self.logs():
                break
        self.stop()
        raise RuntimeError("prometheus did not start:\n" + self.logs())

    def _wait_ready(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                with urllib.request.urlopen(self.url + "/-/ready", timeout=2) as r:
                    if r.status == 200:
                        return True
            except (urllib.error.URLError, ConnectionError):
                pass
            time.sleep(0.1)
        return False

    def logs(self):
        with open(self.log_path) as f:
            return f.read()

    def api(self, path, **params):
        """The decoded JSON answer of /api/v1/<path>, errors included:
        {"status": "error", "errorType": "bad_data", "error": "..."}."""
        url = f"{self.url}/api/v1/{path}?{urllib.parse.urlencode(params)}"
        try:
            with urllib.request.urlopen(url, timeout=30) as r:
                return json.load(r)
        except urllib.error.HTTPError as e:  # 400 bad_data, 422 execution
            return json.load(e)

    def parse_error(self, expr):
        """None when Prometheus accepts `expr` as a query, else its error."""
        answer = self.api("query", query=expr, time="0")
        if answer.get("errorType") == "bad_data":
            return answer.get("error", "bad_data")
        return None

    def stop(self):
        if self.proc is not None:
            harness.stop_process(self.proc)
