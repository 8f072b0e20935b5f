// 003: a message is signed once; every retry sends the same bytes (sealed at
// rest: answers carry personal data), so a receiver that already has it returns
// its first receipt instead of seeing a replay.
export const statements: readonly string[] = [
  'alter table outbox add column signed_enc bytea',
  'alter table outbox add column signed_key_id text',
];
