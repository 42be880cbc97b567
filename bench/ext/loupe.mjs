// Loupe as a peer in ../shared/bench/peers: the same loupe-core, compiled to wasm.
// Build: `cargo xtask bench-ext` (writes ./pkg). Run from the harness:
//   node run.mjs --ext <this dir> --peers ext:loupe,duckdb,arquero,raw
import init, { ArrowLoader, Loader, load_columnar } from './pkg/loupe_bench.js';
import { mark } from '/page/bench.mjs';

let engine = null;

// The body streams into wasm chunk by chunk and is parsed into columns as it arrives
// (no JS string, no JSON.parse, and the whole body is never held).
async function loadJson(url) {
  const res = await fetch(url, { cache: 'no-store' });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  const loader = new Loader();
  const total = Number(res.headers.get('content-length') || 0);
  if (total) loader.reserve(total);
  await streamInto(res, loader);
  mark('fetch + parse into columns');
  const e = loader.finish();
  mark('finish');
  return e;
}

// Arrow IPC is decoded as it arrives: a large record batch column by column,
// as its body's bytes come in.
async function loadArrow(url) {
  const res = await fetch(url, { cache: 'no-store' });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  const loader = new ArrowLoader();
  const total = Number(res.headers.get('content-length') || 0);
  if (total) loader.reserve(total);
  // Each network chunk goes to wasm as it is (one copy, no re-batching).
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    loader.push(value);
  }
  mark('fetch + decode as it arrives');
  const e = loader.finish();
  mark('finish');
  return e;
}

// Hands the body to `loader.push`.
async function streamInto(res, loader) {
  // Network chunks are small (tens of KB); hand wasm ~1 MB at a time so the
  // per-call cost stays negligible.
  const reader = res.body.getReader();
  const batch = new Uint8Array(1 << 20);
  let filled = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    let off = 0;
    while (off < value.length) {
      const n = Math.min(value.length - off, batch.length - filled);
      batch.set(value.subarray(off, off + n), filled);
      filled += n; off += n;
      if (filled === batch.length) { loader.push(batch); filled = 0; }
    }
  }
  if (filled) loader.push(batch.subarray(0, filled));
}

// Parquet: the whole file's bytes go into wasm once and are decoded there
// (arrow-rs readers) into Loupe's columns.
async function loadColumnar(url) {
  const res = await fetch(url, { cache: 'no-store' });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  mark('fetch');
  const e = load_columnar(bytes);
  mark('decode into columns');
  return e;
}

export default {
  formats: ['json', 'arrow', 'parquet'],
  async init() { await init(); },
  async load(fmt, urls) {
    if (engine) { engine.free(); engine = null; }
    engine = fmt === 'json' ? await loadJson(urls.json)
      : fmt === 'arrow' ? await loadArrow(urls.arrow)
      : await loadColumnar(urls[fmt]);
  },
  dispose() { if (engine) { engine.free(); engine = null; } },
  ops: {
    filter() { return engine.filter_count(); },
    top() { return engine.top(); },
    group() { return engine.group(); },
    derive() { return engine.derive_max(); },
  },
  extra: {
    sort_full() { return engine.sort_full(); },
    // Issue #5: two versions (the second scrambled, made untimed) matched on
    // `id` into the merged compare table. DuckDB does the same in duckdb_join.mjs.
    join_versions(u, n) {
      engine.prepare_versions();
      const t0 = performance.now();
      const rows = engine.join_versions();
      const ms = performance.now() - t0;
      if (rows !== n) throw new Error(`join_versions gave ${rows} rows, expected ${n}`);
      return { ms };
    },
  },
  async describe() { return engine.describe(); },
  async memory() { return { engine_bytes: engine.heap_bytes() }; },
};
