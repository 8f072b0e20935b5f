// Download of an answer's attachment: decrypted for an officer who may see the
// request; a received document is read only with an audit entry (R9.1).
// What it is served as is decided here, not taken from storage: the allowlisted
// type when the content still is that type, application/octet-stream otherwise
// (files stored before the allowlist), and a file name that matches (ASVS V12.5.x).
import { downloadFileName } from '../domain/attachments.js';
import { EixError } from '../domain/errors.js';
import { appendAudit } from './audit.js';
import { servedType } from './check-attachments.js';
import type { Actor, AppContext } from './context.js';
import { loadRequest } from './request-record.js';

export async function readAttachment(
  ctx: AppContext,
  actor: Actor,
  requestId: string,
  sha256: string,
): Promise<{ fileName: string; mediaType: string; content: Buffer }> {
  const file = await readStored(ctx, actor, requestId, sha256);
  const served = await servedType(file.mediaType, file.content);
  return { fileName: downloadFileName(file.fileName, served.type), mediaType: served.mediaType, content: file.content };
}

async function readStored(
  ctx: AppContext,
  actor: Actor,
  requestId: string,
  sha256: string,
): Promise<{ fileName: string; mediaType: string; content: Buffer }> {
  return ctx.db.transaction().execute(async (tx) => {
    const row = await loadRequest(tx, actor, requestId, { act: false });
    const file = /^[0-9a-f]{64}$/.test(sha256)
      ? await tx
          .selectFrom('answer_attachments')
          .innerJoin('answers', 'answers.id', 'answer_attachments.answer_id')
          .innerJoin('attachments', 'attachments.sha256', 'answer_attachments.sha256')
          .select(['answer_attachments.file_name', 'attachments.media_type', 'attachments.content_enc'])
          .where('answers.request_id', '=', row.id)
          .where('attachments.sha256', '=', sha256)
          .executeTakeFirst()
      : undefined;
    if (!file) throw new EixError('attachment.not_found', { requestId, sha256 });
    if (!file.content_enc)
      throw new EixError(
        'attachment.not_found',
        { requestId, sha256 },
        'Вложение уничтожено по истечении срока хранения (статья 9)',
      );
    const content = ctx.sealer.decrypt(file.content_enc, `attachment:${sha256}`);
    if (row.direction === 'outgoing') {
      await appendAudit(tx, ctx, actor, {
        action: 'personal_data.read',
        bodyId: row.body_id,
        requestId: row.id,
        subject: row.number,
        details: { parts: ['attachment'], sha256 },
      });
    }
    return { fileName: file.file_name, mediaType: file.media_type, content };
  });
}
