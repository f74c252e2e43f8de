#!/usr/bin/env python3
"""The contract check finds what a rule or panel could get wrong, and
reads deploy/METRICS.md as written. Pure: no Prometheus needed."""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..", "integration")]
import harness  # noqa: E402  (JUnit report)
import promql_contract  # noqa: E402

METRICS_MD = """
Label values:
- `state`: `open`, `data_lost`, `resolved`
- `kind` (reports): `io`, `medium`

| metric | type | labels | meaning |
|---|---|---|---|
| `mfr_agent_outbox_reports` | gauge | | waiting |
| `mfr_agent_kmsg_ignored_total` | counter | reason (`not_kernel`, `corrected`) | ignored |
| `mfr_controller_affected_files` | gauge | host, state | files |
| `mfr_controller_actions_total` | counter | action, outcome | results |
| `mfr_controller_latency_seconds` | histogram | action | latency |
"""


class ContractTest(unittest.TestCase):
    def setUp(self):
        self.contract = promql_contract.parse_metrics_md(METRICS_MD)

    def check(self, expr):
        return promql_contract.problems(expr, self.contract)

    def test_reads_tables_and_value_lists(self):
        m = self.contract.metrics
        self.assertEqual(m["mfr_controller_affected_files"], {"host", "state", "job", "instance"})
        self.assertEqual(m["mfr_agent_outbox_reports"], {"host", "job", "instance"})
        self.assertEqual(m["mfr_agent_kmsg_ignored_total"], {"reason", "host", "job", "instance"})
        self.assertIn("le", m["mfr_controller_latency_seconds_bucket"])
        self.assertIn("mfr_controller_latency_seconds_count", m)
        self.assertIn("up", m)
        self.assertEqual(self.contract.label_values["state"], {"open", "data_lost", "resolved"})
        self.assertEqual(self.contract.label_values["kind"], {"io", "medium"})
        self.assertEqual(self.contract.label_values["reason"], {"not_kernel", "corrected"})

    def test_expressions_that_keep_the_contract(self):
        for expr in [
            'sum by (host) (mfr_controller_affected_files{state=~"data_lost|open"}) > 0',
            'sum(mfr_controller_affected_files) by (state)',
            'mfr_controller_affected_files{state!="resolved", host=~"h.*"}',
            'histogram_quantile(0.99, sum by (le, action) '
            '(rate(mfr_controller_latency_seconds_bucket[5m])))',
            'up{job="mfr-agent"} == 0 or on (host) (time() - max by (host) '
            '(mfr_controller_affected_files offset 1h)) > 2 * 3600',
            'increase(mfr_agent_kmsg_ignored_total{reason="corrected"}[1h:5m])',
            'mfr_agent_outbox_reports / on (instance) group_left '
            'mfr_controller_actions_total',
            'label_replace(mfr_controller_actions_total, "node", "$1", "instance", "(.*)")'
            ' and on (node) up',
            'sum without (state) (mfr_controller_affected_files)',
            '{__name__="mfr_agent_outbox_reports"}',
        ]:
            self.assertEqual(self.check(expr), [], expr)

    def test_expressions_that_break_it(self):
        cases = [
            ("mfr_controller_affected_file", "not in deploy/METRICS.md"),
            ('{__name__=~"mfr_.*"}', "without a metric name"),
            ('mfr_controller_actions_total{host="h1"}', "has no label 'host'"),
            ('mfr_controller_affected_files{state="lost"}', "'lost' is not a state value"),
            ('mfr_controller_affected_files{state=~"open|gone"}', "'gone' is not a state"),
            ('mfr_controller_affected_files{state!="dataloss"}', "'dataloss'"),
            ('sum by (host) (rate(mfr_controller_actions_total[5m]))',
             "groups or matches on 'host'"),
            ('mfr_agent_kmsg_ignored_total{reason="noise"}', "'noise' is not a reason"),
            ('mfr_controller_affected_files{state=', "cannot read"),
        ]
        for expr, expected in cases:
            found = self.check(expr)
            self.assertTrue(any(expected in p for p in found), (expr, found))

    def test_a_real_regex_is_not_judged(self):
        self.assertEqual(self.check('mfr_controller_affected_files{state=~"data_.*"}'), [])

    def test_the_real_contract_has_every_metric(self):
        with open(os.path.join("deploy", "METRICS.md")) as f:
            contract = promql_contract.parse_metrics_md(f.read())
        self.assertGreaterEqual(len(contract.metrics), 40)
        self.assertIn("mfr_controller_action_dispatch_latency_seconds_bucket", contract.metrics)
        self.assertEqual(contract.label_values["outcome"],
                         {"done", "dry_run", "not_applicable", "stale", "failed"})


if __name__ == "__main__":
    harness.main()
