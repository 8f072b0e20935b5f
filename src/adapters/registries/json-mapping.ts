// A registry's JSON answer → rows of the answer's data (issue 17 item 2), by
// the mapping in registries.json: where the records are (a JSON Pointer,
// RFC 6901) and, per answer field, where its value is in a record (or a
// constant). Values are converted to the field's type where that is
// unambiguous ("1500.50" → 1500.5 for an amount, 2019 → "2019" for a text);
// each row is then checked against the answer's schema, so anything the
// registry sent that does not fit is refused whole, with the field named.
import type { FieldSource, ResponseMapping } from '../../config/registries.js';
import { checkSchema } from '../../domain/problems.js';
import { answerFieldsOf, rowSchemaOf, type AnswerField, type LookupKind } from '../../domain/registry-lookups.js';

/** RFC 6901: the value at `pointer` in `doc`, or undefined when there is none. */
export function resolvePointer(doc: unknown, pointer: string): unknown {
  if (pointer === '') return doc;
  let cur: unknown = doc;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur)) {
      if (!/^(0|[1-9]\d*)$/.test(key)) return undefined;
      cur = cur[Number(key)];
    } else if (cur !== null && typeof cur === 'object') {
      cur = Object.prototype.hasOwnProperty.call(cur, key) ? (cur as Record<string, unknown>)[key] : undefined;
    } else return undefined;
  }
  return cur;
}

const NUMBER = /^-?\d+(\.\d+)?$/;

function convert(value: unknown, type: AnswerField['type']): unknown {
  if (type === 'string') return typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
  if (typeof value === 'string' && NUMBER.test(value.trim())) {
    const n = Number(value.trim());
    return type === 'integer' && !Number.isInteger(n) ? value : n;
  }
  return value;
}

function valueOf(record: unknown, source: FieldSource): unknown {
  return typeof source === 'string' ? resolvePointer(record, source) : source.value;
}

export type Mapped = { readonly rows: Record<string, unknown>[] } | { readonly problem: string };

/** The rows of the answer, or what does not fit (a technical reason for the log; the officer reads the failure code). */
export function mapRecords(kind: LookupKind, mapping: ResponseMapping, body: unknown): Mapped {
  const at = resolvePointer(body, mapping.records);
  if (at === undefined || at === null) return { problem: `no records at "${mapping.records}"` };
  const records = Array.isArray(at) ? at : [at];
  if (records.length > 200) return { problem: `too many records (${records.length})` };
  const fields = answerFieldsOf(kind);
  const schema = rowSchemaOf(kind);
  const rows: Record<string, unknown>[] = [];
  for (const [i, record] of records.entries()) {
    if (record === null || typeof record !== 'object' || Array.isArray(record))
      return { problem: `record ${i} is not an object` };
    const row: Record<string, unknown> = {};
    // A nested amount filled only by constants (its currency) is absent when the record has no value for it.
    const fromRecord = new Set<string>();
    for (const f of fields) {
      const source = mapping.fields[f.path];
      if (source === undefined) continue;
      const v = valueOf(record, source);
      if (v === undefined || v === null || v === '') continue;
      const converted = convert(v, f.type);
      if (f.group) {
        const group = (row[f.group] ??= {}) as Record<string, unknown>;
        group[f.path.slice(f.group.length + 1)] = converted;
        if (typeof source === 'string') fromRecord.add(f.group);
      } else row[f.path] = converted;
    }
    for (const g of new Set(fields.flatMap((f) => (f.group ? [f.group] : []))))
      if (row[g] !== undefined && !fromRecord.has(g)) delete row[g];
    const problems = checkSchema(schema, row);
    if (problems.length) return { problem: `record ${i}: ${problems[0]!.path || 'record'}: ${problems[0]!.code}` };
    rows.push(row);
  }
  return { rows };
}
