// The administration page: bodies, users, role grants, retention (R9.6), the protection statement (R9.5).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ROLE_LABELS_RU, type Officer } from '../../app/context.js';
import { getProtectionStatement } from '../../app/get-protection-statement.js';
import { listAuditEntries } from '../../app/list-audit-entries.js';
import { listBodies } from '../../app/list-bodies.js';
import { listWaitingMessages } from '../../app/list-waiting-messages.js';
import { checkRetentionRules } from '../../app/check-retention-rules.js';
import { listRetentionRules } from '../../app/list-retention-rules.js';
import { setFlash, takeFlash } from '../../app/sessions.js';
import { listApiTokens } from '../../app/list-api-tokens.js';
import { decideRoleGrant } from '../../app/decide-role-grant.js';
import { listRoleGrants } from '../../app/list-role-grants.js';
import { addBody } from '../../app/add-body.js';
import { addOfficer } from '../../app/add-officer.js';
import { setRetentionRule } from '../../app/set-retention-rule.js';
import { setProtectionStatement } from '../../app/set-protection-statement.js';
import { SIGNATORY_CODES } from '../../domain/parties.js';
import { RETENTION_KINDS, RETENTION_KIND_LABELS_RU } from '../../domain/retention.js';
import { EixError, isEixError } from '../../domain/errors.js';
import { rolesRu } from '../../domain/vocabulary.js';
import { treatyStatus } from '../../domain/treaty.js';
import { labels } from '../labels.js';

import { COOKIE, one, opt, raw, type Form, type WebKit } from '../kit.js';

export function adminRoutes(app: FastifyInstance, kit: WebKit): void {
  const { ctx, render, page, me, today } = kit;
  /** The admin page, with a notice (read once from the session, or a one-time password shown right here). */
  const renderAdmin = async (
    req: FastifyRequest,
    reply: FastifyReply,
    flash: string | null,
    oneTime?: { login: string; password: string },
    // Issue 15.2: the add-user form after an error (its message in place, the input kept), with its status.
    officerForm?: { values: Form; error: string; field: string; status: number },
  ) => {
    const o = me(req);
    const admin = o.roles.includes('admin');
    const supervisor = o.roles.includes('supervisor');
    if (!admin && !supervisor) throw new EixError('access.denied');
    const audit = await listAuditEntries(ctx, o);
    return render(
      reply,
      req,
      'admin',
      {
        title: 'Администрирование',
        bodies: await listBodies(ctx, o),
        retention: await listRetentionRules(ctx, o),
        // R9.6: rules a stored request needs and nobody set (that data is not destroyed meanwhile).
        retentionMissing: (await checkRetentionRules(ctx, o)).missing,
        retentionKinds: RETENTION_KINDS.map((k) => [k, RETENTION_KIND_LABELS_RU[k]]),
        retentionKindLabel: (k: keyof typeof RETENTION_KIND_LABELS_RU) => RETENTION_KIND_LABELS_RU[k],
        parties: [...new Set([...SIGNATORY_CODES, ...Object.keys(ctx.treaty().parties)])]
          .map((cc) => [cc, labels.partyName(cc)])
          .sort((a, b) => a[1]!.localeCompare(b[1]!, 'ru')),
        statement: await getProtectionStatement(ctx),
        // Protocol versions (MESSAGES.md §3.1): what waits for another Party's node or a newer registry.
        waiting: await listWaitingMessages(ctx, o),
        treaty: treatyStatus(ctx.treaty(), today()),
        today: today(),
        audit: audit.entries,
        auditOk: audit.chainOk,
        isAdmin: admin,
        party: ctx.party,
        roleLabels: Object.entries(ROLE_LABELS_RU),
        tokens: admin ? await listApiTokens(ctx, o) : [],
        roleGrants: admin ? await listRoleGrants(ctx, o) : [],
        // No query parameter is shown: `?flash=` reflects nothing.
        ...(flash ? { flash: { ok: true, text: flash } } : {}),
        ...(oneTime ? { oneTime } : {}),
        rolesRu,
        officerForm: officerForm ?? { values: {}, error: '', field: '' },
      },
      officerForm?.status,
    );
  };
  app.get(
    '/admin',
    page(async (req, reply) => {
      return renderAdmin(req, reply, await takeFlash(ctx, req.cookies[COOKIE] ?? ''));
    }),
  );
  /** An admin form: its notice waits in the session for the page it redirects to. */
  const adminForm = (url: string, run: (f: Form, o: Officer) => Promise<string>) =>
    app.post(
      url,
      page(async (req, reply) => {
        const message = await run((req.body ?? {}) as Form, me(req));
        await setFlash(ctx, req.cookies[COOKIE] ?? '', message);
        return reply.redirect('/admin');
      }),
    );
  adminForm('/admin/bodies', async (f, o) => {
    const b = await addBody(ctx, o, {
      id: one(f.id),
      name: one(f.name),
      kind: one(f.kind),
      ...(opt(f.parentId) ? { parentId: one(f.parentId) } : {}),
      // Issue 14.8: the body's letterhead on its printed forms.
      ...(opt(f.address) ? { address: one(f.address) } : {}),
      ...(opt(f.phone) ? { phone: one(f.phone) } : {}),
      ...(opt(f.email) ? { email: one(f.email) } : {}),
    });
    return `Орган ${b.id} добавлен`;
  });
  // The generated password is shown on the answer to the POST itself (no redirect, no-store), never in a URL;
  // a password the admin typed is never echoed back.
  app.post(
    '/admin/officers',
    page(async (req, reply) => {
      const f = (req.body ?? {}) as Form;
      const roles = (Array.isArray(f.roles) ? f.roles : f.roles ? [f.roles] : []).map(String);
      let r: Awaited<ReturnType<typeof addOfficer>>;
      try {
        r = await addOfficer(ctx, me(req), {
          bodyId: one(f.bodyId),
          login: one(f.login),
          fullName: one(f.fullName),
          position: one(f.position),
          roles,
          // Issue 14.8: the officer's contacts on the forms he signs.
          ...(opt(f.phone) ? { phone: one(f.phone) } : {}),
          ...(opt(f.email) ? { email: one(f.email) } : {}),
          ...(raw(f.password) ? { password: raw(f.password) } : {}),
        });
      } catch (e) {
        // The form keeps what was typed (never the password) and says what is wrong next to it.
        if (!isEixError(e) || e.code === 'access.denied') throw e;
        const { password: _typed, ...values } = f;
        return renderAdmin(req, reply, null, undefined, {
          values,
          error: labels.errorText(e),
          field: String(e.data.field ?? '')
            .replace(/^\//, '')
            .split('/')[0]!,
          status: e.http,
        });
      }
      // Casework roles for an account an admin controls wait for a second admin (issue 13, item 3).
      const pending = r.pendingGrant ? `. ${r.pendingGrant.note}` : '';
      if (raw(f.password))
        return renderAdmin(req, reply, `Пользователь ${r.officer.login} добавлен с заданным паролем${pending}`);
      return renderAdmin(req, reply, `Пользователь ${r.officer.login} добавлен${pending}`, {
        login: r.officer.login,
        password: r.password,
      });
    }),
  );
  // Separation of duties (issue 13, item 3): a second admin approves or rejects a casework grant.
  adminForm('/admin/grants', async (f, o) => {
    const r = await decideRoleGrant(ctx, o, { id: one(f.id), decision: one(f.decision) });
    return r.status === 'approved' ? `Роли назначены: ${rolesRu(r.roles)}` : 'Запрос на назначение ролей отклонён';
  });
  adminForm('/admin/retention', async (f, o) => {
    const r = await setRetentionRule(ctx, o, {
      party: one(f.party).toUpperCase(),
      ...(opt(f.kind) ? { kind: one(f.kind) } : {}),
      months: Number(one(f.months)),
      legalBasis: one(f.legalBasis),
    });
    return `Срок хранения по законодательству Стороны ${labels.partyName(r.party)} (${RETENTION_KIND_LABELS_RU[r.kind]}): ${r.months} мес.`;
  });
  adminForm('/admin/statement', async (f, o) => {
    await setProtectionStatement(ctx, o, { measures: one(f.measures), retention: one(f.retention) });
    return 'Сведения о мерах защиты сохранены';
  });
}
