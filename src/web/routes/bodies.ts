// Issue 15.1: a body's page for the administrator — details, letterhead and the state of its seal: the CSR
// to download for the Party CA, the issued certificate to import, a new key and CSR for a rotation.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { getBodySeal, SEAL_WARNING_DAYS } from '../../app/get-body-seal.js';
import { importBodyCertificate } from '../../app/import-body-certificate.js';
import { listBodies } from '../../app/list-bodies.js';
import { requestBodySeal } from '../../app/request-body-seal.js';
import { setFlash, takeFlash } from '../../app/sessions.js';
import { EixError, isEixError } from '../../domain/errors.js';
import { BODY_KIND_LABELS } from '../../domain/vocabulary.js';
import { readMultipart } from '../forms/answer-form.js';
import { COOKIE, one, uploadScope, type WebKit } from '../kit.js';

/** A seal certificate is a few kilobytes (PEM or DER); anything much larger is not one. */
const CERTIFICATE_FILE_BYTES = 64 * 1024;

/** The certificate as PEM text: an uploaded .crt/.pem file (PEM, or DER as a CA may hand it out), else the pasted text. */
function certificateText(pasted: string, file: Buffer | undefined): string {
  if (!file) return pasted;
  const text = file.toString('utf8');
  if (text.includes('-----BEGIN')) return text;
  // DER: a SEQUENCE (0x30) — wrapped as PEM for the same checks as a pasted certificate.
  if (file[0] === 0x30) {
    const b64 = file.toString('base64').replace(/.{1,64}/g, '$&\n');
    return `-----BEGIN CERTIFICATE-----\n${b64}-----END CERTIFICATE-----\n`;
  }
  return text;
}

export async function bodyRoutes(app: FastifyInstance, kit: WebKit): Promise<void> {
  const { ctx, render, page, me } = kit;
  const adminOnly = (req: FastifyRequest) => {
    const o = me(req);
    if (!o.roles.includes('admin')) throw new EixError('access.denied');
    return o;
  };
  const idOf = (req: FastifyRequest) => (req.params as { id: string }).id;
  const show = async (
    req: FastifyRequest,
    reply: FastifyReply,
    extra: { error?: string; flash?: string | null; certificate?: string } = {},
    status = 200,
  ) => {
    const o = adminOnly(req);
    const id = idOf(req);
    const body = (await listBodies(ctx, o)).find((b) => b.id === id);
    if (!body) throw new EixError('body.not_found', { id });
    const seal = await getBodySeal(ctx, o, id);
    return render(
      reply,
      req,
      'body',
      {
        title: `Орган: ${body.name}`,
        body,
        kindLabel: BODY_KIND_LABELS[body.kind],
        seal,
        warningDays: SEAL_WARNING_DAYS,
        ...(extra.flash ? { flash: { ok: true, text: extra.flash } } : {}),
        error: extra.error ?? null,
        certificate: extra.certificate ?? '',
      },
      status,
    );
  };
  app.get(
    '/admin/bodies/:id',
    page(async (req, reply) => show(req, reply, { flash: await takeFlash(ctx, req.cookies[COOKIE] ?? '') })),
  );
  app.get(
    '/admin/bodies/:id/csr',
    page(async (req, reply) => {
      const o = adminOnly(req);
      const id = idOf(req);
      const seal = await getBodySeal(ctx, o, id);
      if (!seal?.csrPem)
        throw new EixError('seal.no_request', { bodyId: id }, 'Для этого органа нет запроса на сертификат печати');
      return reply
        .type('application/pkcs10')
        .header('content-disposition', `attachment; filename="${id}.csr"`)
        .header('cache-control', 'no-store')
        .send(seal.csrPem);
    }),
  );
  app.post(
    '/admin/bodies/:id/csr',
    page(async (req, reply) => {
      const o = adminOnly(req);
      const id = idOf(req);
      await requestBodySeal(ctx, o, id);
      await setFlash(
        ctx,
        req.cookies[COOKIE] ?? '',
        'Создан новый ключ и запрос на сертификат печати. Передайте запрос в удостоверяющий центр Стороны; текущий сертификат действует до установки нового.',
      );
      return reply.redirect(`/admin/bodies/${id}`);
    }),
  );
  // The certificate is pasted or uploaded as a file (the form is multipart; a urlencoded post still works).
  await uploadScope(app, kit, { fileSize: CERTIFICATE_FILE_BYTES, files: 1, fields: 10, parts: 11 }, (files) => {
    files.post(
      '/admin/bodies/:id/certificate',
      page(async (req, reply) => {
        const o = adminOnly(req);
        const id = idOf(req);
        const { form, files: uploaded } = await readMultipart(req.body);
        const file = uploaded.find((f) => f.field === 'certificateFile')?.content;
        const certPem = certificateText(one(form.certificate), file);
        let seal;
        try {
          seal = await importBodyCertificate(ctx, o, { bodyId: id, certPem });
        } catch (e) {
          // The form again, with what is wrong and the pasted certificate kept.
          if (!isEixError(e) || e.http >= 500) throw e;
          return show(req, reply, { error: e.message, certificate: certPem }, 422);
        }
        await setFlash(
          ctx,
          req.cookies[COOKIE] ?? '',
          seal.designated
            ? 'Сертификат печати установлен: сотрудники органа могут подписывать'
            : 'Сертификат печати установлен. Орган ещё не внесён в реестр доверия: подписывать запросы сотрудники органа смогут после установки новой версии реестра, в которую он включён.',
        );
        return reply.redirect(`/admin/bodies/${id}`);
      }),
    );
  });
}
