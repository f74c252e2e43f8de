#!/usr/bin/env python3
"""The container images of tools/build-images.sh, built from the binaries
Bazel built for this test: tagged as deploy/k8s pins them, configured as
the manifests run them (entrypoint, user), exported as docker-archive
tarballs `docker load` and `ctr images import` accept, reproducible, and
complete: each image is unpacked with umoci and its binaries run inside
the unpacked root filesystem with chroot, the controller as its image's
non-root user answering gRPC from the host's mfrctl.

Needs umoci and skopeo (tools/install-deps.sh): without them the test
fails and names the fix. Building works without root (umoci rootless);
running the images needs chroot, so those tests skip without root.
"""
import filecmp
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))  # not resolved: runfiles
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
import harness  # noqa: E402  (cleanup on SIGTERM, JUnit report)

try:
    import yaml
except ImportError:
    yaml = None

RUNFILES = os.path.dirname(os.path.dirname(HERE))
SCRIPT = os.path.join(RUNFILES, "tools", "build-images.sh")
# image name -> the deploy/k8s workload that runs it, as the kustomization
# names it
MANIFESTS = {
    "mfr/agent": "agent/daemonset.yaml",
    "mfr/controller": "controller/statefulset.yaml",
}
K8S = os.path.join(RUNFILES, "deploy", "k8s")
BINARIES = {
    "mfr-agent": "agent/mfr-agent",
    "mfr-controller": "controller/mfr-controller",
    "mfrctl": "cli/mfrctl",
}
# The build host's architecture, named as OCI names it.
ARCH = {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), platform.machine())
EPOCH = 1700000000
CREATED = "2023-11-14T22:13:20Z"  # EPOCH in RFC 3339
SOURCE = "https://example.invalid/mfr"
INSTALL_HINT = "run tools/install-deps.sh (as root)"
KERNEL_LINE = ("[  7.123456] blk_update_request: critical medium error, dev sdc, "
               "sector 16 op 0x0:(READ) flags 0x0 phys_seg 1 prio class 0\n")


def run(cmd, **kwargs):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, **kwargs)


def build(out, binaries):
    """tools/build-images.sh into `out` from the runfiles' binaries."""
    env = dict(os.environ, SOURCE_DATE_EPOCH=str(EPOCH))
    p = run(["bash", SCRIPT, f"--out={out}", f"--binaries-from={binaries}",
             f"--source={SOURCE}"], env=env)
    if p.returncode != 0:
        raise AssertionError(f"build-images.sh failed ({p.returncode}): "
                             f"{p.stdout}{p.stderr}")
    return p


def workload_container(path):
    """(document, its one container) of a deploy/k8s workload file."""
    with open(os.path.join(K8S, path)) as f:
        doc = yaml.safe_load(f)
    containers = doc["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1, path
    return doc, containers[0]


class Layout:
    """Read access to an OCI image layout directory."""

    def __init__(self, path):
        self.path = path
        with open(os.path.join(path, "index.json")) as f:
            self.index = json.load(f)

    def blob(self, digest):
        algorithm, hexdigest = digest.split(":")
        with open(os.path.join(self.path, "blobs", algorithm, hexdigest)) as f:
            return json.load(f)

    def refs(self):
        return {m["annotations"]["org.opencontainers.image.ref.name"]: m["digest"]
                for m in self.index["manifests"]}

    def manifest(self, ref):
        return self.blob(self.refs()[ref])

    def config(self, ref):
        return self.blob(self.manifest(ref)["config"]["digest"])


class ImagesTest(harness.LiveTestCase):
    needs = staticmethod(lambda: None)  # missing tools fail, never skip

    @classmethod
    def set_up_class(cls):
        for tool in ("umoci", "skopeo"):
            if shutil.which(tool) is None:
                raise AssertionError(f"{tool} is not installed: {INSTALL_HINT}")
        if yaml is None:
            raise AssertionError(f"python3-yaml is not installed: {INSTALL_HINT}")
        cls.tmp = tempfile.mkdtemp(prefix="mfr-images-test-")
        cls.cleanup.push("temp dir", lambda: shutil.rmtree(cls.tmp, ignore_errors=True))
        # The binaries Bazel built for this test, as one flat directory.
        cls.binaries = os.path.join(cls.tmp, "bin")
        os.mkdir(cls.binaries)
        for name, path in BINARIES.items():
            os.symlink(harness.runfile(path), os.path.join(cls.binaries, name))
        cls.version = run([harness.runfile(BINARIES["mfr-agent"]),
                           "--version"]).stdout.split()[-1]
        cls.out = os.path.join(cls.tmp, "images")
        cls.build_output = build(cls.out, cls.binaries).stdout
        cls.layout = Layout(os.path.join(cls.out, "oci"))
        cls.bundles = {}

    def ref(self, image):
        return f"{image}:{self.version}"

    def unpack(self, image):
        """The image's root filesystem, unpacked by umoci (once)."""
        if image not in self.bundles:
            bundle = os.path.join(self.tmp, "bundle-" + image.replace("/", "-"))
            p = run(["umoci", "unpack", "--image",
                     f"{self.layout.path}:{self.ref(image)}", bundle])
            self.assertEqual(p.returncode, 0, p.stderr)
            self.bundles[image] = os.path.join(bundle, "rootfs")
        return self.bundles[image]

    def in_image(self, image, *argv, userspec=None, **kwargs):
        """Popen arguments running argv in the unpacked image with chroot,
        as the image's user and with only the image's environment."""
        config = self.layout.config(self.ref(image))["config"]
        user = ["--userspec=" + (userspec or config["User"])]
        env = dict(e.split("=", 1) for e in config.get("Env", []))
        return dict(args=[shutil.which("chroot"), *user, self.unpack(image), *argv],
                    env=env, **kwargs)

    def run_in_image(self, image, *argv, **kwargs):
        p = subprocess.run(**self.in_image(image, *argv, capture_output=True,
                                           text=True, timeout=60, **kwargs))
        self.assertEqual(p.returncode, 0, f"{argv} in {image}: {p.stdout}{p.stderr}")
        return p.stdout

    def skip_without_root(self):
        if os.geteuid() != 0:
            self.skipTest("needs root: chroot into the unpacked images")

    # ---- what the layout and the archives hold ----------------------------

    def test_tags_are_the_ones_deploy_k8s_pins(self):
        with open(os.path.join(K8S, "kustomization.yaml")) as f:
            kustomization = yaml.safe_load(f)
        self.assertNotIn("images", kustomization, "the kustomization retags images")
        pinned = set()
        for image, path in MANIFESTS.items():
            self.assertIn(path, kustomization["resources"])
            _, container = workload_container(path)
            pinned.add(container["image"])
            self.assertEqual(container["image"].rsplit(":", 1)[0], image, path)
        self.assertEqual(set(self.layout.refs()), pinned)
        self.assertEqual(pinned, {self.ref(image) for image in MANIFESTS})

    def test_configs_run_as_the_manifests_expect(self):
        for image, path in MANIFESTS.items():
            doc, container = workload_container(path)
            config = self.layout.config(self.ref(image))
            name = image.split("/")[1]
            self.assertEqual((config["os"], config["architecture"]), ("linux", ARCH))
            self.assertEqual(config["created"], CREATED)
            self.assertTrue(all(h["created"] == CREATED for h in config["history"]))
            c = config["config"]
            # The manifests give args only: the image's entrypoint runs.
            self.assertNotIn("command", container, path)
            self.assertEqual(c["Entrypoint"], [f"/usr/bin/mfr-{name}"])
            self.assertNotIn("Cmd", c)
            labels = c["Labels"]
            self.assertEqual(labels["org.opencontainers.image.version"], self.version)
            self.assertEqual(labels["org.opencontainers.image.source"], SOURCE)
            self.assertEqual(labels["org.opencontainers.image.title"], f"mfr-{name}")
            self.assertIn("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                          c["Env"])
            pod = doc["spec"]["template"]["spec"]
            user = {**pod.get("securityContext", {}), **container.get("securityContext", {})}
            if image == "mfr/agent":
                self.assertEqual(c["User"], "0:0")  # privileged: see the manifest
                self.assertEqual(user["runAsUser"], 0)
                self.assertEqual(c["WorkingDir"], "/")
                self.assertEqual(set(c["ExposedPorts"]), {"7413/tcp"})
            else:
                self.assertEqual(c["User"], f"{user['runAsUser']}:{user['runAsGroup']}")
                self.assertTrue(user["runAsNonRoot"])
                self.assertEqual(c["User"], "65532:65532")
                self.assertEqual(c["WorkingDir"], "/var/lib/mfr-controller")
                self.assertEqual(set(c["ExposedPorts"]), {"7411/tcp", "7412/tcp"})

    def test_images_share_the_library_layer(self):
        agent, controller = (self.layout.manifest(self.ref(i))["layers"] for i in MANIFESTS)
        self.assertEqual((len(agent), len(controller)), (2, 2))
        self.assertEqual(agent[0]["digest"], controller[0]["digest"])

    def test_docker_archives_name_the_images(self):
        for image in MANIFESTS:
            name = image.split("/")[1]
            path = os.path.join(self.out, f"mfr-{name}-{self.version}.tar")
            with tarfile.open(path) as archive:
                manifest = json.load(archive.extractfile("manifest.json"))
                self.assertEqual(len(manifest), 1)
                entry = manifest[0]
                # docker.io/mfr/agent:0.1.0 is what the kubelet asks
                # containerd for when a pod says mfr/agent:0.1.0.
                self.assertEqual(entry["RepoTags"], [f"docker.io/{self.ref(image)}"])
                config = json.load(archive.extractfile(entry["Config"]))
                names = set(archive.getnames())
                for layer in entry["Layers"]:
                    self.assertIn(layer, names)
            oci_config = self.layout.config(self.ref(image))
            self.assertEqual(config["rootfs"]["diff_ids"], oci_config["rootfs"]["diff_ids"])
            self.assertEqual(config["config"]["Entrypoint"],
                             oci_config["config"]["Entrypoint"])
            self.assertEqual(config["config"]["User"], oci_config["config"]["User"])

    def test_build_is_reproducible(self):
        again = os.path.join(self.tmp, "again")
        build(again, self.binaries)
        self.assertEqual(Layout(os.path.join(again, "oci")).refs(), self.layout.refs())
        for image in MANIFESTS:
            name = f"mfr-{image.split('/')[1]}-{self.version}.tar"
            self.assertTrue(filecmp.cmp(os.path.join(self.out, name),
                                        os.path.join(again, name), shallow=False),
                            f"{name} differs between builds")
        shutil.rmtree(again)

    def test_bad_arguments_are_one_line_and_exit_2(self):
        for args in (["--frobnicate"], ["--out="], ["--tag=no/slash"]):
            p = run(["bash", SCRIPT, *args])
            self.assertEqual(p.returncode, 2, (args, p.stderr))
            self.assertEqual(len(p.stderr.splitlines()), 1, (args, p.stderr))
        p = run(["bash", SCRIPT, "--help"])
        self.assertEqual(p.returncode, 0)
        self.assertIn("usage:", p.stdout)

    # ---- the images run ---------------------------------------------------

    def test_agent_runs_in_its_image(self):
        self.skip_without_root()
        out = self.run_in_image("mfr/agent", "/usr/bin/mfr-agent", "--version")
        self.assertEqual(out.strip(), f"mfr-agent {self.version}")
        out = self.run_in_image("mfr/agent", "/usr/bin/mfr-agent", "parse-log", "--json",
                                input=KERNEL_LINE)
        parsed = json.loads(out)
        self.assertEqual((parsed["device"], parsed["offsetBytes"]), ("sdc", 8192))
        # The scrub action's popen(): /bin/sh finding xfs_scrub on the PATH.
        out = self.run_in_image("mfr/agent", "/bin/sh", "-c", "xfs_scrub -V")
        self.assertIn("xfs_scrub version", out)

    def test_controller_serves_grpc_from_its_image(self):
        self.skip_without_root()
        rootfs = self.unpack("mfr/controller")
        with open(os.path.join(rootfs, "etc", "passwd")) as f:
            self.assertIn("mfr:x:65532:65532:", f.read())
        data_dir = os.stat(os.path.join(rootfs, "var", "lib", "mfr-controller"))
        self.assertEqual((data_dir.st_uid, data_dir.st_gid), (65532, 65532))
        out = self.run_in_image("mfr/controller", "/usr/bin/mfr-controller", "--version")
        self.assertEqual(out.strip(), f"mfr-controller {self.version}")

        cleanup = harness.Cleanup()
        self.addCleanup(cleanup.run_all)
        log_path = os.path.join(self.tmp, "controller.log")
        log = open(log_path, "w+")
        cleanup.push("controller log", log.close)
        proc = subprocess.Popen(**self.in_image(
            "mfr/controller", "/usr/bin/mfr-controller", "--db=/tmp/db",
            "--listen=127.0.0.1:0", stdout=subprocess.PIPE, stderr=log, text=True))
        cleanup.push("controller in the image", lambda: harness.stop_process(proc))
        line = proc.stdout.readline()
        m = re.search(r"listening on port (\d+)", line)
        if not m:
            log.flush()
            self.fail(f"controller did not start in its image: {line}"
                      f"{open(log_path).read()}")
        address = f"127.0.0.1:{m.group(1)}"
        # The host's mfrctl, and the one in the image.
        for argv in ([harness.runfile(BINARIES["mfrctl"])], None):
            args = [f"--controller={address}", "--timeout-seconds=10", "hosts"]
            if argv is None:
                out = self.run_in_image("mfr/controller", "/usr/bin/mfrctl", *args)
            else:
                p = run([*argv, *args])
                self.assertEqual(p.returncode, 0, p.stderr)
                out = p.stdout
            self.assertTrue(out.startswith("HOST"), out)
        # The database belongs to the image's non-root user.
        db = os.stat(os.path.join(rootfs, "tmp", "db", "CURRENT"))
        self.assertEqual((db.st_uid, db.st_gid), (65532, 65532))
        proc.terminate()
        self.assertEqual(proc.wait(timeout=30), 0)


if __name__ == "__main__":
    harness.main()
