#!/usr/bin/env python3
"""deploy/grafana/mfr-dashboard.json: an importable Grafana dashboard
whose data source is the ${DS_PROMETHEUS} input, with a fleet overview and
a drilldown by a `host` variable; every query keeps to deploy/METRICS.md
and is accepted by a real Prometheus (template variables substituted
first)."""
import json
import os
import re
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..", "integration")]
import harness  # noqa: E402  (cleanup on SIGTERM, JUnit report)
import promql_contract  # noqa: E402
from prometheus_server import PrometheusServer  # noqa: E402

DASHBOARD = "deploy/grafana/mfr-dashboard.json"
DATASOURCE = {"type": "prometheus", "uid": "${DS_PROMETHEUS}"}

# What the variables stand for when Prometheus is asked to parse a query.
VARIABLES = {
    "host": "h1",
    "__rate_interval": "5m",
    "__interval": "1m",
    "__range": "6h",
    "__range_s": "21600",
    "__interval_ms": "60000",
}

# The fleet overview shows these (issue 5): incidents by state, files
# lost, hosts with damage, actions by outcome, snapshot freshness, outbox.
OVERVIEW_METRICS = {
    "mfr_controller_incidents",
    "mfr_controller_affected_files",
    "mfr_controller_actions_total",
    "mfr_controller_host_oldest_snapshot_timestamp_seconds",
    "mfr_agent_outbox_reports",
}


def substitute(expr):
    """`expr` with $var, ${var} and [[var]] replaced; KeyError names a
    variable the dashboard does not define."""
    return re.sub(r"\$\{(\w+)\}|\$([A-Za-z_]\w*)|\[\[(\w+)\]\]",
                  lambda m: VARIABLES[next(g for g in m.groups() if g)], expr)


def all_panels(panels):
    for panel in panels:
        yield panel
        yield from all_panels(panel.get("panels", []))


class DashboardTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with open(DASHBOARD) as f:
            cls.dashboard = json.load(f)
        cls.panels = list(all_panels(cls.dashboard["panels"]))
        cls.exprs = [(p["title"], t["expr"]) for p in cls.panels
                     for t in p.get("targets", [])]
        cls.variables = {v["name"]: v for v in cls.dashboard["templating"]["list"]}
        with open("deploy/METRICS.md") as f:
            cls.contract = promql_contract.parse_metrics_md(f.read())

    def test_importable_with_a_prometheus_input(self):
        d = self.dashboard
        self.assertGreaterEqual(d["schemaVersion"], 36)
        self.assertTrue(d["uid"] and d["title"])
        self.assertIn({"name": "DS_PROMETHEUS", "type": "datasource", "pluginId": "prometheus"},
                      [{k: i.get(k) for k in ("name", "type", "pluginId")} for i in d["__inputs"]])
        # Provisioned from a file, where inputs are not asked for, the
        # variable of the same name stands in.
        self.assertEqual(self.variables["DS_PROMETHEUS"]["type"], "datasource")
        self.assertEqual(self.variables["DS_PROMETHEUS"]["query"], "prometheus")

    def test_every_query_uses_the_input(self):
        for panel in self.panels:
            if panel["type"] == "row":
                continue
            with self.subTest(panel=panel["title"]):
                self.assertEqual(panel.get("datasource"), DATASOURCE)
                self.assertTrue(panel.get("targets"))
                for target in panel["targets"]:
                    self.assertEqual(target.get("datasource"), DATASOURCE)
                    self.assertTrue(target.get("expr"))

    def test_panel_ids_are_unique_and_placed(self):
        ids = [p["id"] for p in self.panels]
        self.assertEqual(len(ids), len(set(ids)))
        for panel in self.panels:
            pos = panel["gridPos"]
            self.assertLessEqual(pos["x"] + pos["w"], 24, panel["title"])

    def test_host_variable_and_drilldown(self):
        host = self.variables["host"]
        self.assertEqual(host["type"], "query")
        self.assertEqual(host["datasource"], DATASOURCE)
        m = re.fullmatch(r"label_values\((\w+),\s*host\)", host["query"]["query"])
        self.assertTrue(m, host["query"])
        self.assertEqual(host["definition"], host["query"]["query"])
        self.assertIn("host", self.contract.metrics.get(m.group(1), set()), m.group(1))
        drilldown = [title for title, expr in self.exprs if '"$host"' in expr]
        self.assertGreaterEqual(len(drilldown), 10, drilldown)

    def test_fleet_overview_shows_what_issue_5_asks(self):
        used = {s.name for _, expr in self.exprs
                for s in promql_contract.references(substitute(expr))[0]}
        self.assertEqual(OVERVIEW_METRICS - used, set())

    def test_queries_keep_to_metrics_md(self):
        for title, expr in self.exprs:
            with self.subTest(panel=title):
                self.assertEqual(promql_contract.problems(substitute(expr), self.contract), [], expr)

    def test_prometheus_parses_every_query(self):
        cleanup = harness.Cleanup()
        try:
            server = PrometheusServer(cleanup)
            errors = [f"{title}: {expr}\n  {error}" for title, expr in self.exprs
                      if (error := server.parse_error(substitute(expr)))]
            valid = server.parse_error("sum(up)")
            broken = server.parse_error("sum(up")
        finally:
            cleanup.run_all()
        self.assertEqual(errors, [])
        self.assertIsNone(valid)
        self.assertIsNotNone(broken)  # the check can fail


if __name__ == "__main__":
    harness.main()
