// 004: officer sessions of the web UI (server-side: logout and lock-out take
// effect at once; the cookie holds a random token, the table only its hash).
export const statements: readonly string[] = [
  `create table sessions (
    id text primary key,
    officer_id uuid not null references officers(id),
    csrf text not null,
    created_at timestamptz not null default now(),
    expires_at timestamptz not null,
    last_seen_at timestamptz not null default now()
  )`,
  'create index sessions_by_officer on sessions (officer_id)',
];
