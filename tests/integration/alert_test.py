"""The data-loss alert fires for real, end to end, as root: faulty disk ->
loop device -> XFS; a real mfr-controller and mfr-agent, both scraped by a
real Prometheus (Debian's `prometheus`) that evaluates
deploy/prometheus/mfr-rules.yml and sends to a real Alertmanager (Debian's
`prometheus-alertmanager`), which posts to a webhook receiver in this test.

A page of a file that is not in the page cache is marked bad on the faulty
disk and reported with `mfrctl report`: the incident ends DATA_LOST, and
MfrDataLost must reach the webhook as `firing` with the host's label;
`mfrctl resolve` must then bring the same alert to the webhook as
`resolved`. The test prints how long each took.

Everything listens on loopback only, with 1 s scrape and evaluation
intervals and 1 s Alertmanager group timers. Every process, mount and loop
device is undone by the harness.Cleanup stack, also on failure or Bazel's
SIGTERM. Without root or FUSE the test skips and says why; without
prometheus or prometheus-alertmanager it fails and says how to get them
(CI installs them: tools/install-deps.sh)."""
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.append(os.path.join(HERE, "..", "deploy"))
import harness  # noqa: E402
import prometheus_server  # noqa: E402  (tests/deploy: a real Prometheus)
from recovery_test import drop_caches, physical  # noqa: E402

HOST = "alert-host"
FILE = "lost.dat"
FILE_BYTES = 1 << 20
PAGE = 4096
AT = 256 << 10          # the in-file offset of the page that is lost
LOOP_NUMBER_FROM = 128  # far from `losetup -f` and the other tests' devices
RULES = "deploy/prometheus/mfr-rules.yml"
ALERT = "MfrDataLost"
WAIT_SECONDS = 60


class Webhook:
    """An Alertmanager webhook receiver on a loopback port: records every
    payload with the time.monotonic() it arrived."""

    def __init__(self, cleanup):
        self.payloads = []  # (monotonic seconds, decoded JSON)
        self.lock = threading.Lock()
        hook = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                arrived = time.monotonic()
                try:
                    payload = json.loads(body)
                except ValueError:
                    payload = {"undecodable": body.decode(errors="replace")}
                with hook.lock:
                    hook.payloads.append((arrived, payload))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/alerts"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        cleanup.push("webhook receiver", self.stop)

    def alerts(self):
        """(arrival time, alert) of every alert received so far, in order."""
        with self.lock:
            return [(t, a) for t, p in self.payloads for a in p.get("alerts", [])]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


class Alertmanager(prometheus_server.LoopbackDaemon):
    """A real Alertmanager on a loopback port, clustering off, its state and
    log in a temporary directory; every alert goes to `webhook_url`."""

    @staticmethod
    def require():
        """The binary's path, or an AssertionError that says how to get it."""
        return prometheus_server.require("prometheus-alertmanager",
                                         "prometheus-alertmanager")

    def __init__(self, cleanup, webhook_url, timeout=30.0):
        config = f"""\
route:
  receiver: webhook
  group_by: [alertname, host]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 10s
receivers:
  - name: webhook
    webhook_configs:
      - url: {json.dumps(webhook_url)}
        send_resolved: true
"""
        super().__init__(
            cleanup, "alertmanager", self.require(), config,
            lambda config_path, data, address: [
                f"--config.file={config_path}", f"--storage.path={data}",
                f"--web.listen-address={address}", "--cluster.listen-address="],
            timeout)

    def alerts(self):
        with urllib.request.urlopen(f"{self.url}/api/v2/alerts", timeout=10) as r:
            return json.load(r)


def prometheus_config(controller_metrics, agent_metrics, alertmanager):
    """Loopback scrapes every second of the controller and of the agent (its
    target labelled with the node name, RUNBOOK.md "Scrape conventions"),
    the mfr rules evaluated every second, alerts to `alertmanager`."""
    return f"""\
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files:
  - {json.dumps(os.path.abspath(RULES))}
alerting:
  alertmanagers:
    - static_configs:
        - targets: [{json.dumps(alertmanager)}]
scrape_configs:
  - job_name: mfr-controller
    static_configs:
      - targets: [{json.dumps(controller_metrics)}]
  - job_name: mfr-agent
    static_configs:
      - targets: [{json.dumps(agent_metrics)}]
        labels:
          host: {json.dumps(HOST)}
"""


class DataLostAlertTest(harness.LiveTestCase):
    needs = staticmethod(harness.why_no_fuse)

    @classmethod
    def set_up_class(cls):
        prometheus_server.require("prometheus")  # each fails and says how to get it
        Alertmanager.require()
        cls.start_everything()

    @classmethod
    def start_everything(cls):
        cleanup = cls.cleanup
        # Storage: faulty disk -> loop device -> XFS, one synced file.
        cls.disk, cls.mount, cls.device = (
            harness.make_xfs_on_faulty_disk(cleanup, LOOP_NUMBER_FROM))
        cls.path = os.path.join(cls.mount, FILE)
        with open(cls.path, "wb") as f:
            f.write(os.urandom(FILE_BYTES))
            os.fsync(f.fileno())
        drop_caches()

        # mfr: a controller and an agent, both with a metrics port.
        cls.controller_metrics = f"127.0.0.1:{harness.free_port()}"
        cls.agent_metrics = f"127.0.0.1:{harness.free_port()}"
        cls.controller = harness.Controller(
            cleanup, [f"--metrics-listen={cls.controller_metrics}"])
        cls.state = tempfile.mkdtemp(prefix="mfr-agent-state-")
        cleanup.push("agent state", lambda: shutil.rmtree(cls.state, ignore_errors=True))
        harness.resume_kmsg_from_now(cls.state)
        cls.agent_log = open(cls.state + ".log", "w+")
        cleanup.push("agent log", lambda: (cls.agent_log.close(), os.unlink(cls.agent_log.name)))
        cls.agent = subprocess.Popen(
            [harness.runfile("agent/mfr-agent"), "run",
             f"--controller={cls.controller.address}", f"--host={HOST}",
             f"--mounts={cls.mount}", f"--state-dir={cls.state}",
             "--interval-seconds=3600", f"--metrics-listen={cls.agent_metrics}"],
            stdout=cls.agent_log, stderr=subprocess.STDOUT)
        cleanup.push("agent process", cls.stop_agent)
        cls.wait_for(lambda: "snapshot " in cls.agent_text() and "records" in cls.agent_text(),
                     "the agent's first snapshot")

        # Alerting: webhook <- Alertmanager <- Prometheus.
        cls.webhook = Webhook(cleanup)
        cls.alertmanager = Alertmanager(cleanup, cls.webhook.url)
        cls.prometheus = prometheus_server.PrometheusServer(
            cleanup, config=prometheus_config(cls.controller_metrics, cls.agent_metrics,
                                              cls.alertmanager.address))
        cls.wait_for(cls.targets_up, "Prometheus to scrape the controller and the agent")
        cls.wait_for(lambda: cls.prometheus.api("alertmanagers")["data"]["activeAlertmanagers"],
                     "Prometheus to know the Alertmanager")

    @classmethod
    def stop_agent(cls):
        harness.stop_process(cls.agent)

    @classmethod
    def targets_up(cls):
        """True once both jobs are up, the agent's with its host label, and
        the rules run every second (the reloaded configuration)."""
        groups = cls.prometheus.api("rules").get("data", {}).get("groups", [])
        if not groups or any(g["interval"] != 1 for g in groups):
            return False
        up = cls.prometheus.api("query", query="up == 1")["data"]["result"]
        jobs = {(s["metric"]["job"], s["metric"].get("host")) for s in up}
        return {("mfr-controller", None), ("mfr-agent", HOST)} <= jobs

    @classmethod
    def agent_text(cls):
        cls.agent_log.flush()
        with open(cls.agent_log.name) as f:
            return f.read()

    @classmethod
    def diagnostics(cls):
        parts = [f"agent:\n{cls.agent_text()}", f"controller:\n{cls.controller.logs()}"]
        for name in ("webhook", "alertmanager", "prometheus"):
            if not hasattr(cls, name):
                continue
            try:
                if name == "webhook":
                    with cls.webhook.lock:
                        parts.append(f"webhook payloads:\n{json.dumps(cls.webhook.payloads)}")
                elif name == "alertmanager":
                    parts.append(f"alertmanager alerts:\n{json.dumps(cls.alertmanager.alerts())}")
                    parts.append(f"alertmanager log:\n{cls.alertmanager.logs()}")
                else:
                    parts.append(f"prometheus alerts:\n{json.dumps(cls.prometheus.api('alerts'))}")
                    parts.append(f"prometheus log:\n{cls.prometheus.logs()}")
            except Exception as e:  # a dead process: say so, keep the rest
                parts.append(f"{name}: {e!r}")
        return "\n".join(parts)

    @classmethod
    def wait_for(cls, predicate, what, seconds=WAIT_SECONDS):
        value = harness.poll(predicate, seconds)
        if value:
            return value
        raise AssertionError(f"timed out after {seconds} s waiting for {what}\n"
                             f"{cls.diagnostics()}")

    def delivered(self, status, after):
        """The first MfrDataLost alert for HOST with `status` that reached
        the webhook at or after `after`, with its arrival time."""
        for arrived, alert in self.webhook.alerts():
            labels = alert.get("labels", {})
            if (arrived >= after and alert.get("status") == status
                    and labels.get("alertname") == ALERT and labels.get("host") == HOST):
                return arrived, alert
        return None

    def test_data_loss_alert_fires_and_resolves(self):
        start = physical(self.path, AT)
        self.disk.mark_bad(start, PAGE)
        self.addCleanup(self.disk.heal, start, PAGE)
        self.assertIsNone(self.delivered("firing", 0), "no data loss yet")

        reported = time.monotonic()
        incident_id = harness.mfrctl(
            self.controller, "report", f"--host={HOST}", f"--device={self.device}",
            f"--offset={start}", f"--length={PAGE}", "--json")["incidentId"]

        def data_lost():
            state = harness.mfrctl(self.controller, "incident", incident_id, "--json")["state"]
            return state == "INCIDENT_STATE_DATA_LOST"
        self.wait_for(data_lost, f"{incident_id} to be DATA_LOST")
        lost_after = time.monotonic() - reported

        fired, alert = self.wait_for(lambda: self.delivered("firing", reported),
                                     f"{ALERT} firing at the webhook")
        self.assertEqual(alert["labels"]["severity"], "critical")
        self.assertIn(HOST, alert["annotations"]["summary"])
        self.assertEqual(alert["annotations"]["runbook_url"], "deploy/RUNBOOK.md#mfrdatalost")
        # The agent's series carry the host from the scrape configuration.
        lost_bytes = self.prometheus.api(
            "query", query=f'mfr_agent_lost_bytes_total{{job="mfr-agent",host="{HOST}"}}')
        self.assertGreaterEqual(float(lost_bytes["data"]["result"][0]["value"][1]), PAGE,
                                lost_bytes)

        resolving = time.monotonic()
        harness.mfrctl(self.controller, "resolve", incident_id, "--operator=alert_test",
                       "--comment=restored from backup")
        resolved, ended = self.wait_for(lambda: self.delivered("resolved", resolving),
                                        f"{ALERT} resolved at the webhook")
        self.assertEqual(ended["fingerprint"], alert["fingerprint"], "the same alert")
        self.assertEqual(ended["labels"], alert["labels"])

        print(f"\n{ALERT} for {HOST}: report -> DATA_LOST {lost_after:.2f} s, "
              f"report -> firing at the webhook {fired - reported:.2f} s, "
              f"resolve -> resolved at the webhook {resolved - resolving:.2f} s")


if __name__ == "__main__":
    harness.main()
