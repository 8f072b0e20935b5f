// A signed checkpoint of the audit log (issue 13, ASVS V7.3.3): the hourly
// job and `eix audit checkpoint` verify the whole log (hashes, links, macs)
// against the latest stored checkpoint, then sign its head with the node's
// TLS key and store the JWS. A node never signs a log that is broken, shorter
// than, or different from what it signed before: it refuses with audit.broken.
// Nothing here runs under the append lock.
import {
  CHECKPOINT_FORMAT,
  verifyCheckpoint,
  type CheckpointPayload,
  type CheckpointSigner,
} from '../adapters/crypto/audit-checkpoint.js';
import { EixError } from '../domain/errors.js';
import { verifyAuditLog, type CheckpointClaim } from './audit.js';
import type { AppContext } from './context.js';

export interface AuditCheckpoint {
  readonly payload: CheckpointPayload;
  readonly jws: string;
}

/** The newest stored checkpoint whose signature this node's certificate verifies (a forged row is passed over). */
export async function latestAuditCheckpoint(ctx: AppContext, certPem: string): Promise<AuditCheckpoint | null> {
  const rows = await ctx.db.selectFrom('audit_checkpoints').select('jws').orderBy('id', 'desc').limit(20).execute();
  for (const r of rows) {
    try {
      return { payload: await verifyCheckpoint(r.jws, certPem), jws: r.jws };
    } catch {
      // Not ours (forged, or signed by a certificate since renewed): the next one.
    }
  }
  return null;
}

export async function createAuditCheckpoint(
  ctx: AppContext,
  opts: { readonly signer: CheckpointSigner | null; readonly nodeId: string | null },
): Promise<AuditCheckpoint> {
  const signer = opts.signer;
  if (!signer)
    throw new EixError(
      'audit.no_signing_key',
      { field: 'EIX_HOME' },
      'У узла нет TLS-ключа и сертификата (keys/tls/node.key, keys/tls/node-chain.crt): контрольную точку журнала аудита нечем подписать; выпустите сертификат узла (eix pki node-cert)',
    );
  const previous = await latestAuditCheckpoint(ctx, signer.certPem);
  const claim: CheckpointClaim | undefined = previous
    ? { seq: previous.payload.seq, hash: previous.payload.hash, mac: previous.payload.mac }
    : undefined;
  const verdict = await verifyAuditLog(ctx.db, { key: ctx.auditKey?.key, checkpoint: claim });
  if (!verdict.ok)
    throw new EixError(
      'audit.broken',
      { brokenAt: verdict.brokenAt, reason: verdict.reason },
      `Контрольная точка не создана: журнал аудита нарушен (запись № ${verdict.brokenAt}, ${verdict.reason})`,
    );
  const payload: CheckpointPayload = {
    format: CHECKPOINT_FORMAT,
    party: ctx.party,
    nodeId: opts.nodeId,
    seq: verdict.count,
    hash: verdict.lastHash,
    mac: verdict.lastMac,
    count: verdict.count,
    legacy: verdict.legacy,
    keyId: ctx.auditKey?.id ?? null,
    at: ctx.clock.now().toISOString(),
  };
  const jws = await signer.sign(payload);
  await ctx.db
    .insertInto('audit_checkpoints')
    .values({
      created_at: payload.at,
      seq: payload.seq,
      hash: payload.hash,
      mac: payload.mac,
      count: payload.count,
      jws,
    })
    .execute();
  return { payload, jws };
}
