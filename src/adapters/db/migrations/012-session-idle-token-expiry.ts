// 012: sessions and API tokens (issue 13, item 4).
// - api_tokens.expires_at: every token has an end. Tokens issued before this
//   migration get created_at + 1 year (the new default), but never less than
//   30 days from the upgrade, so an old integration is not cut off the moment
//   the node is upgraded; the admin list and `eix token list` show the date.
// - sessions.flash: a one-shot notice for the next page of that session (kept
//   server-side, so no URL carries or reflects its text).
export const statements: readonly string[] = [
  'alter table api_tokens add column expires_at timestamptz',
  `update api_tokens set expires_at = greatest(created_at + interval '1 year', now() + interval '30 days')`,
  'alter table api_tokens alter column expires_at set not null',
  'alter table sessions add column flash text',
];
