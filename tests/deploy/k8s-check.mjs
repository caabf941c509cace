// tests/deploy/k8s-check.mjs — checks what `kubectl kustomize` rendered (a YAML stream on stdin):
// every object against the Kubernetes OpenAPI schema of its apiVersion and kind (npm
// kubernetes-models), then what herald's deployment promises. Prints one "# " line per problem
// and exits 1 when there is any.
//   node tests/deploy/k8s-check.mjs --body 1m --bulk-body 16m --import-body 65m [--with-secret] < rendered.yaml
import { parseAllDocuments } from "yaml";
import { parseArgs } from "node:util";
import { readFileSync } from "node:fs";

const { values: opt } = parseArgs({
  options: {
    body: { type: "string" },
    "bulk-body": { type: "string" },
    "import-body": { type: "string" },
    "with-secret": { type: "boolean", default: false },
  },
});

const problems = [];
const fail = (what) => problems.push(what);

// apiVersion "apps/v1" -> module "kubernetes-models/apps/v1"; core "v1" -> "kubernetes-models/v1".
async function model(obj) {
  if (typeof obj?.apiVersion !== "string" || typeof obj?.kind !== "string") return null;
  try {
    const mod = await import(`kubernetes-models/${obj.apiVersion}`);
    return mod[obj.kind] ?? null;
  } catch {
    return null;
  }
}

const docs = parseAllDocuments(readFileSync(0, "utf8"));
const objs = [];
for (const d of docs) {
  if (d.errors.length) { fail(`YAML: ${d.errors[0].message}`); continue; }
  const obj = d.toJS();
  if (obj == null) continue;
  // kustomize v5 folds long base64 values; the API server's decoder skips the line breaks.
  if (obj.kind === "Secret" && obj.data)
    for (const k of Object.keys(obj.data)) obj.data[k] = String(obj.data[k]).replace(/\s+/g, "");
  const name = `${obj.kind}/${obj.metadata?.name}`;
  const Model = await model(obj);
  if (!Model) { fail(`${name}: no schema for apiVersion ${obj.apiVersion} kind ${obj.kind}`); continue; }
  try {
    new Model(obj).validate();
  } catch (e) {
    fail(`${name}: ${e.message.replace(/\s+/g, " ")}`);
  }
  objs.push(obj);
}

const byKind = (kind) => objs.filter((o) => o.kind === kind);
const find = (kind, name) => objs.find((o) => o.kind === kind && o.metadata?.name === name);
const container = (o) => o.spec?.template?.spec?.containers?.[0] ?? {};

// The Deployments: the roles each runs, probes on /healthz, resource requests.
const roles = { "herald-web": "web", "herald-worker": "web,scheduler,dispatch,report,import" };
for (const [name, want] of Object.entries(roles)) {
  const d = find("Deployment", name);
  if (!d) { fail(`Deployment/${name} is missing`); continue; }
  const c = container(d), args = c.args ?? [];
  const at = args.indexOf("--roles");
  if (args[1] !== "serve" || at < 0 || args[at + 1] !== want)
    fail(`Deployment/${name}: args ${JSON.stringify(args)} do not run herald serve --roles ${want}`);
  for (const probe of ["readinessProbe", "livenessProbe"])
    if (c[probe]?.httpGet?.path !== "/healthz")
      fail(`Deployment/${name}: ${probe} is not an HTTP GET of /healthz`);
  if (!c.resources?.requests?.cpu || !c.resources?.requests?.memory || !c.resources?.limits?.memory)
    fail(`Deployment/${name}: no cpu and memory requests and memory limit`);
  if (!byKind("PodDisruptionBudget").some((p) =>
    Object.entries(p.spec?.selector?.matchLabels ?? {}).every(([k, v]) => d.spec.template.metadata.labels?.[k] === v)))
    fail(`Deployment/${name}: no PodDisruptionBudget selects its pods`);
}

const job = find("Job", "herald-migrate");
if (!job || JSON.stringify(container(job).args) !== JSON.stringify(["herald", "migrate"]))
  fail("Job/herald-migrate does not run herald migrate");

// The Service reaches the web pods only.
const svc = find("Service", "herald-web");
if (svc?.spec?.selector?.["app.kubernetes.io/component"] !== "web")
  fail("Service/herald-web does not select the web pods");

// Body limits as nginx/ has them: the default for every path, the bulk one for the bulk
// endpoints, the import's for the CSV import.
const BODY = "nginx.ingress.kubernetes.io/proxy-body-size";
const bulkPaths = ["/api/v1/clients/bulk", "/api/v1/messages/batch"];
const importPaths = ["/admin/clients/import"];
for (const ing of byKind("Ingress")) {
  const paths = ing.spec.rules.flatMap((r) => r.http.paths.map((p) => p.path));
  const want = paths.some((p) => bulkPaths.includes(p)) ? opt["bulk-body"]
    : paths.some((p) => importPaths.includes(p)) ? opt["import-body"] : opt.body;
  if (ing.metadata.annotations?.[BODY] !== want)
    fail(`Ingress/${ing.metadata.name}: ${BODY} is ${ing.metadata.annotations?.[BODY]}, nginx/ has ${want}`);
}
for (const p of [...bulkPaths, ...importPaths])
  if (!byKind("Ingress").some((i) => i.spec.rules.some((r) => r.http.paths.some((x) => x.path === p))))
    fail(`no Ingress routes ${p}`);
// The sign-in paths go through an Ingress with nginx/'s per-address rate limit.
for (const p of ["/admin/login", "/admin/oidc/"]) {
  const ing = byKind("Ingress").find((i) => i.spec.rules.some((r) => r.http.paths.some((x) => x.path === p)));
  if (!ing?.metadata.annotations?.["nginx.ingress.kubernetes.io/limit-rpm"])
    fail(`no Ingress with a rate limit routes ${p}`);
}

// Every ConfigMap and Secret the pods read is rendered (the Secret only by an overlay).
for (const o of [...byKind("Deployment"), ...byKind("Job")])
  for (const c of o.spec.template.spec.containers)
    for (const e of c.envFrom ?? []) {
      if (e.configMapRef && !find("ConfigMap", e.configMapRef.name))
        fail(`${o.kind}/${o.metadata.name}: ConfigMap ${e.configMapRef.name} is not rendered`);
      if (e.secretRef && opt["with-secret"] && !find("Secret", e.secretRef.name))
        fail(`${o.kind}/${o.metadata.name}: Secret ${e.secretRef.name} is not rendered`);
    }

for (const p of problems) console.log(`# ${p}`);
console.log(`# ${objs.length} objects, ${problems.length} problems`);
process.exit(problems.length ? 1 : 0);
