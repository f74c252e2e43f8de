"""A real Prometheus (Debian's `prometheus`) for the deployment checks: it
parses PromQL and loads rule files exactly as production will.

It listens on a loopback port, keeps its TSDB in a temporary directory,
scrapes nothing unless given a configuration, and is stopped by the
harness.Cleanup it was given, also when the test fails or Bazel's timeout
sends SIGTERM. LoopbackDaemon starts the Alertmanager the same way.
"""
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

import harness  # stop_process; the importing test puts it on sys.path

INSTALL_HINT = "run tools/install-deps.sh as root (CI installs it)"


def require(tool, package="prometheus"):
    """The path of `tool`, or an AssertionError that says how to get it."""
    path = shutil.which(tool)
    if path is None:
        raise AssertionError(
            f"{tool} is not installed: {INSTALL_HINT}; it comes with Debian's "
            f"`{package}` package")
    return path


class LoopbackDaemon:
    """A Prometheus-family daemon started at construction: its `config` in
    NAME.yml, its data and log in a fresh temporary directory, listening on
    a free loopback port (retried when another process takes it first),
    ready once /-/ready answers. `args(config_path, data_dir, address)`
    gives its command line after the binary. Stopped by `cleanup`."""

    def __init__(self, cleanup, name, binary, config, args, timeout=30.0):
        self.dir = tempfile.mkdtemp(prefix=f"mfr-{name}-")
        cleanup.push(f"{name} directory", lambda: shutil.rmtree(self.dir, ignore_errors=True))
        config_path = os.path.join(self.dir, f"{name}.yml")
        with open(config_path, "w") as f:
            f.write(config)
        self.log_path = os.path.join(self.dir, f"{name}.log")
        self.proc = None
        cleanup.push(f"{name} process", self.stop)
        for _ in range(3):  # another process may take the port first
            self.address = f"127.0.0.1:{harness.free_port()}"
            self.url = f"http://{self.address}"
            with open(self.log_path, "w") as log:
                self.proc = subprocess.Popen(
                    [binary, *args(config_path, os.path.join(self.dir, "data"), self.address)],
                    stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            if self._wait_ready(timeout):
                return
            if "address already in use" not in self.logs():
                break
        self.stop()
        raise RuntimeError(f"{name} did not start:\n" + self.logs())

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

    def stop(self):
        if self.proc is not None:
            harness.stop_process(self.proc)


class PrometheusServer(LoopbackDaemon):
    """Prometheus with `rule_files` loaded and nothing scraped, or with a
    whole configuration of the caller's (`config`)."""

    def __init__(self, cleanup, rule_files=(), config=None, timeout=30.0):
        if config is None:
            config = "rule_files:\n" if rule_files else "scrape_configs: []\n"
            for path in rule_files:
                config += f"  - {json.dumps(os.path.abspath(path))}\n"
        super().__init__(
            cleanup, "prometheus", require("prometheus"), config,
            lambda config_path, data, address: [
                f"--config.file={config_path}", f"--storage.tsdb.path={data}",
                f"--web.listen-address={address}"],
            timeout)

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
