// Download of an answer's attachment: decrypted for an officer who may see the
// request; a received document is read only with an audit entry (R9.1).
import { EixError } from '../domain/errors.js';
import { appendAudit } from './audit.js';
import type { Actor, AppContext } from './context.js';
import { loadRequest } from './request-record.js';

export async function readAttachment(
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
