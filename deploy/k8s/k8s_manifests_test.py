"""deploy/k8s: renders with `kubectl kustomize`, every object passes the
Kubernetes v1.36 and prometheus-operator schemas offline (with strict field
names, as `kubectl apply` checks them), and the project's rules hold.

Needs kubectl, node, python3-yaml and the schema packages that
tools/install-deps.sh installs (npm ci of deploy/k8s/schema into
$MFR_K8S_SCHEMA_DIR, default /opt/mfr/k8s-schema). Nothing is fetched here:
a missing tool or package fails the test and names the install step.
Set KUBECTL to try another kubectl (e.g. Debian's 1.20 and a current one).
"""
import copy
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))  # not resolved: runfiles
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
sys.path.insert(0, HERE)

import generate  # noqa: E402
import harness  # noqa: E402



try:
    import yaml
except ImportError:  # reported by every test, with the fix
    yaml = None

SCHEMA_DIR = os.environ.get("MFR_K8S_SCHEMA_DIR", "/opt/mfr/k8s-schema")
INSTALL_HINT = "run tools/install-deps.sh (as root)"

EXPECTED_OBJECTS = {
    ("Namespace", "mfr"),
    ("ServiceAccount", "mfr-agent"),
    ("DaemonSet", "mfr-agent"),
    ("NetworkPolicy", "mfr-agent"),
    ("PodMonitor", "mfr-agent"),
    ("ServiceAccount", "mfr-controller"),
    ("StatefulSet", "mfr-controller"),
    ("Service", "mfr-controller"),
    ("Service", "mfr-controller-headless"),
    ("PodDisruptionBudget", "mfr-controller"),
    ("NetworkPolicy", "mfr-controller"),
    ("ServiceMonitor", "mfr-controller"),
    ("PrometheusRule", "mfr-rules"),
    ("ConfigMap", "mfr-dashboard"),
}
WORKLOAD_KINDS = {"DaemonSet", "StatefulSet", "Deployment", "ReplicaSet",
                  "Job", "CronJob", "Pod"}


# ---- helpers --------------------------------------------------------------

def tool(name, env_var=None):
    path = os.environ.get(env_var) if env_var else None
    path = path or shutil.which(name)
    if not path:
        raise AssertionError(f"{name} not found on PATH: {INSTALL_HINT}")
    return path


def render():
    """The objects `kubectl kustomize deploy/k8s` prints, and its version.

    Kustomize refuses files reached through symbolic links that lead out of
    the kustomization, and Bazel's runfiles are such links: it renders a
    dereferenced copy.
    """
    kubectl = tool("kubectl", "KUBECTL")
    version = subprocess.run([kubectl, "version", "--client"],
                             capture_output=True, text=True, timeout=60).stdout
    with tempfile.TemporaryDirectory(dir=os.environ.get("TEST_TMPDIR")) as tmp:
        tree = os.path.join(tmp, "k8s")
        shutil.copytree(HERE, tree, symlinks=False,
                        ignore=shutil.ignore_patterns("node_modules", "__pycache__"))
        p = subprocess.run([kubectl, "kustomize", tree],
                           capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        raise AssertionError(f"kubectl kustomize failed:\n{p.stderr}")
    return [o for o in yaml.safe_load_all(p.stdout) if o], version.strip()


def installed_schema_modules():
    """node_modules of the schema packages, checked against the lock file."""
    modules = os.path.join(SCHEMA_DIR, "node_modules")
    with open(os.path.join(HERE, "schema", "package-lock.json")) as f:
        lock = json.load(f)
    for key, entry in lock["packages"].items():
        if not key:
            continue
        manifest = os.path.join(SCHEMA_DIR, key, "package.json")
        try:
            with open(manifest) as f:
                version = json.load(f)["version"]
        except OSError:
            raise AssertionError(f"{key} is not installed in {SCHEMA_DIR}: {INSTALL_HINT}") from None
        if version != entry["version"]:
            raise AssertionError(f"{key} {version} in {SCHEMA_DIR}, the lock file "
                                 f"says {entry['version']}: {INSTALL_HINT}")
    return modules


def validate(objects):
    """validate.mjs's report for `objects` (see that file)."""
    node = tool("node")
    p = subprocess.run(
        [node, os.path.join(HERE, "schema", "validate.mjs"), installed_schema_modules()],
        input=json.dumps(objects), capture_output=True, text=True, timeout=300)
    if p.returncode not in (0, 1):
        raise AssertionError(f"validate.mjs failed ({p.returncode}):\n{p.stderr}")
    return json.loads(p.stdout)


def pod_specs(objects):
    """(object name, pod spec) of every workload."""
    for o in objects:
        if o["kind"] not in WORKLOAD_KINDS:
            continue
        spec = o["spec"]
        if o["kind"] == "CronJob":
            spec = spec["jobTemplate"]["spec"]
        if o["kind"] != "Pod":
            spec = spec["template"]["spec"]
        yield f'{o["kind"]}/{o["metadata"]["name"]}', spec


def containers(objects, init=True):
    for name, spec in pod_specs(objects):
        kinds = ("containers", "initContainers") if init else ("containers",)
        for kind in kinds:
            for c in spec.get(kind, []):
                yield f'{name}/{c["name"]}', c


def flag(args, name):
    """Value of --name=VALUE in `args`, or None."""
    for a in args:
        if a.startswith(f"--{name}="):
            return a.split("=", 1)[1]
    return None


def image_tag(image):
    """The tag of `image` (registry ports are not tags), or None."""
    last = image.split("/")[-1].split("@")[0]
    return last.split(":", 1)[1] if ":" in last else None


# ---- tests ----------------------------------------------------------------

class K8sManifestsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if yaml is None:
            raise AssertionError(f"python3-yaml is missing: {INSTALL_HINT}")
        cls.objects, version = render()
        print(f"rendered {len(cls.objects)} objects with kubectl {version}")
        cls.by_key = {(o["kind"], o["metadata"]["name"]): o for o in cls.objects}

    def get(self, kind, name):
        self.assertIn((kind, name), self.by_key)
        return self.by_key[(kind, name)]

    def test_generated_files_are_up_to_date(self):
        self.assertEqual(generate.stale(ROOT, outputs_root=ROOT), [],
                         "edit the sources, then run python3 deploy/k8s/generate.py")

    def test_renders_the_expected_objects(self):
        self.assertEqual(set(self.by_key), EXPECTED_OBJECTS)
        self.assertEqual(len(self.objects), len(self.by_key), "duplicate objects")
        for o in self.objects:
            if o["kind"] != "Namespace":
                self.assertEqual(o["metadata"].get("namespace"), "mfr", o["metadata"]["name"])

    def test_every_object_passes_the_schema(self):
        report = validate(self.objects)
        for r in report["results"]:
            verdict = f'{len(r["errors"])} errors' if r["errors"] else "ok"
            print(f'{r["kind"]}/{r["name"]}: {r["model"]}: {verdict}')
        failures = [f'{r["kind"]}/{r["name"]}: {e}'
                    for r in report["results"] for e in r["errors"]]
        self.assertEqual(failures, [])
        self.assertEqual(len(report["results"]), len(self.objects))
        self.assertEqual(report["opaqueTypes"], [],
                         "types whose fields were not checked")

    def test_the_schema_check_catches_mistakes(self):
        # Proof the validation is not vacuous: a broken copy of each object
        # must fail, at the place that was broken.
        def pod(o):
            return o["spec"]["template"]["spec"]
        mutations = {
            ("DaemonSet", "mfr-agent"): [
                (lambda o: pod(o)["containers"][0].update(livenessProb={}),
                 "/spec/template/spec/containers/0/livenessProb"),
                (lambda o: pod(o)["volumes"][0]["hostPath"].update(type="Dir"),
                 "/spec/template/spec/volumes/0/hostPath/type"),
                (lambda o: pod(o)["containers"][0]["ports"][0].update(containerPort="x"),
                 "/spec/template/spec/containers/0/ports/0/containerPort"),
            ],
            ("StatefulSet", "mfr-controller"): [
                (lambda o: o["spec"]["volumeClaimTemplates"][0]["spec"].update(size="1Gi"),
                 "/spec/volumeClaimTemplates/0/spec/size"),
                (lambda o: pod(o)["containers"][0]["resources"]["limits"].update(memory="1 GB"),
                 "/spec/template/spec/containers/0/resources/limits/memory"),
            ],
            ("Service", "mfr-controller"): [
                (lambda o: o["spec"]["ports"][0].update(port="grpc"),
                 "/spec/ports/0/port"),
            ],
            ("PodMonitor", "mfr-agent"): [
                (lambda o: o["spec"]["podMetricsEndpoints"][0].update(interval="30 seconds"),
                 "/spec/podMetricsEndpoints/0/interval"),
                (lambda o: o["spec"]["podMetricsEndpoints"][0]["relabelings"][0].update(target="x"),
                 "/spec/podMetricsEndpoints/0/relabelings/0/target"),
            ],
            ("ServiceMonitor", "mfr-controller"): [
                (lambda o: o["spec"].update(endpoint=[]), "/spec/endpoint"),
            ],
            ("PrometheusRule", "mfr-rules"): [
                (lambda o: o["spec"]["groups"][0]["rules"][0].update({"for": "5 minutes"}),
                 "/spec/groups/0/rules/0/for"),
                (lambda o: o["spec"]["groups"][0]["rules"][0].pop("expr"),
                 "/spec/groups/0/rules/0"),
            ],
            ("NetworkPolicy", "mfr-controller"): [
                (lambda o: o["spec"]["ingress"][0].update(form=[]), "/spec/ingress/0/form"),
            ],
            ("PodDisruptionBudget", "mfr-controller"): [
                (lambda o: o["spec"].update(maxUnavailable=[1]), "/spec/maxUnavailable"),
            ],
        }
        broken, expected = [], []
        for key, cases in mutations.items():
            for mutate, path in cases:
                o = copy.deepcopy(self.by_key[key])
                mutate(o)
                broken.append(o)
                expected.append(path)
        for o in self.objects:  # every kind: an unknown metadata field
            o = copy.deepcopy(o)
            o["metadata"]["lables"] = {}
            broken.append(o)
            expected.append("/metadata/lables")
        report = validate(broken)
        for r, path in zip(report["results"], expected):
            self.assertTrue(any(e.startswith(path) for e in r["errors"]),
                            f'{r["kind"]}/{r["name"]}: nothing reported at {path}: {r["errors"]}')

    def test_every_container_has_limits_and_probes(self):
        seen = 0
        for name, c in containers(self.objects):
            seen += 1
            limits = c.get("resources", {}).get("limits", {})
            self.assertIn("cpu", limits, name)
            self.assertIn("memory", limits, name)
            self.assertIn("memory", c.get("resources", {}).get("requests", {}), name)
        for name, c in containers(self.objects, init=False):
            self.assertIn("livenessProbe", c, name)
            self.assertIn("readinessProbe", c, name)
        self.assertEqual(seen, 2)

    def test_every_image_is_pinned_by_a_tag(self):
        images = {name: c["image"] for name, c in containers(self.objects)}
        self.assertEqual(images, {
            "DaemonSet/mfr-agent/agent": "mfr/agent:0.1.0",
            "StatefulSet/mfr-controller/controller": "mfr/controller:0.1.0",
        })
        for name, image in images.items():
            tag = image_tag(image)
            self.assertIsNotNone(tag, f"{name}: {image} has no tag")
            self.assertNotEqual(tag, "latest", f"{name}: {image}")

    def test_image_tag_parsing(self):
        self.assertEqual(image_tag("mfr/agent:0.1.0"), "0.1.0")
        self.assertEqual(image_tag("registry:5000/mfr/agent"), None)
        self.assertEqual(image_tag("registry:5000/mfr/agent:1.2"), "1.2")
        self.assertEqual(image_tag("mfr/agent@sha256:abc"), None)
        self.assertEqual(image_tag("mfr/agent:0.1@sha256:abc"), "0.1")

    def test_daemonset_tolerates_all_taints(self):
        tolerations = self.get("DaemonSet", "mfr-agent")["spec"]["template"]["spec"]["tolerations"]
        self.assertIn({"operator": "Exists"}, tolerations)

    def test_prometheus_rule_is_the_rules_file(self):
        with open(os.path.join(ROOT, generate.RULES)) as f:
            rules = yaml.safe_load(f)
        self.assertEqual(self.get("PrometheusRule", "mfr-rules")["spec"], rules)
        self.assertTrue(rules["groups"] and all(g["rules"] for g in rules["groups"]))

    def test_dashboard_configmap_is_the_dashboard(self):
        cm = self.get("ConfigMap", "mfr-dashboard")
        with open(os.path.join(ROOT, generate.DASHBOARD), encoding="utf-8") as f:
            self.assertEqual(cm["data"], {"mfr-dashboard.json": f.read()})
        self.assertEqual(cm["metadata"]["labels"].get("grafana_dashboard"), "1")

    def test_agent_is_wired_to_the_host(self):
        ds = self.get("DaemonSet", "mfr-agent")
        spec = ds["spec"]["template"]["spec"]
        (c,) = spec["containers"]
        args = c["args"]
        self.assertEqual(args[0], "run")
        self.assertEqual(flag(args, "host"), "$(NODE_NAME)")
        env = {e["name"]: e for e in c["env"]}
        self.assertEqual(env["NODE_NAME"]["valueFrom"]["fieldRef"]["fieldPath"], "spec.nodeName")
        self.assertTrue(spec["hostPID"])
        self.assertEqual(spec["priorityClassName"], "system-node-critical")
        self.assertFalse(spec["automountServiceAccountToken"])
        volumes = {v["name"]: v for v in spec["volumes"]}
        mounts = {m["mountPath"]: m for m in c["volumeMounts"]}

        def host_path(mount_path):
            self.assertIn(mount_path, mounts)
            return volumes[mounts[mount_path]["name"]]["hostPath"]["path"]

        root = flag(args, "root")
        self.assertEqual(host_path(root), "/")
        self.assertEqual(mounts[root].get("mountPropagation"), "HostToContainer")
        for sub in ("proc", "sys", "dev"):
            self.assertEqual(host_path(f"{root}/{sub}"), f"/{sub}")
        self.assertTrue(mounts[f"{root}/proc"].get("readOnly"))
        self.assertTrue(mounts[f"{root}/dev"].get("readOnly"))
        state = flag(args, "state-dir")
        self.assertEqual(host_path(state), "/var/lib/mfr-agent")
        self.assertEqual(flag(args, "controller"), "mfr-controller:7411")
        metrics_port = int(flag(args, "metrics-listen").rsplit(":", 1)[1])
        ports = {p["name"]: p["containerPort"] for p in c["ports"]}
        for probe in ("livenessProbe", "readinessProbe"):
            self.assertEqual(c[probe]["httpGet"]["path"], "/metrics")
            self.assertEqual(ports[c[probe]["httpGet"]["port"]], metrics_port)
        monitor = self.get("PodMonitor", "mfr-agent")["spec"]
        (endpoint,) = monitor["podMetricsEndpoints"]
        self.assertEqual(ports[endpoint["port"]], metrics_port)
        # deploy/prometheus/mfr-rules.yml: job `mfr-agent`, target label `host`.
        self.assertEqual(ds["spec"]["template"]["metadata"]["labels"][monitor["jobLabel"]],
                         "mfr-agent")
        self.assertIn({"action": "replace",
                       "sourceLabels": ["__meta_kubernetes_pod_node_name"],
                       "targetLabel": "host"}, endpoint["relabelings"])

    def test_controller_is_wired(self):
        sts = self.get("StatefulSet", "mfr-controller")
        spec = sts["spec"]["template"]["spec"]
        (c,) = spec["containers"]
        args = c["args"]
        ports = {p["name"]: p["containerPort"] for p in c["ports"]}
        self.assertEqual(ports["grpc"], int(flag(args, "listen").rsplit(":", 1)[1]))
        self.assertEqual(ports["metrics"], int(flag(args, "metrics-listen").rsplit(":", 1)[1]))
        self.assertEqual(ports["grpc"], 7411)
        for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
            self.assertEqual(c[probe]["grpc"]["port"], ports["grpc"], probe)
        (claim,) = sts["spec"]["volumeClaimTemplates"]
        (data,) = [m for m in c["volumeMounts"] if m["name"] == claim["metadata"]["name"]]
        self.assertTrue(flag(args, "db").startswith(data["mountPath"] + "/"))
        self.assertEqual(sts["spec"]["serviceName"], "mfr-controller-headless")
        self.assertEqual(self.get("Service", "mfr-controller-headless")["spec"]["clusterIP"], "None")
        service = self.get("Service", "mfr-controller")
        self.assertEqual({p["name"]: (p["port"], p["targetPort"]) for p in service["spec"]["ports"]},
                         {"grpc": (7411, "grpc"), "metrics": (ports["metrics"], "metrics")})
        (endpoint,) = self.get("ServiceMonitor", "mfr-controller")["spec"]["endpoints"]
        self.assertEqual(endpoint["port"], "metrics")

    def test_selectors_match_their_pods(self):
        pods = {
            "mfr-agent": self.get("DaemonSet", "mfr-agent")["spec"]["template"]["metadata"]["labels"],
            "mfr-controller": self.get("StatefulSet", "mfr-controller")["spec"]["template"]["metadata"]["labels"],
        }

        def selects(selector, labels):
            return all(labels.get(k) == v for k, v in selector.items())

        for kind, name, selector, pod in [
            ("DaemonSet", "mfr-agent", lambda o: o["spec"]["selector"]["matchLabels"], "mfr-agent"),
            ("StatefulSet", "mfr-controller", lambda o: o["spec"]["selector"]["matchLabels"], "mfr-controller"),
            ("Service", "mfr-controller", lambda o: o["spec"]["selector"], "mfr-controller"),
            ("Service", "mfr-controller-headless", lambda o: o["spec"]["selector"], "mfr-controller"),
            ("PodDisruptionBudget", "mfr-controller", lambda o: o["spec"]["selector"]["matchLabels"], "mfr-controller"),
            ("NetworkPolicy", "mfr-controller", lambda o: o["spec"]["podSelector"]["matchLabels"], "mfr-controller"),
            ("NetworkPolicy", "mfr-agent", lambda o: o["spec"]["podSelector"]["matchLabels"], "mfr-agent"),
            ("PodMonitor", "mfr-agent", lambda o: o["spec"]["selector"]["matchLabels"], "mfr-agent"),
        ]:
            self.assertTrue(selects(selector(self.get(kind, name)), pods[pod]), f"{kind}/{name}")
        monitor = self.get("ServiceMonitor", "mfr-controller")["spec"]["selector"]["matchLabels"]
        self.assertTrue(selects(monitor, self.get("Service", "mfr-controller")["metadata"]["labels"]))
        # The controller's NetworkPolicy admits the agents to gRPC.
        (grpc_rule, metrics_rule) = self.get("NetworkPolicy", "mfr-controller")["spec"]["ingress"]
        self.assertEqual(grpc_rule["ports"], [{"port": 7411, "protocol": "TCP"}])
        self.assertTrue(any(selects(peer.get("podSelector", {}).get("matchLabels", {}), pods["mfr-agent"])
                            and "namespaceSelector" not in peer for peer in grpc_rule["from"]))
        self.assertEqual(metrics_rule["ports"], [{"port": 7412, "protocol": "TCP"}])

    def test_only_the_agent_is_privileged(self):
        privileged = [name for name, c in containers(self.objects)
                      if c.get("securityContext", {}).get("privileged")]
        self.assertEqual(privileged, ["DaemonSet/mfr-agent/agent"])
        # The controller meets Pod Security's `restricted` profile.
        spec = self.get("StatefulSet", "mfr-controller")["spec"]["template"]["spec"]
        self.assertTrue(spec["securityContext"]["runAsNonRoot"])
        self.assertEqual(spec["securityContext"]["seccompProfile"], {"type": "RuntimeDefault"})
        (c,) = spec["containers"]
        self.assertIs(c["securityContext"]["allowPrivilegeEscalation"], False)
        self.assertEqual(c["securityContext"]["capabilities"]["drop"], ["ALL"])
        self.assertFalse(spec["automountServiceAccountToken"])
        # No RBAC at all: neither binary talks to the Kubernetes API.
        kinds = {o["kind"] for o in self.objects}
        self.assertFalse(kinds & {"Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"})


if __name__ == "__main__":
    harness.main()
