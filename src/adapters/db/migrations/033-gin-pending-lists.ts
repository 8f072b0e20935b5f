// 033: the GIN indexes keep short pending lists (issue 16: p99 latency). A GIN index with fastupdate (the default)
// appends each new entry to a pending list and merges the list into the index when it outgrows
// gin_pending_list_limit (4 MB by default), inside whichever insert or update crosses the limit. On requests and
// proceedings (8 search terms a row; a non-HOT update of a request inserts its terms again) 4 MB is about 11,000
// rows: under the load bench one statement in some 580 took 38 ms instead of 4 on an idle server, and 76–133 ms
// under load (the sixth-worst bundle of 600 is the p99). With 256 kB the merge comes every ~700 rows and costs a
// sixteenth; the merged total is the same, and the index stays cheaper to write than without a pending list
// (fastupdate off: about 1.2 ms more on every 20-row insert). Autovacuum, where the server runs it, still empties
// the lists between merges. PERFORMANCE.md «GIN pending lists» has the figures.
export const GIN_PENDING_LIST_KB = 256;

export const statements: readonly string[] = ['requests_search', 'proceedings_search', 'audit_by_listed_requests'].map(
  (index) => `alter index ${index} set (gin_pending_list_limit = ${GIN_PENDING_LIST_KB})`,
);
