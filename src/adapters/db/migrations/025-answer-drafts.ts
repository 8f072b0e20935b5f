// 025: straight-through answers (issue 17 item 2, docs/ARCHITECTURE.md decision 41).
// answer_drafts: one row per incoming request received while the node has
// registry connectors. Written with the receipt as `pending` (a job, not the
// lookup: the receipt never waits for a registry); a worker in every process
// claims due rows FOR UPDATE SKIP LOCKED with a lease (`lease_until`, taken
// over when a process died mid-lookup; `attempts` counts the claims), asks the
// registries outside any transaction and writes the draft: `ready` (something
// to review) or `failed` (nothing usable, the reason per lookup in the draft).
// `draft_enc` holds the draft answer sealed with the data key (registry data
// about the debtor; aad `answer_draft:<request id>`). The row goes when the
// request is answered finally, and with the request's document at the
// retention purge (R9.6).
export const statements: readonly string[] = [
  `create table answer_drafts (
    request_id uuid primary key references requests(id),
    status text not null default 'pending' check (status in ('pending', 'looking_up', 'ready', 'failed')),
    attempts integer not null default 0,
    lease_until timestamptz,
    claimed_by text,
    draft_enc bytea,
    key_id text,
    created_at timestamptz not null,
    updated_at timestamptz not null
  )`,
  `create index answer_drafts_due on answer_drafts (lease_until) where status in ('pending', 'looking_up')`,
];
