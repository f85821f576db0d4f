// bench-duckdb.mjs - the comparison `make bench` runs: DuckDB (npm
// @duckdb/node-api, installed by scripts/bench.sh into a bench-local
// node_modules, never by the tests) on THREADS threads, computing from the
// same JSON Lines file aggregates comparable to aidigest's report:
//   - the last occurrence of each suggestion id (later lines win);
//   - totals by action, acceptance and mean confidence by prompt and version;
//   - reply groups on the normalised reply (lower case, runs of non-letters
//     as one space), with counts by action, the most frequent original text,
//     top accepted and rejected;
//   - a 1,000-cell confidence histogram, counts per minute;
//   - the terms of the customer messages (words of 3+ letters) and their counts;
//   - corrections joined to their suggestions, feedback counted.
// Prints "duckdb: SUGGESTIONS suggestions, GROUPS groups, TERMS terms, SECONDS s".
//
//   node bench-duckdb.mjs FILE [THREADS]
import { DuckDBInstance } from '@duckdb/node-api';

const file = process.argv[2];
const threads = process.argv[3] || '2';
const t0 = process.hrtime.bigint();
const db = await DuckDBInstance.create(':memory:', { threads: String(threads) });
const c = await db.connect();
const q = async (sql) => (await c.runAndReadAll(sql)).getRows();
const lit = file.replace(/'/g, "''");
await q(`CREATE TABLE ev AS SELECT row_number() OVER () AS pos, * FROM read_ndjson('${lit}',
  columns = {type: 'VARCHAR', id: 'VARCHAR', ts: 'VARCHAR', conversation_id: 'VARCHAR',
             prompt_id: 'VARCHAR', prompt_version: 'VARCHAR', customer_message: 'VARCHAR',
             ai_reply: 'VARCHAR', confidence: 'DOUBLE', action: 'VARCHAR', final_reply: 'VARCHAR',
             suggestion_id: 'VARCHAR', corrected_reply: 'VARCHAR', csat: 'DOUBLE'},
  ignore_errors = true, maximum_object_size = 1048576)`);
await q(`CREATE TABLE s AS SELECT * FROM ev WHERE type = 'suggestion' AND id IS NOT NULL
  QUALIFY row_number() OVER (PARTITION BY id ORDER BY pos DESC) = 1`);
const [[nsugg]] = await q(`SELECT count(*) FROM s`);
await q(`SELECT action, count(*) FROM s GROUP BY action`);
await q(`SELECT prompt_id, prompt_version, count(*), avg(CASE WHEN action = 'accepted' THEN 1 ELSE 0 END),
  avg(confidence) FROM s GROUP BY ALL`);
await q(`CREATE TABLE g AS SELECT trim(regexp_replace(lower(ai_reply), '[^a-z]+', ' ', 'g')) AS norm, *
  FROM s`);
const [[ngroups]] = await q(`SELECT count(DISTINCT norm) FROM g`);
await q(`SELECT norm, count(*) AS n, count(*) FILTER (WHERE action = 'accepted') AS acc,
  count(*) FILTER (WHERE action = 'rejected') AS rej, mode(ai_reply) FROM g GROUP BY norm
  ORDER BY acc DESC, norm LIMIT 10`);
await q(`SELECT norm, count(*) FILTER (WHERE action = 'rejected') AS rej FROM g GROUP BY norm
  ORDER BY rej DESC, norm LIMIT 10`);
await q(`SELECT least(999, floor(confidence * 1000))::INT AS cell, count(*) FROM s
  WHERE confidence BETWEEN 0 AND 1 GROUP BY cell`);
await q(`SELECT prompt_id, substr(ts, 1, 16) AS minute, count(*) FROM s GROUP BY ALL`);
const [[nterms]] = await q(`SELECT count(*) FROM (SELECT w, count(*) FROM
  (SELECT unnest(regexp_extract_all(lower(customer_message), '[a-z]{3,}')) AS w FROM s) GROUP BY w)`);
await q(`SELECT count(*), count(*) FILTER (WHERE s.ai_reply = c.corrected_reply) FROM ev c
  JOIN s ON s.id = c.suggestion_id WHERE c.type = 'correction'`);
await q(`SELECT avg(csat), count(*) FROM ev WHERE type = 'feedback'`);
const secs = Number(process.hrtime.bigint() - t0) / 1e9;
console.log(`duckdb: ${nsugg} suggestions, ${ngroups} groups, ${nterms} terms, ${secs.toFixed(3)} s`);
