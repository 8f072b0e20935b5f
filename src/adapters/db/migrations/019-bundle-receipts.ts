// 019: bundled delivery (issue 16, docs/MESSAGES.md §2.1). A bundle's receipt covers every message of the
// bundle; it is stored once (not with each message): received bundles on the receiving node
// (direction 'in', the receipt this node signed), sent bundles on the sending node (direction 'out', the
// receipt it verified). Each message's inbox/outbox row names its bundle receipt in its `receipt` JSON.
export const statements: readonly string[] = [
  `create table bundle_receipts (
     id uuid primary key,
     direction text not null check (direction in ('in', 'out')),
     party text not null,
     from_body text not null,
     to_body text not null,
     bundle_sha256 text not null,
     jws text not null,
     created_at timestamptz not null
   )`,
];
