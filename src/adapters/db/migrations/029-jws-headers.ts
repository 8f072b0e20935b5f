// 029: the protected headers of stored JWSs, each kept once (issue 16 item 4, docs/ARCHITECTURE.md decision 46).
// Every signed message and receipt carries its signer's certificate in its protected header (x5c): the same
// header text in every document one body signs with one key for one `typ`. The node stores such a JWS as
// `~<sha256>.<payload>.<signature>` (src/app/stored-jws.ts) and the header here, under the SHA-256 (hex) of
// its base64url text; reading puts the header back, byte for byte. Only headers of exactly alg, typ and x5c
// are kept here (public material: the algorithm, the document type, the certificates); any other header stays
// inside its JWS. Nothing already stored is rewritten: both forms are read.
export const statements: readonly string[] = [
  `create table jws_headers (
     sha256 text primary key check (sha256 ~ '^[0-9a-f]{64}$'),
     header text not null,
     created_at timestamptz not null default now()
   )`,
];
