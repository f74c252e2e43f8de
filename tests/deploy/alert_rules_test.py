#!/usr/bin/env python3
"""deploy/prometheus/mfr-rules.yml as a real Prometheus loads it: the
alerts issue 5 asks for, each with its severity, summary, description and
a runbook_url that lands on a section of deploy/RUNBOOK.md; expressions
that keep to deploy/METRICS.md; and promtool unit tests that see every
alert both fire and stay quiet. (`promtool check rules` and `promtool test
rules` themselves are the sh_tests next to this one.)"""
import os
import re
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..", "integration")]
import harness  # noqa: E402  (cleanup on SIGTERM, JUnit report)
import promql_contract  # noqa: E402
from prometheus_server import PrometheusServer  # noqa: E402

RULES = "deploy/prometheus/mfr-rules.yml"
RULE_TESTS = "deploy/prometheus/mfr-rules_test.yml"
RUNBOOK = "deploy/RUNBOOK.md"

SEVERITIES = {
    "MfrDataLost": "critical",
    "MfrFilesystemMetadataDamaged": "critical",
    "MfrRecoveryActionFailed": "warning",
    "MfrUnmappedCorruption": "warning",
    "MfrAgentDown": "warning",
    "MfrSnapshotStale": "warning",
    "MfrOutboxBackingUp": "warning",
    "MfrKillStorm": "warning",
    "MfrControllerDown": "critical",
}


def read(path):
    with open(path) as f:
        return f.read()


def anchors(markdown):
    """GitHub's anchors of the headings of `markdown`."""
    found = set()
    for m in re.finditer(r"^#{1,6}\s+(.+?)\s*$", markdown, re.MULTILINE):
        slug = re.sub(r"[^\w\- ]", "", m.group(1).lower()).replace(" ", "-")
        found.add(slug)
    return found


class AlertRulesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cleanup = harness.Cleanup()
        try:
            server = PrometheusServer(cls.cleanup, rule_files=[RULES])
            cls.groups = server.api("rules")["data"]["groups"]
        finally:
            cls.cleanup.run_all()
        cls.alerts = {r["name"]: r for g in cls.groups for r in g["rules"]}

    def test_one_group_mfr_with_every_alert(self):
        self.assertEqual([g["name"] for g in self.groups], ["mfr"])
        self.assertTrue(all(r["type"] == "alerting" for r in self.alerts.values()))
        self.assertEqual(sorted(self.alerts), sorted(SEVERITIES))

    def test_severity_summary_description_and_runbook(self):
        runbook = anchors(read(RUNBOOK))
        for name, rule in self.alerts.items():
            with self.subTest(alert=name):
                self.assertEqual(rule["labels"].get("severity"), SEVERITIES[name])
                notes = rule["annotations"]
                self.assertTrue(notes.get("summary"))
                self.assertTrue(notes.get("description"))
                url = notes.get("runbook_url", "")
                self.assertEqual(url, f"{RUNBOOK}#{name.lower()}")
                self.assertIn(url.split("#")[1], runbook, f"no section {name} in {RUNBOOK}")

    def test_every_runbook_alert_section_is_an_alert(self):
        sections = re.findall(r"^## (Mfr\w+)\s*$", read(RUNBOOK), re.MULTILINE)
        self.assertEqual(sorted(sections), sorted(self.alerts))

    def test_loss_alerts_are_fast(self):
        for name in ("MfrDataLost", "MfrFilesystemMetadataDamaged"):
            self.assertLessEqual(self.alerts[name]["duration"], 60, name)
        self.assertIn("by (host)", self.alerts["MfrDataLost"]["query"])

    def test_expressions_keep_to_metrics_md(self):
        contract = promql_contract.parse_metrics_md(read("deploy/METRICS.md"))
        for name, rule in self.alerts.items():
            with self.subTest(alert=name):
                self.assertEqual(promql_contract.problems(rule["query"], contract), [],
                                 rule["query"])

    def test_unit_tests_see_every_alert_fire_and_stay_quiet(self):
        # Each alert_rule_test case is written as `alertname: X` followed by
        # `exp_alerts: []` (quiet) or `exp_alerts:` and a list (firing).
        cases = re.findall(r"alertname:\s*(\w+)\s*\n\s*exp_alerts:[ \t]*(\[\])?",
                           read(RULE_TESTS))
        self.assertTrue(cases, f"no `alertname:`/`exp_alerts:` pairs in {RULE_TESTS}")
        for name in self.alerts:
            kinds = {"quiet" if empty else "firing" for n, empty in cases if n == name}
            self.assertEqual(kinds, {"firing", "quiet"}, f"{name} in {RULE_TESTS}")


if __name__ == "__main__":
    harness.main()
