// The OpenAPI document the server answers at /api/v1/openapi.json, checked by real validators:
// @seriousme/openapi-schema-validator against the OpenAPI 3.1 schema (structure, required
// fields, $refs that resolve), then every Schema Object compiled as JSON Schema 2020-12 by Ajv
// in strict mode (unknown keywords, misspelt types and formats). The document's coverage of the
// route table is test_docs's job.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const BASE = process.env.HERALD_TEST_URL;

async function fetchDocument() {
  assert.ok(BASE, 'HERALD_TEST_URL is not set (run through tests/run.sh)');
  const resp = await fetch(`${BASE}/api/v1/openapi.json`);
  assert.equal(resp.status, 200);
  assert.match(resp.headers.get('content-type'), /^application\/json/);
  return resp.json();
}

// Every Schema Object outside components.schemas: parameters', headers' and media types'
// "schema", wherever they are, with the path to it for the message.
function inlineSchemas(node, path, out) {
  if (Array.isArray(node)) {
    node.forEach((v, i) => inlineSchemas(v, `${path}/${i}`, out));
  } else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === 'schema' && v && typeof v === 'object') out.push([`${path}/schema`, v]);
      else if (!(path === '#/components' && k === 'schemas')) inlineSchemas(v, `${path}/${k}`, out);
    }
  }
  return out;
}

test('openapi.json is a valid OpenAPI 3.1 document', async () => {
  const doc = await fetchDocument();
  assert.match(doc.openapi, /^3\.1\.\d+$/);
  const validator = new Validator();
  const result = await validator.validate(doc);
  assert.equal(validator.version, '3.1');
  assert.ok(result.valid, `invalid OpenAPI 3.1: ${JSON.stringify(result.errors, null, 1)}`);
});

test('every schema of openapi.json compiles as strict JSON Schema 2020-12', async () => {
  const doc = await fetchDocument();
  // Component references become references into one registered schema of all components.
  const text = JSON.stringify(doc).replaceAll('"#/components/schemas/', '"doc#/$defs/');
  const d = JSON.parse(text);
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats(ajv);
  // Keywords the OpenAPI 3.1 dialect adds to JSON Schema.
  ajv.addVocabulary(['example', 'discriminator', 'xml', 'externalDocs']);
  ajv.addSchema({ $id: 'doc', $defs: d.components?.schemas ?? {} });
  const schemas = Object.keys(d.components?.schemas ?? {}).map((n) => [`#/components/schemas/${n}`, { $ref: `doc#/$defs/${n}` }]);
  schemas.push(...inlineSchemas(d.paths, '#/paths', []), ...inlineSchemas(d.components ?? {}, '#/components', []));
  assert.ok(schemas.length > 40, `only ${schemas.length} schemas found`);
  const problems = [];
  for (const [where, schema] of schemas) {
    try {
      ajv.compile(schema);
    } catch (e) {
      problems.push(`${where}: ${e.message}`);
    }
  }
  assert.deepEqual(problems, []);
});
