#!/usr/bin/env python3
"""Counts test cases from Bazel's per-target test.xml files.

Prints one closing line "N passed, N failed, N skipped" and exits 1 when
anything failed or no test ran. A test target without a report (it did not
build, or crashed before writing one) counts as one failure.
"""
import pathlib
import subprocess
import sys
import xml.etree.ElementTree as ET


def test_targets():
    out = subprocess.run(
        ["bazel", "query", "tests(//...)", "--output=label"],
        check=True, capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if line.startswith("//")]


def report_path(label):
    package, name = label[2:].split(":")
    return pathlib.Path("bazel-testlogs") / package / name / "test.xml"


def count_cases(path):
    passed = failed = skipped = 0
    root = ET.parse(path).getroot()
    cases = list(root.iter("testcase"))
    for case in cases:
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
        elif case.find("skipped") is not None or case.get("result") == "skipped":
            skipped += 1
        else:
            passed += 1
    if not cases:  # Bazel's own report for a test without XML output.
        failures = int(root.get("failures", "0")) + int(root.get("errors", "0"))
        if failures:
            failed += 1
        else:
            passed += 1
    return passed, failed, skipped


def main():
    passed = failed = skipped = 0
    for label in test_targets():
        path = report_path(label)
        if not path.exists():
            print(f"no report for {label}: counted as failed")
            failed += 1
            continue
        try:
            p, f, s = count_cases(path)
        except ET.ParseError as e:
            print(f"unreadable report for {label} ({e}): counted as failed")
            p, f, s = 0, 1, 0
        passed, failed, skipped = passed + p, failed + f, skipped + s
        if f:
            print(f"FAILED: {label}")
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
