// The Agreement as this node's registry describes it (R22–R25, R-pair, R18).
import Type from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../app/context.js';
import { partyDay } from '../../../domain/parties.js';
import { canSend, designatedBodies, treatyStatus } from '../../../domain/treaty.js';
import { parseInput } from '../../../app/input.js';
import { actorOf, API_PREFIX } from '../server.js';

const DateQuery = Type.Object(
  { date: Type.Optional(Type.String({ format: 'date' })) },
  { additionalProperties: false },
);
const PairQuery = Type.Object(
  { to: Type.String({ pattern: '^[A-Z]{2}$' }), date: Type.Optional(Type.String({ format: 'date' })) },
  { additionalProperties: false },
);

export function registerTreatyRoutes(app: FastifyInstance, ctx: AppContext): void {
  const today = () => partyDay(ctx.clock.now(), ctx.party);
  app.get(
    `${API_PREFIX}/treaty/status`,
    { schema: { tags: ['treaty'], summary: 'Какие Стороны связаны Соглашением на дату', querystring: DateQuery } },
    (req) => {
      actorOf(req);
      const q = parseInput(DateQuery, req.query);
      return treatyStatus(ctx.treaty(), q.date ?? today());
    },
  );
  app.get(
    `${API_PREFIX}/treaty/can-send`,
    { schema: { tags: ['treaty'], summary: 'Можно ли направить запрос Стороне (R-pair)', querystring: PairQuery } },
    (req) => {
      actorOf(req);
      const q = parseInput(PairQuery, req.query);
      const date = q.date ?? today();
      return {
        ...canSend(ctx.treaty(), { from: ctx.party, to: q.to, date }),
        bodies: designatedBodies(ctx.treaty(), q.to, date),
      };
    },
  );
}
