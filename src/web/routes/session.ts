// Signing in and out, the second factor, the officer's own password and security page (issue 13).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import { closeSession, openSession, sessionHash, type SessionEnd } from '../../app/sessions.js';
import { changePassword } from '../../app/change-password.js';
import { estimatePassword } from '../../app/estimate-password.js';
import { confirmTotpEnrolment } from '../../app/confirm-totp-enrolment.js';
import { createApiToken } from '../../app/create-api-token.js';
import { startTotpEnrolment } from '../../app/start-totp-enrolment.js';
import { verifySecondFactor } from '../../app/verify-second-factor.js';
import { isEixError } from '../../domain/errors.js';

import { COOKIE, SESSION_COOKIE_ATTRIBUTES, one, opt, raw, type Form, type WebKit } from '../kit.js';

/** Why the login page is shown after a session ended (a fixed code in the URL, never text). */
const SESSION_ENDED_RU: Readonly<Record<SessionEnd, string>> = {
  idle: 'Сеанс завершён из-за бездействия. Войдите снова.',
  expired: 'Срок сеанса истёк. Войдите снова.',
};

export function sessionRoutes(app: FastifyInstance, kit: WebKit): void {
  const { ctx, render, page, me, eta, opts } = kit;
  app.get('/login', (req, reply) => {
    const ended = one((req.query as Form).ended);
    const notice = Object.hasOwn(SESSION_ENDED_RU, ended) ? SESSION_ENDED_RU[ended as SessionEnd] : null;
    return render(reply, req, 'login', { title: 'Вход', ...(notice ? { flash: { text: notice } } : {}) });
  });
  app.post('/login', async (req, reply) => {
    const f = (req.body ?? {}) as Form;
    try {
      await opts.authFailures?.check(req, reply);
      const s = await openSession(
        ctx,
        { login: one(f.login), password: typeof f.password === 'string' ? f.password : '' },
        { address: req.ip },
      ).catch(async (e: unknown) => {
        if (isEixError(e) && e.code === 'auth.failed') await opts.authFailures?.fail(req);
        throw e;
      });
      // A login never keeps the session the browser brought (planted, or another
      // officer's left open): that one ends, the new id replaces it.
      const carried = req.cookies[COOKIE];
      if (carried) await closeSession(ctx, carried);
      void reply.setCookie(COOKIE, s.token, { ...SESSION_COOKIE_ATTRIBUTES, maxAge: 10 * 3600 });
      return reply.redirect('/');
    } catch (e) {
      if (!isEixError(e)) throw e;
      if (typeof e.data.retryAfterSeconds === 'number')
        void reply.header('retry-after', String(e.data.retryAfterSeconds));
      return render(reply, req, 'login', { title: 'Вход', login: one(f.login), flash: { text: e.message } }, e.http);
    }
  });
  app.post('/logout', async (req, reply) => {
    const token = req.cookies[COOKIE];
    if (token) await closeSession(ctx, token);
    void reply.clearCookie(COOKIE, SESSION_COOKIE_ATTRIBUTES);
    return reply.redirect('/login');
  });

  // Second step of the login (issue 13, item 3): its own page after a successful password.
  app.get('/login/code', (req, reply) => render(reply, req, 'login-code', { title: 'Код подтверждения' }));
  app.post('/login/code', async (req, reply) => {
    const f = (req.body ?? {}) as Form;
    try {
      await verifySecondFactor(ctx, me(req), { code: one(f.code) }, sessionHash(req.cookies[COOKIE] ?? ''));
      return reply.redirect('/');
    } catch (e) {
      if (!isEixError(e)) throw e;
      if (e.data.sessionEnded) {
        void reply.clearCookie(COOKIE, SESSION_COOKIE_ATTRIBUTES);
        req.session = null;
        return render(reply, req, 'login', { title: 'Вход', flash: { text: e.message } }, e.http);
      }
      return render(reply, req, 'login-code', { title: 'Код подтверждения', flash: { text: e.message } }, e.http);
    }
  });
  // The officer's own security page: second factor (required for admins) and his own API tokens.
  const security = (req: FastifyRequest, reply: FastifyReply, data: Record<string, unknown> = {}, status = 200) =>
    render(
      reply,
      req,
      'security',
      { title: 'Безопасность', totpEnabled: req.session?.totpEnabled ?? false, gate: req.session?.gate, ...data },
      status,
    );
  app.get('/security', (req, reply) => security(req, reply));
  app.post(
    '/security/totp',
    page(async (req, reply) => {
      const e = await startTotpEnrolment(ctx, me(req));
      const qr = await QRCode.toString(e.uri, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
      return security(req, reply, { enrol: { secret: e.secret.replace(/(.{4})/g, '$1 ').trim(), qr } });
    }),
  );
  app.post(
    '/security/totp/confirm',
    page(async (req, reply) => {
      const f = (req.body ?? {}) as Form;
      try {
        const r = await confirmTotpEnrolment(
          ctx,
          me(req),
          { code: one(f.code) },
          sessionHash(req.cookies[COOKIE] ?? ''),
        );
        return security(req, reply, { totpEnabled: true, gate: null, recoveryCodes: r.recoveryCodes });
      } catch (e) {
        if (!isEixError(e) || e.code !== 'mfa.code') throw e;
        return security(req, reply, { flash: { text: `${e.message}. Начните подключение заново.` } }, e.http);
      }
    }),
  );
  app.post(
    '/security/tokens',
    page(async (req, reply) => {
      const f = (req.body ?? {}) as Form;
      const t = await createApiToken(ctx, me(req), { name: one(f.name) });
      return security(req, reply, { token: t });
    }),
  );

  app.get('/password', (req, reply) => render(reply, req, 'password', { title: 'Смена пароля' }));
  app.post(
    '/password',
    page(async (req, reply) => {
      const f = (req.body ?? {}) as Form;
      try {
        await changePassword(
          ctx,
          me(req),
          { current: raw(f.current), next: raw(f.next) },
          sessionHash(req.cookies[COOKIE] ?? ''),
        );
      } catch (e) {
        if (!isEixError(e)) throw e;
        return render(reply, req, 'password', { title: 'Смена пароля', flash: { text: e.message } }, e.http);
      }
      return render(reply, req, 'password', {
        title: 'Смена пароля',
        changed: true,
        flash: { ok: true, text: 'Пароль изменён; другие сеансы завершены.' },
      });
    }),
  );
  // ASVS V2.1.8: the strength meter under a new-password field (htmx, as the request wizard's live check).
  // The officer's own page sends only the password; the admin's new-user form also the login and name typed.
  app.post(
    '/password/strength',
    page(async (req, reply) => {
      const f = (req.body ?? {}) as Form;
      const password = raw(f.next) || raw(f.password);
      const check = password
        ? estimatePassword(ctx, me(req), {
            password,
            ...(opt(f.login) ? { login: one(f.login) } : {}),
            ...(opt(f.fullName) ? { fullName: one(f.fullName) } : {}),
          })
        : null;
      return reply
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .send(eta.render('password-strength', { check }));
    }),
  );
}
