// Users of the node on the administration side (issue 15, item 2): the list with search, a body and a state, and
// each user's page with block / unblock, password reset, role changes and a casework grant waiting for a second
// administrator. Who may do what is the use cases' (issue 13: update-officer.ts, request-role-grant.ts,
// decide-role-grant.ts); the routes translate forms, keep the input on an error and show it in place.
// A reset password is shown once on the answer to the POST (no-store), never in a URL.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ROLES, type Role } from '../../app/context.js';
import { decideRoleGrant } from '../../app/decide-role-grant.js';
import { getOfficer, type OfficerDetail } from '../../app/get-officer.js';
import { listBodies } from '../../app/list-bodies.js';
import { searchOfficers, type OfficerState } from '../../app/search-officers.js';
import { setFlash, takeFlash } from '../../app/sessions.js';
import { updateOfficer } from '../../app/update-officer.js';
import { EixError, isEixError } from '../../domain/errors.js';
import { ROLE_LABELS, ROLE_SHORT_LABELS, rolesRu } from '../../domain/vocabulary.js';

import { labels } from '../labels.js';
import { COOKIE, many, one, type Form, type WebKit } from '../kit.js';

export const OFFICER_STATE_LABELS_RU: Readonly<Record<OfficerState, string>> = {
  active: 'действующие',
  blocked: 'заблокированные',
};

/** Which form of the user page an action belongs to (its error is shown there). */
type UserForm = 'roles' | 'block' | 'unblock' | 'password' | 'grant' | 'email';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function userRoutes(app: FastifyInstance, kit: WebKit): void {
  const { ctx, render, page, me } = kit;
  const roleChoices = ROLES.map((r) => ({ role: r, label: ROLE_SHORT_LABELS[r], hint: ROLE_LABELS[r] }));
  const helpers = { rolesRu, roleChoices };

  app.get(
    '/admin/users',
    page(async (req, reply) => {
      const f = req.query as Form;
      const q = { q: one(f.q), bodyId: one(f.bodyId), state: one(f.state), page: one(f.page) };
      const o = me(req);
      const data = {
        title: 'Пользователи',
        ...helpers,
        q,
        isAdmin: o.roles.includes('admin'),
        bodies: await listBodies(ctx, o),
        states: Object.entries(OFFICER_STATE_LABELS_RU),
        usersUrl: (over: Record<string, string>) => {
          const p = new URLSearchParams();
          for (const [k, v] of Object.entries({ ...q, ...over })) if (v) p.set(k, v);
          const s = p.toString();
          return s ? `/admin/users?${s}` : '/admin/users';
        },
      };
      try {
        const list = await searchOfficers(ctx, o, {
          ...(q.q ? { q: q.q } : {}),
          ...(q.bodyId ? { bodyId: q.bodyId } : {}),
          ...(q.state ? { state: q.state } : {}),
          ...(q.page ? { page: /^\d{1,6}$/.test(q.page) ? Number(q.page) : q.page } : {}),
        });
        return render(reply, req, 'users', { ...data, list });
      } catch (e) {
        // A wrong filter is shown next to its field, the others kept.
        if (!isEixError(e) || (e.code !== 'input.invalid' && e.data.field !== 'bodyId')) throw e;
        const field = String(e.data.field ?? 'q').replace(/^\//, '');
        const text = labels.errorText(e);
        return render(reply, req, 'users', { ...data, list: null, error: { field, text } }, e.http);
      }
    }),
  );

  /** The user page, with what the last form asked (a confirmation, an error in place, a notice). */
  const userPage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    id: string,
    extra: {
      flash?: string | null;
      confirm?: 'block' | 'password';
      error?: { form: UserForm; text: string };
      roles?: readonly string[];
      oneTime?: string;
      email?: string;
    } = {},
    status = 200,
  ) => {
    const o = me(req);
    const u: OfficerDetail = await getOfficer(ctx, o, { id });
    return render(
      reply,
      req,
      'user',
      {
        title: `Пользователь ${u.login}`,
        ...helpers,
        u,
        isAdmin: o.roles.includes('admin'),
        self: o.officerId === u.id,
        lockedNow: u.lockedUntil !== null && Date.parse(u.lockedUntil) > ctx.clock.now().getTime(),
        // The roles as the form shows them: as submitted after an error, else as held.
        checkedRoles: extra.roles ?? u.roles,
        confirm: extra.confirm ?? null,
        error: extra.error ?? null,
        oneTime: extra.oneTime ?? null,
        // The address as submitted after an error, else as stored.
        emailValue: extra.email ?? null,
        ...(extra.flash ? { flash: { ok: true, text: extra.flash } } : {}),
      },
      status,
    );
  };
  const userId = (req: FastifyRequest): string => {
    const id = (req.params as { id: string }).id;
    if (!UUID.test(id)) throw new EixError('officer.not_found', { id });
    return id;
  };

  app.get(
    '/admin/users/:id',
    page(async (req, reply) => userPage(req, reply, userId(req), { flash: await takeFlash(ctx, cookieOf(req)) })),
  );

  /** A form of the user page: its coded error is shown in place with the input kept; success reports once. */
  const userForm = (
    action: string,
    form: UserForm,
    run: (
      f: Form,
      id: string,
      req: FastifyRequest,
      reply: FastifyReply,
    ) => Promise<string | { reply: FastifyReply | Promise<FastifyReply> }>,
  ) =>
    app.post(
      `/admin/users/:id/${action}`,
      page(async (req, reply) => {
        const id = userId(req);
        const f = (req.body ?? {}) as Form;
        try {
          const r = await run(f, id, req, reply);
          if (typeof r !== 'string') return await r.reply;
          await setFlash(ctx, cookieOf(req), r);
          return reply.redirect(`/admin/users/${id}`);
        } catch (e) {
          if (!isEixError(e) || e.code === 'officer.not_found' || e.code === 'access.cross_site') throw e;
          const text = labels.errorText(e);
          return userPage(
            req,
            reply,
            id,
            {
              error: { form, text },
              ...(form === 'roles' ? { roles: many(f.roles) } : {}),
              ...(form === 'email' ? { email: one(f.email) } : {}),
            },
            e.http,
          );
        }
      }),
    );

  userForm('roles', 'roles', async (f, id, req) => {
    const roles = many(f.roles);
    if (!roles.length) throw new EixError('input.invalid', { field: 'roles' }, 'Отметьте хотя бы одну роль');
    const unknown = roles.find((r) => !(ROLES as readonly string[]).includes(r));
    if (unknown) throw new EixError('input.invalid', { field: 'roles' }, 'Выберите роли из списка');
    const r = await updateOfficer(ctx, me(req), { id, roles: roles as Role[] });
    if (r.pendingGrant) return r.pendingGrant.note;
    return `Роли пользователя ${r.officer.login}: ${rolesRu(r.officer.roles)}`;
  });
  // Block and reset: the first POST asks for a confirmation, the second (confirmed=yes) acts.
  userForm('block', 'block', async (f, id, req, reply) => {
    if (one(f.confirmed) !== 'yes') return { reply: userPage(req, reply, id, { confirm: 'block' }) };
    const r = await updateOfficer(ctx, me(req), { id, disabled: true });
    return `Пользователь ${r.officer.login} заблокирован: войти он не может, его сеансы завершены, API-токены отозваны`;
  });
  userForm('unblock', 'unblock', async (_f, id, req) => {
    const r = await updateOfficer(ctx, me(req), { id, disabled: false });
    return `Пользователь ${r.officer.login} разблокирован и может войти`;
  });
  userForm('password', 'password', async (f, id, req, reply) => {
    if (one(f.confirmed) !== 'yes') return { reply: userPage(req, reply, id, { confirm: 'password' }) };
    const r = await updateOfficer(ctx, me(req), { id, resetPassword: true });
    // Shown on this answer only (the page is not cached); the user must change it at his next login.
    return {
      reply: userPage(req, reply, id, {
        flash: `Пароль пользователя ${r.officer.login} сброшен; его сеансы завершены`,
        oneTime: r.password!,
      }),
    };
  });
  // Issue 17 item 3: the address for e-mail notices (and printed forms); an empty field removes it.
  userForm('email', 'email', async (f, id, req) => {
    const email = one(f.email);
    const r = await updateOfficer(ctx, me(req), { id, email: email || null });
    return email
      ? `Адрес электронной почты пользователя ${r.officer.login}: ${email}`
      : `Адрес электронной почты пользователя ${r.officer.login} удалён`;
  });
  // Separation of duties (issue 13, item 3): a second administrator decides a pending casework grant.
  userForm('grant', 'grant', async (f, _id, req) => {
    const r = await decideRoleGrant(ctx, me(req), { id: one(f.grant), decision: one(f.decision) });
    return r.status === 'approved' ? `Роли назначены: ${rolesRu(r.roles)}` : 'Запрос на назначение ролей отклонён';
  });

  function cookieOf(req: FastifyRequest): string {
    return req.cookies[COOKIE] ?? '';
  }
}
