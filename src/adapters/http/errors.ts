// One mapping from whatever a handler threw to the stable error contract, for
// the REST API and the federation endpoint: our own EixError as is, Fastify's
// parser errors by their code, a lost database connection as the retryable
// `storage.unavailable` (503), anything else as `internal` (500).
import { EixError, isEixError } from '../../domain/errors.js';

// PostgreSQL SQLSTATEs of a connection the server ended or refused (class 08,
// admin/crash shutdown, "starting up") and the driver's and socket's own errors.
const STORAGE_SQLSTATES = /^(08\d{3}|57P0[1-3])$/;
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH']);
const DRIVER_MESSAGES =
  /^(Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect|Client was closed and is not queryable)/;

export function isStorageUnavailable(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  const code = typeof e.code === 'string' ? e.code : '';
  return (
    STORAGE_SQLSTATES.test(code) ||
    SOCKET_CODES.has(code) ||
    (typeof e.message === 'string' && DRIVER_MESSAGES.test(e.message))
  );
}

export function toEixError(err: unknown): EixError {
  if (isEixError(err)) return err;
  if (isStorageUnavailable(err)) return new EixError('storage.unavailable');
  const e = (err ?? {}) as { statusCode?: number; code?: string };
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new EixError('input.too_large');
  if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return new EixError('input.media_type');
  // Upload caps of @fastify/multipart (web forms with files).
  if (e.code === 'FST_REQ_FILE_TOO_LARGE') return new EixError('attachment.too_large', { field: 'file' });
  if (e.code === 'FST_FILES_LIMIT' || e.code === 'FST_PARTS_LIMIT' || e.code === 'FST_FIELDS_LIMIT')
    return new EixError('input.too_large', { field: 'file' }, 'Слишком много файлов или полей в одной форме');
  if (
    e.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ||
    e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ||
    err instanceof SyntaxError
  )
    return new EixError('input.json', {}, 'Тело запроса не является корректным JSON');
  if (e.statusCode === 429) {
    // @fastify/rate-limit throws what its errorResponseBuilder made: keep the wait it names.
    const built = (err as { error?: { details?: Record<string, unknown>; message?: string } }).error;
    return built?.details ? new EixError('rate_limited', built.details, built.message) : new EixError('rate_limited');
  }
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500)
    return new EixError('input.invalid', { reason: e.code ?? null }, 'Неверный запрос');
  return new EixError('internal');
}
