// Validates Kubernetes manifests against the API's schemas, no cluster needed: each document's
// apiVersion and kind select the validator that the npm package kubernetes-models (the version
// .ci/check-deploy installs; generated from the Kubernetes OpenAPI specification, v1.27.1 for
// kubernetes-models 5.1.0) compiles from that kind's schema: types, required fields, enums and
// formats, recursively. It does not flag unknown fields (kubeconform's -strict would); the
// deploy kit's own YAML check looks for the fields that matter.
//
//   node .ci/validate-kubernetes.mjs <node_modules dir> < documents.json
// documents.json: [{"file": "...", "doc": {...}}, ...]. Exit 1 when any document is invalid.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const modules = join(process.argv[2], "kubernetes-models");
const docs = JSON.parse(readFileSync(0, "utf8"));

async function validator(apiVersion, kind) {
  // "apps/v1" -> apps/v1/Deployment.js, "v1" -> v1/Service.js
  const file = join(modules, apiVersion, kind + ".js");
  const mod = await import(pathToFileURL(file).href);
  return mod[kind];
}

async function check(apiVersion, kind, doc) {
  const Model = await validator(apiVersion, kind);
  new Model(doc).validate(); // throws with the failing path and keyword
}

// The validator must reject what the API server would: a port that is not an integer.
try {
  await check("v1", "Service", { apiVersion: "v1", kind: "Service", metadata: { name: "self-test" },
    spec: { ports: [{ port: "not-a-number" }] } });
  console.log("  FAIL  self-test: a Service with a string port passed validation");
  process.exit(1);
} catch (e) {
  // expected
}

let bad = 0;
for (const { file, doc } of docs) {
  const what = `${file}: ${doc.kind} ${doc.metadata?.name} (${doc.apiVersion})`;
  try {
    await check(doc.apiVersion, doc.kind, doc);
    console.log(`  ok    ${what}`);
  } catch (e) {
    console.log(`  FAIL  ${what}: ${e.message}`);
    bad++;
  }
}
process.exit(bad ? 1 : 0);
