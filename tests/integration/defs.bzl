"""A Python end-to-end test run by the system python3 through run_py.sh."""

BINARIES = [
    "//agent:mfr-agent",
    "//cli:mfrctl",
    "//controller:mfr-controller",
]

def mfr_py_test(name, helpers = ["ground_truth.py"], needs_root = True):
    """Test `name`.py with harness.py, the mfr binaries and `helpers`.

    Tests that need root (loop devices, mounts, /dev/kmsg) run alone and
    outside the sandbox; they skip visibly without root.
    """
    native.sh_test(
        name = name,
        size = "large" if needs_root else "medium",
        srcs = ["run_py.sh"],
        args = ["tests/integration/%s.py" % name],
        data = BINARIES + helpers + ["harness.py", name + ".py"],
        tags = ["exclusive", "local"] if needs_root else [],
    )
