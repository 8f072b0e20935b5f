// The one mapping from a thrown error to the API's error contract: a database
// that went away is the retryable 503 `storage.unavailable`, never a 500.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EixError } from '../../src/domain/errors.js';
import { isStorageUnavailable, toEixError } from '../../src/adapters/http/errors.js';

test('a lost or refused database connection is storage.unavailable (503)', () => {
  const lost = [
    new Error('Connection terminated unexpectedly'),
    new Error('Client has encountered a connection error and is not queryable'),
    Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
    Object.assign(new Error('the database system is starting up'), { code: '57P03' }),
    Object.assign(new Error('connection failure'), { code: '08006' }),
    Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
  ];
  for (const e of lost) {
    assert.equal(isStorageUnavailable(e), true, e.message);
    const mapped = toEixError(e);
    assert.equal(mapped.code, 'storage.unavailable');
    assert.equal(mapped.http, 503);
  }
});

test('other errors keep their mapping', () => {
  assert.equal(toEixError(Object.assign(new Error('duplicate key'), { code: '23505' })).code, 'internal');
  assert.equal(toEixError(new Error('boom')).code, 'internal');
  assert.equal(toEixError(null).code, 'internal');
  assert.equal(
    toEixError(Object.assign(new Error('x'), { code: 'FST_ERR_CTP_BODY_TOO_LARGE' })).code,
    'input.too_large',
  );
  assert.equal(toEixError(Object.assign(new Error('x'), { statusCode: 429 })).code, 'rate_limited');
  assert.equal(toEixError(Object.assign(new Error('x'), { statusCode: 404, code: 'FST_X' })).code, 'input.invalid');
  const own = new EixError('request.not_found');
  assert.equal(toEixError(own), own);
});
