// What every page module of the officer UI shares: the form helpers, the session cookie and the
// page kit (render a template, turn a coded error into a Russian page, the signed-in officer).
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { toEixError } from '../adapters/http/errors.js';
import type { Eta } from 'eta';
import type { AppContext, Officer } from '../app/context.js';
import type { IsoDate } from '../domain/dates.js';
import type { AuthFailureGate } from '../adapters/http/server.js';
import type { WebDates } from './dates.js';

/** A parsed urlencoded (or multipart, fields only) form. */
export type Form = Record<string, string | string[] | undefined>;

/** A field's value, trimmed; the first of repeated fields. */
export const one = (v: string | string[] | undefined): string => (Array.isArray(v) ? (v[0] ?? '') : (v ?? '')).trim();
/** A field's value, or undefined when empty. */
export const opt = (v: string | string[] | undefined): string | undefined => one(v) || undefined;
/** A password field as typed: never trimmed (spaces are part of a password, ASVS V2.1.4). */
export const raw = (v: string | string[] | undefined): string => (typeof v === 'string' ? v : '');
/** Every value of a repeated field (checkboxes, multiple selects). */
export const many = (v: string | string[] | undefined): string[] =>
  (Array.isArray(v) ? v : v === undefined ? [] : [v]).map((x) => x.trim()).filter(Boolean);

// ASVS V3.4.4: the __Host- prefix binds the cookie to this host (Secure, Path=/, no Domain).
export const COOKIE = '__Host-eix_session';
export const SESSION_COOKIE_ATTRIBUTES = { httpOnly: true, secure: true, sameSite: 'strict', path: '/' } as const;

export interface WebOptions {
  /** The limiter of failed authentications per client address, shared with the API's bearer tokens. */
  readonly authFailures?: AuthFailureGate;
  /** Uploads: bytes of the whole request and files per request (each file: ctx.limits.attachmentBytes). */
  readonly uploads?: { readonly maxBytes: number; readonly maxFiles: number };
}

export type PageHandler = (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

export interface WebKit {
  readonly ctx: AppContext;
  readonly opts: WebOptions;
  readonly eta: Eta;
  readonly dates: WebDates;
  /** Today at this node's Party (its time zone). */
  today(): IsoDate;
  /** A full page: the template in the layout, with the labels, dates and the session's officer and CSRF token. */
  render(
    reply: FastifyReply,
    req: FastifyRequest,
    tpl: string,
    data: Record<string, unknown>,
    status?: number,
  ): FastifyReply;
  /** A page handler whose coded errors become a Russian error page with their status. */
  page(fn: PageHandler): PageHandler;
  /** The signed-in officer (the session hook guarantees one on every page but the login). */
  me(req: FastifyRequest): Officer;
}

/** The limits of one upload scope (@fastify/multipart's). */
export interface UploadLimits {
  readonly fileSize: number;
  readonly files: number;
  readonly fields: number;
  readonly parts: number;
}

/**
 * A plugin scope whose routes, and only they, parse multipart bodies within `limits` (files, fields as the
 * form); an error there (a file too large, a broken body) is the Russian error page with its status.
 * `routes` adds the scope's hooks and routes.
 */
export async function uploadScope(
  app: FastifyInstance,
  kit: WebKit,
  limits: UploadLimits,
  routes: (files: FastifyInstance) => void | Promise<void>,
): Promise<void> {
  await app.register(async (files) => {
    files.setErrorHandler((err, req, reply) => {
      const e = toEixError(err);
      if (e.http >= 500) req.log.error({ err }, 'request failed');
      return kit.render(reply, req, 'error', { title: 'Ошибка', error: e }, e.http);
    });
    await files.register(multipart, { attachFieldsToBody: true, limits });
    await routes(files);
  });
}
