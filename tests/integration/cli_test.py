"""Every binary explains itself with --help and rejects bad input with one
clear line and a non-zero exit. Needs no root."""
import json
import subprocess
import unittest

import harness

BINARIES = {
    "mfr-controller": "controller/mfr-controller",
    "mfr-agent": "agent/mfr-agent",
    "mfrctl": "cli/mfrctl",
}


def run(name, *args):
    return subprocess.run([harness.runfile(BINARIES[name]), *args],
                          capture_output=True, text=True, timeout=30)


class CliTest(unittest.TestCase):
    def test_help_and_version(self):
        for name in BINARIES:
            p = run(name, "--help")
            self.assertEqual(p.returncode, 0, name)
            self.assertIn("usage:", p.stdout, name)
            self.assertIn("--", p.stdout, name)
            p = run(name, "--version")
            self.assertEqual((p.returncode, p.stdout.split()[0]), (0, name))

    def test_bad_input_is_one_clear_line(self):
        cases = [
            ("mfr-controller", ["--no-such-flag"], "unknown flag --no-such-flag"),
            ("mfr-controller", [], "--db is required"),
            ("mfr-agent", [], "give a command"),
            ("mfr-agent", ["snapshot"], "at least one mount point"),
            ("mfr-agent", ["run", "--interval-seconds=soon"], "--interval-seconds"),
            ("mfrctl", ["frobnicate"], "unknown command"),
            ("mfrctl", ["query-range", "--host=h"], "--offset is required"),
            ("mfrctl", ["query-range", "--host=h", "--offset=0", "--length=x"],
             "--length must be a non-negative integer"),
        ]
        for name, args, message in cases:
            p = run(name, *args)
            self.assertEqual(p.returncode, 2, (name, args, p.stderr))
            lines = [l for l in p.stderr.splitlines() if not l.startswith("WARNING")]
            self.assertEqual(len(lines), 1, (name, args, p.stderr))
            self.assertIn(message, lines[0], (name, args))

    def test_parse_log_reads_stdin_and_prints_json(self):
        line = ("[  7.123456] blk_update_request: critical medium error, dev sdc, "
                "sector 16 op 0x0:(READ) flags 0x0 phys_seg 1 prio class 0\n")
        p = subprocess.run([harness.runfile(BINARIES["mfr-agent"]), "parse-log", "--json"],
                           input=line, capture_output=True, text=True, timeout=30)
        self.assertEqual(p.returncode, 0, p.stderr)
        result = json.loads(p.stdout)
        self.assertEqual((result["device"], result["offsetBytes"], result["kind"]),
                         ("sdc", 8192, "medium"))
        self.assertFalse(result["lengthExact"])

    def test_unreachable_controller(self):
        p = run("mfrctl", "--controller=127.0.0.1:1", "--timeout-seconds=5", "hosts")
        self.assertEqual(p.returncode, 1)
        self.assertIn("UNAVAILABLE", p.stderr)


if __name__ == "__main__":
    harness.main()
