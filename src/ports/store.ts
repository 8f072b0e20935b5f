// The store port. The SQL is the same on both engines (PGlite, PostgreSQL 15),
// so the port is Kysely over the node schema: the adapters are the two
// dialects. Use cases write their queries directly, inside one transaction.
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../adapters/db/schema.js';

export type Store = Kysely<DB>;
export type Tx = Transaction<DB>;
export type { DB };
