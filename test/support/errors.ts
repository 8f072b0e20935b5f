// Awaits a use case that must fail with a coded EixError (and the named field).
import assert from 'node:assert/strict';
import { EixError } from '../../src/domain/errors.js';

export async function rejects(p: Promise<unknown>, code: string, field?: string): Promise<EixError> {
  let caught: unknown;
  try {
    await p;
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof EixError, `expected ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  if (field !== undefined) assert.equal(caught.data.field, field, JSON.stringify(caught.data));
  return caught;
}
