// Request factories for tests: a complete, valid request and a way to vary it.
import { readFileSync } from 'node:fs';
import type { Request } from '../../src/domain/request.js';

const example = JSON.parse(
  readFileSync(new URL('../../data/examples/request-ru-kz.json', import.meta.url), 'utf8'),
) as Request;

/** A deep copy of the shipped example request (RU → KZ), modified by `change`. */
export function aRequest(change: (r: Request) => void = () => undefined): Request {
  const r = structuredClone(example);
  change(r);
  return r;
}
