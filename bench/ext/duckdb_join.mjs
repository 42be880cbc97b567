// DuckDB-wasm (the harness's own build and JSON load path) doing Loupe's version
// join, for issue #5's ratio in the same run: two versions of the table (the
// second's rows scrambled, made untimed) FULL OUTER JOINed on id, every column of
// both materialized as one merged table with a `versions` column — the table
// Loupe's compare view is built on. Run: --ext bench/ext --peers ext:loupe,ext:duckdb_join
import * as duckdb from '/node_modules/@duckdb/duckdb-wasm/dist/duckdb-browser.mjs';
import * as arrow from 'apache-arrow';
import { columnarize, fetchText, mark } from '/page/bench.mjs';

const DIST = '/node_modules/@duckdb/duckdb-wasm/dist';
let db = null, conn = null, columns = [];

const q = (sql) => conn.query(sql);

export default {
  formats: ['json'],
  async init() {
    const worker = new Worker(`${DIST}/duckdb-browser-eh.worker.js`);
    db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), worker);
    await db.instantiate(`${DIST}/duckdb-eh.wasm`);
    conn = await db.connect();
  },
  async info() { return { version: await db.getVersion(), bundle: 'eh', role: 'version join only' }; },
  async load(fmt, u) {
    const obj = JSON.parse(await fetchText(u.json)); mark('fetch + JSON.parse');
    const cols = columnarize(obj); mark('columnarize');
    columns = Object.keys(cols);
    await conn.insertArrowTable(arrow.tableFromArrays(cols), { name: 't' });
  },
  async dispose() {
    for (const t of ['j', 't2', 't']) await q(`DROP TABLE IF EXISTS ${t}`);
  },
  ops: {},
  extra: {
    async join_versions(u, n) {
      await q(`CREATE OR REPLACE TABLE t2 AS SELECT * FROM t ORDER BY hash(id)`);
      const present = `concat_ws(',', CASE WHEN a.id IS NOT NULL THEN 'v0' END, CASE WHEN b.id IS NOT NULL THEN 'v1' END)`;
      const select = ['coalesce(a.id, b.id) AS id', `${present} AS versions`,
        ...columns.filter((c) => c !== 'id').flatMap((c) => [`a."${c}" AS "${c}@v0"`, `b."${c}" AS "${c}@v1"`])].join(', ');
      const t0 = performance.now();
      await q(`CREATE OR REPLACE TABLE j AS SELECT ${select} FROM t a FULL OUTER JOIN t2 b ON a.id = b.id`);
      const ms = performance.now() - t0;
      const rows = (await q('SELECT count(*)::INTEGER FROM j')).getChildAt(0).get(0);
      if (rows !== n) throw new Error(`join gave ${rows} rows, expected ${n}`);
      await q('DROP TABLE j');
      await q('DROP TABLE t2');
      return { ms };
    },
  },
  async describe() {
    return (await q('DESCRIBE t')).toArray().map((r) => r.toJSON()).map((r) => `${r.column_name}:${r.column_type}`).join(' ');
  },
};
