// 013: separation of duties and the second factor (issue 13, item 3).
// - officers.password_must_change: the password was set by an administrator
//   (new account or reset) and its owner has not changed it yet; such an
//   account is "admin-controlled" and its session reaches only /password.
// - officers.totp_*: the TOTP secret sealed under the node data key ring
//   (AES-256-GCM, additional data 'totp:<officer id>'), when enrolment was
//   confirmed, and the last accepted time step (a code is never accepted twice).
// - totp_recovery_codes: ten one-time codes per officer, SHA-256 of 120 random bits.
// - sessions.second_factor_at: when this session passed the code step;
//   second_factor_failures: wrong codes in this session (5 end the session).
// - api_tokens.created_by: who minted the token (an admin minting for a technical account).
// - role_grants: a casework role for an admin-controlled account waits for a
//   second administrator's approval.
export const statements: readonly string[] = [
  'alter table officers add column password_must_change boolean not null default false',
  'alter table officers add column totp_secret_enc bytea',
  'alter table officers add column totp_enabled_at timestamptz',
  'alter table officers add column totp_last_step bigint',
  `create table totp_recovery_codes (
    officer_id uuid not null references officers(id),
    code_hash text not null,
    created_at timestamptz not null default now(),
    used_at timestamptz,
    primary key (officer_id, code_hash)
  )`,
  'alter table sessions add column second_factor_at timestamptz',
  'alter table sessions add column second_factor_failures integer not null default 0',
  'alter table api_tokens add column created_by uuid references officers(id)',
  `create table role_grants (
    id uuid primary key default gen_random_uuid(),
    officer_id uuid not null references officers(id),
    roles text[] not null,
    previous_roles text[] not null,
    reasons text[] not null,
    requested_by uuid not null references officers(id),
    requested_at timestamptz not null,
    status text not null default 'pending' check (status in ('pending', 'approved', 'rejected')),
    decided_by uuid references officers(id),
    decided_at timestamptz
  )`,
  `create unique index role_grants_one_pending on role_grants (officer_id) where status = 'pending'`,
];
