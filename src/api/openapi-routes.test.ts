import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { EXAMPLE_REGISTERS, startTestServer, type TestServer } from '../server/testing.ts';
import { openapiDocument } from './openapi-document.ts';

function refs(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refs);
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => (k === '$ref' && typeof v === 'string' ? [v] : refs(v)));
  return [];
}

describe('the OpenAPI document', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ registers: [EXAMPLE_REGISTERS.commune] });
  });
  after(async () => server.close());

  it('is served as OpenAPI 3.1 JSON at /api/v1/openapi.json', async () => {
    const r = await fetch(`${server.url}/api/v1/openapi.json`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
    const doc = (await r.json()) as { openapi: string; paths: Record<string, unknown> };
    assert.equal(doc.openapi, '3.1.0');
    assert.deepEqual(Object.keys(doc.paths).sort(), [
      '/api/v1/{tenant}/consent',
      '/api/v1/{tenant}/consent/{consentId}',
      '/api/v1/{tenant}/forms/{formId}/submissions',
      '/api/v1/{tenant}/hit',
      '/api/v1/{tenant}/journal',
      '/api/v1/{tenant}/notice',
      '/api/v1/{tenant}/records',
      '/api/v1/{tenant}/records/{id}',
      '/api/v1/{tenant}/records/{id}/files/{fileId}',
      '/api/v1/{tenant}/records/{id}/journal',
      '/api/v1/{tenant}/rights-requests',
      '/api/v1/{tenant}/rights-requests/{id}/extend',
      '/api/v1/{tenant}/rights-requests/{id}/fulfil',
      '/api/v1/{tenant}/rights-requests/{id}/lift',
      '/api/v1/{tenant}/rights-requests/{id}/notifications',
      '/api/v1/{tenant}/rights-requests/{id}/verify',
      '/api/v1/{tenant}/tracking/{code}',
    ]);
  });

  it('resolves every schema it refers to', () => {
    const schemas = Object.keys(openapiDocument.components.schemas);
    for (const ref of refs(openapiDocument)) assert.ok(schemas.includes(ref.replace('#/components/schemas/', '')), ref);
  });

  it('describes only routes that exist: each answers with one of its documented statuses', async () => {
    for (const [path, operations] of Object.entries(openapiDocument.paths))
      for (const [method, operation] of Object.entries(operations as Record<string, { responses: Record<string, unknown> }>)) {
        const url = path.replace('{tenant}', 'val-fleuri').replace('{formId}', 'contact-mairie').replace(/\{(id|fileId|consentId)\}/g, () => randomUUID()).replace('{code}', 'K7QM-3XTP-9WZD');
        const r = await fetch(`${server.url}${url}`, {
          method: method.toUpperCase(),
          ...(method === 'get' ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ data: {} }) }),
        });
        assert.ok(Object.keys(operation.responses).includes(String(r.status)), `${method} ${path}: ${r.status}`);
        if (r.status === 404) assert.notEqual(((await r.json()) as { error: string }).error, 'page-not-found', `${method} ${path} is not routed`);
      }
  });
});
