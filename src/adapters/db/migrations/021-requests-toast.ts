// 021: storage per exchanged request (issue 16, item 4). A request row is
// updated several times in its life (drafted, signed, sent, receipted, …) and
// every update writes a whole new version of the row; the document (about
// 1.6 kB of JSON, or its sealed form) stayed in the row because the row was
// below the 2 kB at which PostgreSQL moves wide values out of line, so every
// version copied it. With a lower target the document is compressed and moved
// out of line at once, and a version that does not change it shares it.
export const statements: readonly string[] = ['alter table requests set (toast_tuple_target = 1024)'];
