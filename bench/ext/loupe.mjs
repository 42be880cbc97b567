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
  await eachChunk(res, (chunk) => loader.push(chunk));
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
  await eachChunk(res, (chunk) => loader.push(chunk));
  mark('fetch + decode as it arrives');
  const e = loader.finish();
  mark('finish');
  return e;
}

// Calls `use` with each piece of the body as it arrives. A byte stream is read
// into one reused 1 MB buffer (Chromium: ~25% less time than a default reader,
// which allocates a buffer per network chunk); each piece is copied into wasm
// by `use` before the buffer is read into again.
async function eachChunk(res, use) {
  let reader = null;
  try { reader = res.body.getReader({ mode: 'byob' }); } catch { reader = null; }
  if (!reader) {
    const plain = res.body.getReader();
    for (;;) {
      const { done, value } = await plain.read();
      if (done) return;
      use(value);
    }
  }
  let buffer = new ArrayBuffer(1 << 20);
  for (;;) {
    const { done, value } = await reader.read(new Uint8Array(buffer));
    if (done) return;
    use(value);
    buffer = value.buffer;
  }
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
