// Drives an MLflow tracking server with the third-party npm client `mlflow`
// (pinned in package.json; install with scripts/npm-mlflow.sh) and checks
// every answer: experiments, runs, params/metrics/tags, log-batch, metric
// history, search with filters, order_by and paging, delete/restore,
// artifact listing, and the model registry (registered model, versions,
// alias), plus MLflow's error codes and statuses.
//
//   node test.mjs http://127.0.0.1:8080 [TOKEN]
//
// TOKEN (or $SLUICE_TOKEN) is sent as "Authorization: Bearer TOKEN".
// Exits 0 after printing "N passed, 0 failed"; on the first mismatch prints
// what was expected and what came back and exits 1.
//
// About the client: `mlflow` covers experiments, runs, metrics and artifact
// listing. It has no model-registry or artifact-upload calls, so those go
// through the client's own request machinery (its exported MLflowBase class,
// which every one of its resource classes extends) with the registry paths.
// Its setExperimentTag builds a broken URL ("experimentsset-experiment-tag",
// a missing slash), so the test sends that call the same way. Its
// Experiments.list calls experiments/list, which MLflow 2 removed; the test
// uses experiments/search instead. It prints every POST body with
// console.log; the test silences that unless MLFLOW_NPM_VERBOSE is set.

import MLflow from 'mlflow';
import lib from 'mlflow/lib/mlflow.js';
import { isDeepStrictEqual, inspect } from 'node:util';

const { MLflowBase } = lib;

const endpoint = (process.argv[2] || '').replace(/\/+$/, '');
if (!endpoint) {
  console.error('usage: node test.mjs TRACKING_URI [TOKEN]');
  process.exit(2);
}
const token = process.argv[3] || process.env.SLUICE_TOKEN || '';
const headers = token ? { Authorization: `Bearer ${token}` } : {};

const say = (s) => process.stdout.write(s + '\n');
if (!process.env.MLFLOW_NPM_VERBOSE) console.log = () => {};

// Raw reaches any path under /api/2.0/mlflow/ through the client's own
// request method (same headers, JSON handling and error reporting).
class Raw extends MLflowBase {
  constructor(args) {
    super(args);
    this.path = '/';
  }
  get(path, param) { return this.req('get', path, param); }
  post(path, param) { return this.req('post', path, param); }
  patch(path, param) { return this.req('patch', path, param); }
  del(path, param) { return this.req('delete', path, param); }
}

const client = new MLflow({ endpoint, headers });
const { Experiments, Runs, Metrics, Artifacts } = client;
const raw = new Raw({ endpoint, headers });

let passed = 0;
let step = '';

class Mismatch extends Error {}

function fail(msg) {
  throw new Mismatch(`${step}: ${msg}`);
}

function show(v) {
  return inspect(v, { depth: 6, breakLength: Infinity, compact: true });
}

// eq checks got against want (deep, strict) and counts the check.
function eq(what, got, want) {
  if (!isDeepStrictEqual(got, want)) fail(`${what}: got ${show(got)}, want ${show(want)}`);
  passed++;
}

function ok(what, cond, detail) {
  if (!cond) fail(`${what}${detail === undefined ? '' : ': ' + show(detail)}`);
  passed++;
}

// mlflowError runs fn, which must fail, and returns {status, error_code,
// message} parsed from the client's error (it throws an Error whose message
// is "Error: " + JSON of {status, statusText, data}).
async function mlflowError(what, fn) {
  let res;
  try {
    res = await fn();
  } catch (e) {
    const m = String(e && e.message);
    const i = m.indexOf('{');
    let parsed;
    try {
      parsed = JSON.parse(m.slice(i));
    } catch {
      fail(`${what}: client error is not the JSON the client builds: ${m}`);
    }
    const data = parsed.data || {};
    return { status: parsed.status, error_code: data.error_code, message: data.message };
  }
  fail(`${what}: succeeded with ${show(res)}, want an error`);
}

async function expectError(what, fn, status, code) {
  const e = await mlflowError(what, fn);
  eq(`${what}: HTTP status`, e.status, status);
  eq(`${what}: error_code`, e.error_code, code);
  ok(`${what}: error message is non-empty`, typeof e.message === 'string' && e.message.length > 0, e);
}

const byKey = (a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
const kv = (list) => Object.fromEntries((list || []).map((x) => [x.key, x.value]));
const userTags = (list) => (list || []).filter((t) => !t.key.startsWith('mlflow.'));

async function main() {
  const suffix = `${Date.now()}-${Math.floor(Math.random() * 1e9)}`;
  const expName = `npm-compat-${suffix}`;
  const t0 = 1700000000000;

  step = 'experiments';
  const created = await Experiments.create({ name: expName });
  const expId = created.experiment_id;
  ok('create returns experiment_id as a string', typeof expId === 'string' && expId.length > 0, created);
  let { experiment } = await Experiments.get({ experiment_id: expId });
  eq('get: name', experiment.name, expName);
  eq('get: experiment_id', experiment.experiment_id, expId);
  eq('get: lifecycle_stage', experiment.lifecycle_stage, 'active');
  ok('get: artifact_location set', typeof experiment.artifact_location === 'string' && experiment.artifact_location.length > 0, experiment);
  const byName = await raw.get('experiments/get-by-name', { experiment_name: expName });
  eq('get-by-name: experiment_id', byName.experiment.experiment_id, expId);
  await expectError('create with a taken name', () => Experiments.create({ name: expName }), 400, 'RESOURCE_ALREADY_EXISTS');
  await raw.post('experiments/set-experiment-tag', { experiment_id: expId, key: 'owner', value: 'compat' });
  await Experiments.update({ experiment_id: expId, new_name: expName + '-renamed' });
  ({ experiment } = await Experiments.get({ experiment_id: expId }));
  eq('update: name', experiment.name, expName + '-renamed');
  eq('set-experiment-tag: tags', kv(userTags(experiment.tags)), { owner: 'compat' });
  const search = await raw.post('experiments/search', { filter: `name = '${expName}-renamed'`, max_results: 10 });
  eq('search by name', (search.experiments || []).map((e) => e.experiment_id), [expId]);
  say(`ok experiments (id ${expId})`);

  step = 'runs';
  const specs = [
    { name: 'run-a', model: 'lr', acc: 0.91, team: 'red' },
    { name: 'run-b', model: 'lr', acc: 0.82, team: 'blue' },
    { name: 'run-c', model: 'gbt', acc: 0.95, team: 'red' },
    { name: 'run-d', model: 'lr', acc: 0.70, team: 'red' },
  ];
  const runs = [];
  for (const [i, s] of specs.entries()) {
    const { run } = await Runs.create({
      experiment_id: expId,
      start_time: t0 + i,
      tags: [{ key: 'mlflow.runName', value: s.name }, { key: 'team', value: s.team }],
    });
    ok('create returns run_id', typeof run.info.run_id === 'string' && run.info.run_id.length > 0, run);
    eq('create: experiment_id', run.info.experiment_id, expId);
    eq('create: status', run.info.status, 'RUNNING');
    eq('create: lifecycle_stage', run.info.lifecycle_stage, 'active');
    eq('create: start_time', run.info.start_time, t0 + i);
    eq('create: run_name from the mlflow.runName tag', run.info.run_name, s.name);
    runs.push({ ...s, id: run.info.run_id, artifactUri: run.info.artifact_uri });
  }
  const [a, b, c, d] = runs;

  // Single-value calls on run a.
  await Runs.logParameter({ run_id: a.id, key: 'model', value: a.model });
  await Runs.logMetric({ run_id: a.id, key: 'loss', value: 0.5, timestamp: t0 + 10, step: 0 });
  await Runs.logMetric({ run_id: a.id, key: 'loss', value: 0.25, timestamp: t0 + 11, step: 1 });
  await Runs.logMetric({ run_id: a.id, key: 'loss', value: 0.125, timestamp: t0 + 12, step: 2 });
  await Runs.setTag({ run_id: a.id, key: 'stage', value: 'dev' });
  await Runs.setTag({ run_id: a.id, key: 'scratch', value: 'x' });
  await Runs.deleteTag({ run_id: a.id, key: 'scratch' });
  await expectError('log-parameter changing a logged value', () => Runs.logParameter({ run_id: a.id, key: 'model', value: 'other' }), 400, 'INVALID_PARAMETER_VALUE');
  await Runs.logParameter({ run_id: a.id, key: 'model', value: a.model }); // same value: allowed

  // Batches on every run: ten metrics, params, tags.
  for (const r of runs) {
    const metrics = [{ key: 'acc', value: r.acc, timestamp: t0 + 20, step: 0 }];
    for (let k = 0; k < 9; k++) metrics.push({ key: `m${k}`, value: k * 1.5, timestamp: t0 + 20 + k, step: k });
    const params = [{ key: 'lr', value: '0.01' }, { key: 'depth', value: '5' }];
    if (r !== a) params.push({ key: 'model', value: r.model });
    await Runs.logBatch({ run_id: r.id, metrics, params, tags: [{ key: 'batch', value: 'yes' }] });
  }
  // A second batch with a later step of acc on run b: the latest value wins.
  await Runs.logBatch({ run_id: b.id, metrics: [{ key: 'acc', value: 0.85, timestamp: t0 + 30, step: 1 }], params: [], tags: [] });
  b.acc = 0.85;

  const got = (await Runs.get({ run_id: a.id })).run;
  eq('get: run_id', got.info.run_id, a.id);
  eq('get: params', kv(got.data.params), { model: 'lr', lr: '0.01', depth: '5' });
  eq('get: user tags', kv(userTags(got.data.tags)), { team: 'red', stage: 'dev', batch: 'yes' });
  eq('get: mlflow.runName tag', kv(got.data.tags)['mlflow.runName'], 'run-a');
  const latest = Object.fromEntries(got.data.metrics.map((m) => [m.key, m.value]));
  eq('get: latest loss', latest.loss, 0.125);
  eq('get: latest acc', latest.acc, 0.91);
  eq('get: latest m8', latest.m8, 12);
  eq('get: metric keys', Object.keys(latest).sort(), ['acc', 'loss', 'm0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8']);
  const lossMetric = got.data.metrics.find((m) => m.key === 'loss');
  eq('get: latest loss step and timestamp', [lossMetric.step, lossMetric.timestamp], [2, t0 + 12]);

  const hist = await Metrics.getHistory({ run_id: a.id, metric_key: 'loss' });
  eq('get-history: loss', hist.metrics.map(({ key, value, timestamp, step }) => ({ key, value, timestamp, step })).sort((x, y) => x.step - y.step), [
    { key: 'loss', value: 0.5, timestamp: t0 + 10, step: 0 },
    { key: 'loss', value: 0.25, timestamp: t0 + 11, step: 1 },
    { key: 'loss', value: 0.125, timestamp: t0 + 12, step: 2 },
  ]);
  const histB = await Metrics.getHistory({ run_id: b.id, metric_key: 'acc' });
  eq('get-history: acc of run-b', histB.metrics.map((m) => [m.step, m.value]).sort(), [[0, 0.82], [1, 0.85]]);
  const bLatest = (await Runs.get({ run_id: b.id })).run.data.metrics.find((m) => m.key === 'acc');
  eq('get: latest acc of run-b after the second batch', bLatest.value, 0.85);

  const upd = await Runs.update({ run_id: a.id, status: 'FINISHED', end_time: t0 + 100 });
  eq('update: status', upd.run_info.status, 'FINISHED');
  eq('update: end_time', upd.run_info.end_time, t0 + 100);
  await Runs.update({ run_id: c.id, status: 'FAILED', end_time: t0 + 101 });
  await expectError('get a missing run', () => Runs.get({ run_id: '0123456789abcdef0123456789abcdef' }), 404, 'RESOURCE_DOES_NOT_EXIST');
  say(`ok runs (${runs.length} runs, params, metrics, tags, batches, history)`);

  step = 'search-runs';
  const ids = async (req) => ((await Runs.search({ experiment_ids: [expId], ...req })).runs || []).map((r) => r.info.run_id);
  eq('metric filter + param filter, order_by metric DESC',
    await ids({ filter: "metrics.acc > 0.75 and params.model = 'lr'", order_by: ['metrics.acc DESC'] }), [a.id, b.id]);
  eq('metric filter, order_by metric ASC',
    await ids({ filter: 'metrics.acc >= 0.7', order_by: ['metrics.acc ASC'] }), [d.id, b.id, a.id, c.id]);
  eq('tag filter, order_by run name',
    await ids({ filter: "tags.team = 'red'", order_by: ['attributes.run_name ASC'] }), [a.id, c.id, d.id]);
  eq('attribute filter on status', await ids({ filter: "attributes.status = 'FINISHED'" }), [a.id]);
  eq('param != filter', await ids({ filter: "params.model != 'lr'" }), [c.id]);
  eq('LIKE on a tag, order_by param and metric',
    await ids({ filter: "tags.team LIKE 'r%'", order_by: ['params.model ASC', 'metrics.acc DESC'] }), [c.id, a.id, d.id]);
  const full = await Runs.search({ experiment_ids: [expId], filter: 'metrics.acc > 0.75', order_by: ['metrics.acc DESC'] });
  const top = full.runs[0];
  eq('search returns data: latest acc of the top run', top.data.metrics.find((m) => m.key === 'acc').value, 0.95);
  eq('search returns data: params of the top run', kv(top.data.params).model, 'gbt');
  // Paging: one run per page, in order, until no next_page_token.
  const paged = [];
  let token;
  for (let i = 0; i < 10; i++) {
    const page = await Runs.search({ experiment_ids: [expId], order_by: ['metrics.acc DESC'], max_results: 1, page_token: token });
    paged.push(...(page.runs || []).map((r) => r.info.run_id));
    token = page.next_page_token;
    if (!token) break;
  }
  eq('paging with max_results 1', paged, [c.id, a.id, b.id, d.id]);
  await expectError('malformed filter', () => Runs.search({ experiment_ids: [expId], filter: 'metrics.acc >>> 1' }), 400, 'INVALID_PARAMETER_VALUE');

  await Runs.delete({ run_id: d.id });
  eq('ACTIVE_ONLY after delete', (await ids({ run_view_type: 'ACTIVE_ONLY', order_by: ['metrics.acc DESC'] })), [c.id, a.id, b.id]);
  eq('DELETED_ONLY after delete', (await ids({ run_view_type: 'DELETED_ONLY' })), [d.id]);
  eq('deleted run lifecycle_stage', (await Runs.get({ run_id: d.id })).run.info.lifecycle_stage, 'deleted');
  await Runs.restore({ run_id: d.id });
  eq('ALL after restore', (await ids({ run_view_type: 'ALL', order_by: ['metrics.acc DESC'] })), [c.id, a.id, b.id, d.id]);
  say('ok search-runs (filters on metrics, params, tags, attributes; order_by; paging; view types)');

  step = 'artifacts';
  const listed = await Artifacts.list({ run_id: a.id });
  eq('list: root_uri is the run artifact_uri', listed.root_uri, a.artifactUri);
  eq('list: empty run has no files', listed.files || [], []);
  // The client cannot upload; MLflow's artifact proxy takes a PUT of the
  // file's bytes at the path that follows the mlflow-artifacts: scheme.
  const proxyPath = a.artifactUri.startsWith('mlflow-artifacts:/') ? a.artifactUri.slice('mlflow-artifacts:/'.length).replace(/^\/+/, '') : null;
  const mlmodel = 'artifact_path: model\nflavors: {}\n';
  if (proxyPath !== null) {
    const url = `${endpoint}/api/2.0/mlflow-artifacts/artifacts/${proxyPath}/model/MLmodel`;
    const put = await fetch(url, { method: 'PUT', headers, body: mlmodel });
    eq(`PUT ${url}: status`, put.status, 200);
    const back = await fetch(url, { headers });
    eq('GET through the proxy: body', await back.text(), mlmodel);
    const inModel = await Artifacts.list({ run_id: a.id, path: 'model' });
    eq('list model/', inModel.files, [{ path: 'model/MLmodel', is_dir: false, file_size: mlmodel.length }]);
    const top = await Artifacts.list({ run_id: a.id });
    eq('list root', top.files, [{ path: 'model', is_dir: true }]);
    say('ok artifacts (list; upload and download through the proxy)');
  } else {
    say(`ok artifacts (list; artifact_uri ${a.artifactUri} is not served by the proxy, upload skipped)`);
  }

  step = 'registry';
  const modelName = `npm-compat-model-${suffix}`;
  const rm = await raw.post('registered-models/create', { name: modelName, description: 'from the npm client', tags: [{ key: 'task', value: 'churn' }] });
  eq('create: name', rm.registered_model.name, modelName);
  await expectError('create a taken name', () => raw.post('registered-models/create', { name: modelName }), 400, 'RESOURCE_ALREADY_EXISTS');
  const source = `${a.artifactUri}/model`;
  const v1 = (await raw.post('model-versions/create', { name: modelName, source, run_id: a.id, tags: [{ key: 'validated', value: 'no' }] })).model_version;
  eq('version 1: version', v1.version, '1');
  eq('version 1: name', v1.name, modelName);
  eq('version 1: source', v1.source, source);
  eq('version 1: run_id', v1.run_id, a.id);
  eq('version 1: status', v1.status, 'READY');
  const v2 = (await raw.post('model-versions/create', { name: modelName, source: `${c.artifactUri}/model`, run_id: c.id })).model_version;
  eq('version 2: version', v2.version, '2');

  await raw.post('registered-models/alias', { name: modelName, alias: 'champion', version: '2' });
  await raw.post('registered-models/alias', { name: modelName, alias: 'challenger', version: '1' });
  const byAlias = (await raw.get('registered-models/alias', { name: modelName, alias: 'champion' })).model_version;
  eq('alias champion: version', byAlias.version, '2');
  eq('alias champion: run_id', byAlias.run_id, c.id);
  eq('alias champion: aliases of the version', byAlias.aliases, ['champion']);
  // Moving the alias.
  await raw.post('registered-models/alias', { name: modelName, alias: 'champion', version: '1' });
  eq('alias champion moved: version', (await raw.get('registered-models/alias', { name: modelName, alias: 'champion' })).model_version.version, '1');

  const rmGot = (await raw.get('registered-models/get', { name: modelName })).registered_model;
  eq('get: description', rmGot.description, 'from the npm client');
  eq('get: tags', kv(rmGot.tags), { task: 'churn' });
  eq('get: aliases', [...(rmGot.aliases || [])].sort((x, y) => (x.alias < y.alias ? -1 : 1)), [
    { alias: 'challenger', version: '1' },
    { alias: 'champion', version: '1' },
  ]);
  ok('get: latest_versions includes version 2', (rmGot.latest_versions || []).some((v) => v.version === '2'), rmGot.latest_versions);
  const mv1 = (await raw.get('model-versions/get', { name: modelName, version: '1' })).model_version;
  eq('model-versions/get: tags', kv(mv1.tags), { validated: 'no' });
  eq('model-versions/get: aliases', [...(mv1.aliases || [])].sort(), ['challenger', 'champion']);
  const versions = (await raw.get('model-versions/search', { filter: `name = '${modelName}'` })).model_versions || [];
  eq('model-versions/search by name', versions.map((v) => v.version).sort(), ['1', '2']);
  const models = (await raw.get('registered-models/search', { filter: `name LIKE 'npm-compat-model-${suffix}%'` })).registered_models || [];
  eq('registered-models/search LIKE', models.map((m) => m.name), [modelName]);
  const dl = await raw.get('model-versions/get-download-uri', { name: modelName, version: '1' });
  eq('get-download-uri', dl.artifact_uri, source);
  await raw.del('registered-models/alias', { name: modelName, alias: 'challenger' });
  // MLflow answers a missing alias with INVALID_PARAMETER_VALUE (400);
  // RESOURCE_DOES_NOT_EXIST (404) is accepted too.
  const gone = await mlflowError('get a deleted alias', () => raw.get('registered-models/alias', { name: modelName, alias: 'challenger' }));
  ok('get a deleted alias: error', (gone.status === 400 && gone.error_code === 'INVALID_PARAMETER_VALUE') || (gone.status === 404 && gone.error_code === 'RESOURCE_DOES_NOT_EXIST'), gone);
  await expectError('get a missing model', () => raw.get('registered-models/get', { name: `${modelName}-missing` }), 404, 'RESOURCE_DOES_NOT_EXIST');
  say(`ok registry (${modelName}: 2 versions, alias champion → 1)`);
}

try {
  await main();
  say(`${passed} passed, 0 failed`);
} catch (e) {
  if (e instanceof Mismatch) {
    console.error(`FAIL ${e.message}`);
  } else {
    console.error(`FAIL ${step}: ${e && e.stack ? e.stack : e}`);
  }
  say(`${passed} passed, 1 failed`);
  process.exit(1);
}
