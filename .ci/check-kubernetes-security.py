#!/usr/bin/python3
"""The security review of the deployment kit that a schema check cannot do (deploy/SECURITY.md,
"Hardening checklist"), run by .ci/check-deploy:

  - every container of every workload under deploy/kubernetes/: runAsNonRoot, no privilege
    escalation, read-only root file system, capabilities drop ALL, seccomp RuntimeDefault (the
    container's own securityContext, or the pod's for runAsNonRoot and seccomp); no privileged
    container, no host namespaces, no service account token;
  - no Secret anywhere under deploy/ or config/ holds a value (empty or <placeholder> only), no
    configuration or compose environment carries a password (only *-file / *_FILE);
  - the syslog TLS listener requires client certificates; an admin server bound beyond loopback
    has both roles' credentials; a NetworkPolicy admits the admin port from selected pods only;
  - compose: the auditwatch container read-only, capabilities dropped, no-new-privileges, admin
    published on the host's loopback only; Prometheus scrapes with the read-only user.

  .ci/check-kubernetes-security.py <deploy dir> [<config dir>]
Prints one line per check; exit 1 when any fails. A self-test first proves that a container
without readOnlyRootFilesystem and a Secret with a value are caught.
"""
import copy
import glob
import os
import re
import sys

import yaml

WORKLOADS = {"Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Pod", "ReplicaSet"}
LOOPBACK = {"127.0.0.1", "::1", "localhost"}
PLACEHOLDER = re.compile(r"^(<[^>]*>)?$")


def pod_spec(doc):
    spec = doc.get("spec", {})
    if doc["kind"] == "Pod":
        return spec
    if doc["kind"] == "CronJob":
        return spec.get("jobTemplate", {}).get("spec", {}).get("template", {}).get("spec", {})
    return spec.get("template", {}).get("spec", {})


def workload_problems(doc):
    """Problems of one workload document, as strings; empty when it passes."""
    out = []
    pod = pod_spec(doc)
    psc = pod.get("securityContext", {}) or {}
    name = "%s %s" % (doc["kind"], doc["metadata"]["name"])
    for key in ("hostNetwork", "hostPID", "hostIPC"):
        if pod.get(key):
            out.append("%s: %s is set" % (name, key))
    if pod.get("automountServiceAccountToken") is not False:
        out.append("%s: automountServiceAccountToken must be false" % name)
    containers = pod.get("containers", []) + pod.get("initContainers", [])
    if not containers:
        out.append("%s: no containers" % name)
    for c in containers:
        sc = c.get("securityContext", {}) or {}
        where = "%s container %s" % (name, c.get("name"))
        if sc.get("runAsNonRoot", psc.get("runAsNonRoot")) is not True:
            out.append(where + ": runAsNonRoot must be true")
        if sc.get("allowPrivilegeEscalation") is not False:
            out.append(where + ": allowPrivilegeEscalation must be false")
        if sc.get("readOnlyRootFilesystem") is not True:
            out.append(where + ": readOnlyRootFilesystem must be true")
        if "ALL" not in ((sc.get("capabilities") or {}).get("drop") or []):
            out.append(where + ": capabilities.drop must contain ALL")
        if (sc.get("capabilities") or {}).get("add"):
            out.append(where + ": capabilities.add must be empty")
        seccomp = sc.get("seccompProfile") or psc.get("seccompProfile") or {}
        if seccomp.get("type") != "RuntimeDefault":
            out.append(where + ": seccompProfile.type must be RuntimeDefault")
        if sc.get("privileged"):
            out.append(where + ": privileged")
        for env in c.get("env", []) or []:
            if "PASSWORD" in env.get("name", "") and not env["name"].endswith("_FILE") and "value" in env:
                out.append(where + ": env %s carries a password in the manifest" % env["name"])
    return out


def secret_problems(doc, where):
    out = []
    if doc.get("kind") != "Secret":
        return out
    for section in ("data", "stringData"):
        for k, v in (doc.get(section) or {}).items():
            if not PLACEHOLDER.match(str(v if v is not None else "")):
                out.append("%s: Secret %s holds a value in %s.%s (generate it: deploy/generate-secrets)"
                           % (where, doc["metadata"].get("name"), section, k))
    return out


def config_problems(cfg, where):
    """The auditwatch configuration (a ConfigMap's auditwatch.yaml, or config/auditwatch.yaml)."""
    out = []

    def walk(node, path):
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, path + [str(k)])
        elif path and path[-1] in ("password", "keystore-password") and node not in (None, ""):
            out.append("%s: %s holds a password; use %s-file" % (where, ".".join(path), path[-1]))
    walk(cfg, [])
    listeners = cfg.get("listeners", {}) or {}
    tls = listeners.get("tls", {}) or {}
    if tls.get("port") and tls.get("client-auth") != "required":
        out.append("%s: listeners.tls.client-auth must be required" % where)
    admin = cfg.get("admin", {}) or {}
    if str(admin.get("host", "127.0.0.1")) not in LOOPBACK and not admin.get("allow-unauthenticated"):
        for key in ("username", "password-file", "read-username", "read-password-file"):
            if not admin.get(key):
                out.append("%s: admin bound to %s without admin.%s" % (where, admin.get("host"), key))
    return out


def network_policy_problems(docs):
    out = []
    policies = [d for d in docs if d.get("kind") == "NetworkPolicy"]
    if not policies:
        return ["no NetworkPolicy in deploy/kubernetes"]
    admitted = False
    for p in policies:
        spec = p.get("spec", {})
        if spec.get("podSelector", {}).get("matchLabels", {}).get("app.kubernetes.io/name") != "auditwatch":
            continue
        for rule in spec.get("ingress", []) or []:
            if any(port.get("port") == 9464 for port in rule.get("ports", []) or []):
                sources = rule.get("from") or []
                if not sources or any("ipBlock" in s for s in sources):
                    out.append("NetworkPolicy %s admits the admin port from any address" % p["metadata"]["name"])
                admitted = True
    if not admitted:
        out.append("no NetworkPolicy rule for the admin port 9464 of the auditwatch pods")
    return out


def compose_problems(compose):
    out = []
    aw = compose.get("services", {}).get("auditwatch", {})
    if aw.get("read_only") is not True:
        out.append("compose auditwatch: read_only must be true")
    if "ALL" not in (aw.get("cap_drop") or []):
        out.append("compose auditwatch: cap_drop must contain ALL")
    if not any(str(o).startswith("no-new-privileges") for o in aw.get("security_opt") or []):
        out.append("compose auditwatch: security_opt no-new-privileges missing")
    for port in aw.get("ports") or []:
        if str(port).endswith(":9464/tcp") and not str(port).startswith("127.0.0.1:"):
            out.append("compose auditwatch: admin port published beyond the host's loopback: " + str(port))
    for svc, s in compose.get("services", {}).items():
        env = s.get("environment") or {}
        if isinstance(env, list):
            env = dict((e.split("=", 1) + [""])[:2] for e in env)
        for k, v in env.items():
            if "PASSWORD" in k and not k.endswith("_FILE") and v not in (None, ""):
                out.append("compose %s: %s carries a password; use a secret file" % (svc, k))
    return out


def prometheus_problems(prom, read_user):
    out = []
    for job in prom.get("scrape_configs", []):
        if job.get("job_name") != "auditwatch":
            continue
        auth = job.get("basic_auth") or {}
        if auth.get("username") != read_user:
            out.append("prometheus.yml: job auditwatch must scrape as the read-only user %r, not %r"
                       % (read_user, auth.get("username")))
        if "password" in auth or not auth.get("password_file"):
            out.append("prometheus.yml: basic_auth needs password_file (and no password)")
    return out


def load_all(path):
    with open(path) as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


def self_test(deployment):
    broken = copy.deepcopy(deployment)
    pod_spec(broken)["containers"][0]["securityContext"].pop("readOnlyRootFilesystem", None)
    assert workload_problems(broken), "self-test: a container without readOnlyRootFilesystem passed"
    leaky = {"kind": "Secret", "metadata": {"name": "t"}, "stringData": {"password": "hunter2"}}
    assert secret_problems(leaky, "self-test"), "self-test: a Secret with a value passed"
    assert not secret_problems({"kind": "Secret", "metadata": {"name": "t"}, "data": {"password": "<generated>"}}, "t")


def main():
    deploy = sys.argv[1]
    config = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(deploy), "config")
    problems = []
    k8s = []
    for path in sorted(glob.glob(os.path.join(deploy, "kubernetes", "*.yaml"))):
        k8s += load_all(path)
    workloads = [d for d in k8s if d.get("kind") in WORKLOADS]
    if not workloads:
        problems.append("no workload in deploy/kubernetes")
    else:
        self_test(workloads[0])
    for d in workloads:
        problems += workload_problems(d)
    read_user = None
    for d in k8s:
        if d.get("kind") == "ConfigMap":
            for k, v in (d.get("data") or {}).items():
                if k == "auditwatch.yaml":
                    cfg = yaml.safe_load(v) or {}
                    problems += config_problems(cfg, "configmap.yaml " + k)
                    read_user = (cfg.get("admin") or {}).get("read-username")
    problems += network_policy_problems(k8s)
    # Secrets and passwords in any YAML of the kit or the example configuration.
    files = glob.glob(os.path.join(deploy, "**", "*.y*ml"), recursive=True) + glob.glob(os.path.join(config, "*.y*ml"))
    for path in sorted(files):
        try:
            docs = load_all(path)
        except yaml.YAMLError:
            continue  # the YAML check reports it
        for d in docs:
            if isinstance(d, dict):
                problems += secret_problems(d, os.path.relpath(path, os.path.dirname(deploy)))
    problems += config_problems(yaml.safe_load(open(os.path.join(config, "auditwatch.yaml"))) or {}, "config/auditwatch.yaml")
    problems += compose_problems(load_all(os.path.join(deploy, "compose.yaml"))[0])
    problems += prometheus_problems(load_all(os.path.join(deploy, "prometheus", "prometheus.yml"))[0], read_user)
    for p in problems:
        print("  FAIL  " + p)
    if not problems:
        print("  ok    %d workload(s): every container non-root, read-only root, no capabilities, no privilege"
              " escalation, seccomp RuntimeDefault" % len(workloads))
        print("  ok    no Secret or configuration in git holds a password; mutual TLS required; admin"
              " credentials and NetworkPolicy in place; Prometheus scrapes read-only")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
