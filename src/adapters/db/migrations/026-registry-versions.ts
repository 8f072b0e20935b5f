// 026: every trust registry version the node accepted (issue 17 item 4, docs/EVIDENCE.md). A court evidence
// pack carries the registry a message was verified against, years later, after newer registries replaced it
// (a Party CA rolled over, a certificate revoked). node_settings 'registry' keeps only the one in force;
// this table keeps each version once, with the signed JWS as the depositary issued it and when this node
// put it in force. The registry recorded before this migration is its first row.
export const statements: readonly string[] = [
  `create table registry_versions (
    version integer primary key,
    sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
    issued_at timestamptz not null,
    jws text not null,
    accepted_at timestamptz not null default now()
  )`,
  `insert into registry_versions (version, sha256, issued_at, jws, accepted_at)
     select (value->>'version')::integer, value->>'sha256', (value->>'issuedAt')::timestamptz, value->>'jws', updated_at
       from node_settings
      where key = 'registry' and value->>'jws' is not null`,
];
