// «Состояние узла» (issue 15, item 4): the node's health for its administrator (a supervisor reads it,
// his own body's failed deliveries only); an administrator makes a failed delivery due again from here.
import type { FastifyInstance } from 'fastify';
import { getMailQueue } from '../../app/get-mail-queue.js';
import { getNodeHealth, type CertificateKind } from '../../app/get-node-health.js';
import { retryMailLetter } from '../../app/retry-mail-letter.js';
import { retryDelivery } from '../../app/retry-delivery.js';
import { setFlash, takeFlash } from '../../app/sessions.js';
import { CERTIFICATE_STATE_RU } from '../../domain/node-health.js';
import { COOKIE, one, type Form, type WebKit } from '../kit.js';

const CERTIFICATE_KIND_RU: Readonly<Record<CertificateKind, string>> = {
  tls: 'Сертификат узла (TLS)',
  seal: 'Сертификат печати органа',
  party_ca: 'Удостоверяющий центр Стороны',
};

/** «2,4 МБ»: a size in bytes as people read it. */
function sizeRu(bytes: number | null): string {
  if (bytes === null) return 'неизвестен';
  const units = ['Б', 'КБ', 'МБ', 'ГБ', 'ТБ'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toLocaleString('ru-RU', { maximumFractionDigits: i === 0 ? 0 : 1 })} ${units[i]}`;
}

/** «3 ч 12 мин»: how long the oldest message has waited. */
function ageRu(seconds: number | null): string {
  if (seconds === null) return '';
  const d = Math.floor(seconds / 86_400);
  const h = Math.floor((seconds % 86_400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  if (d > 0) return `${d} дн. ${h} ч`;
  if (h > 0) return `${h} ч ${m} мин`;
  return `${m} мин`;
}

export function healthRoutes(app: FastifyInstance, kit: WebKit): void {
  const { ctx, render, page, me } = kit;
  app.get(
    '/admin/health',
    page(async (req, reply) => {
      const o = me(req);
      const health = await getNodeHealth(ctx, o);
      const flash = await takeFlash(ctx, req.cookies[COOKIE] ?? '');
      return render(reply, req, 'health', {
        title: 'Состояние узла',
        health,
        // Issue 17 item 3: the letters to officers (a supervisor: his body's).
        mail: await getMailQueue(ctx, o),
        isAdmin: o.roles.includes('admin'),
        // The request page opens for those who work with requests; an administrator alone sees the number.
        canOpenRequests: o.roles.some((r) => r === 'officer' || r === 'supervisor' || r === 'central'),
        certificateKind: (k: CertificateKind) => CERTIFICATE_KIND_RU[k],
        certificateState: (s: keyof typeof CERTIFICATE_STATE_RU) => CERTIFICATE_STATE_RU[s],
        sizeRu,
        ageRu,
        flash: flash ? { text: flash, ok: true } : null,
      });
    }),
  );
  app.post<{ Params: { id: string } }>(
    '/admin/health/mail/:id/retry',
    page(async (req, reply) => {
      await retryMailLetter(ctx, me(req), (req.params as { id: string }).id);
      await setFlash(ctx, req.cookies[COOKIE] ?? '', 'Письмо поставлено в очередь на повторную отправку');
      return reply.redirect('/admin/health#mail');
    }),
  );
  app.post<{ Params: { messageId: string } }>(
    '/admin/health/deliveries/:messageId/retry',
    page(async (req, reply) => {
      const { messageId } = req.params as { messageId: string };
      const f = (req.body ?? {}) as Form;
      await retryDelivery(ctx, me(req), { requestId: one(f.requestId), messageId });
      await setFlash(ctx, req.cookies[COOKIE] ?? '', 'Сообщение поставлено в очередь на повторную отправку');
      return reply.redirect('/admin/health#failed-deliveries');
    }),
  );
}
