// 016: paper forms as an office sends them (issue 14, item 8).
// - bodies.address, phone, email: the letterhead of the body's printed forms.
// - officers.phone, email: the contacts printed under the signing officer's name.
// - paper_codes: the short verification code printed next to the QR code of a
//   signed form (12 Crockford base32 characters: 11 from the SHA-256 of the
//   signed JWS and a check character), with the signed message it stands for;
//   «Проверка оригинала» looks a typed code up here. A row is written when the
//   form is printed, so the node knows every code it printed.
export const statements: readonly string[] = [
  'alter table bodies add column address text',
  'alter table bodies add column phone text',
  'alter table bodies add column email text',
  'alter table officers add column phone text',
  'alter table officers add column email text',
  `create table paper_codes (
    code text primary key,
    message_id uuid not null,
    document_sha256 text not null,
    request_id uuid references requests(id),
    created_at timestamptz not null default now()
  )`,
  'create index paper_codes_message on paper_codes (message_id)',
];
