import { describe, expect, it } from 'vitest';
import { describeApi, operationIdOf } from './openapi-document.ts';
import { exampleOf } from './openapi-example.ts';

describe('the OpenAPI document', () => {
  it('derives operation ids from method and path', () => {
    expect(operationIdOf('get', '/v1/orgs/{orgId}/devices')).toBe('getOrgsDevices');
    expect(operationIdOf('get', '/v1/orgs/{orgId}/devices/{id}')).toBe('getOrgsDevicesById');
    expect(operationIdOf('post', '/v1/orgs/{orgId}/ota/rollouts/{id}/pause')).toBe('postOrgsOtaRolloutsPause');
    expect(operationIdOf('get', '/.well-known/jwks.json')).toBe('getWellKnownJwksJson');
  });

  it('keeps ids routes give, refuses two alike, and adds examples, servers and tags', () => {
    const body = {
      content: {
        'application/json': {
          schema: { type: 'object', properties: { name: { type: 'string', minLength: 1 } }, required: ['name'] },
        },
      },
    };
    const doc = describeApi(
      { paths: { '/v1/a': { get: { operationId: 'mine', tags: ['a'] }, post: { tags: ['a'], requestBody: body } } } },
      { servers: [{ url: 'https://iot.example.com' }], tags: { a: 'Things called a' } },
    );
    expect(doc.paths['/v1/a'].get.operationId).toBe('mine');
    expect(doc.paths['/v1/a'].post).toMatchObject({ operationId: 'postA' });
    expect(body.content['application/json']).toMatchObject({ example: { name: 'sensor-1' } });
    expect(doc).toMatchObject({ servers: [{ url: 'https://iot.example.com' }], tags: [{ name: 'a' }] });
    expect(() =>
      describeApi({ paths: { '/x/{a}/y': { get: {} }, '/x/{b}/y': { get: {} } } }, { servers: [], tags: {} }),
    ).toThrow(/getXY/);
  });

  it('makes examples the schema accepts, or none', () => {
    const schemas = { Id: { type: 'string', format: 'uuid' } };
    expect(
      exampleOf(
        {
          type: 'object',
          properties: {
            id: { $ref: '#/components/schemas/Id' },
            code: { type: 'string', pattern: '^\\d{6}$' },
            n: { type: 'integer', minimum: 5, maximum: 9 },
            kind: { enum: ['static', 'dynamic'] },
            tags: { type: 'array', items: { type: 'string' } },
            note: { anyOf: [{ type: 'null' }, { type: 'string', maxLength: 3 }] },
          },
        },
        schemas,
      ),
    ).toEqual({
      id: '7d1e6c4a-3b2f-4c1d-9e8f-0a1b2c3d4e5f',
      code: '123456',
      n: 5,
      kind: 'static',
      tags: ['sensor-1'],
      note: 'a',
    });
    expect(exampleOf({ type: 'string', pattern: '^zz$' }, {})).toBeUndefined();
  });
});
