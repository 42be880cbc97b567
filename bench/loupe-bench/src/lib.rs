//! The peer-benchmark workload on Loupe's core: load a W&B table, then
//! filter+count, top-100, group with count+mean, derived column + max, full sort.
//!
//! `Workload` is plain Rust (benchmarked natively by `benches/engine.rs`);
//! `Engine` wraps it for the browser harness (`bench/ext/loupe.mjs`).

use loupe_core::compare::compare;
use loupe_core::expr::{Frame, Vector, compile, eval, filter_rows};
use loupe_core::ops::{group_ids, sort_rows, top_rows};
use loupe_core::{Column, StreamingTableReader, Table, Value, read_table};
use wasm_bindgen::prelude::*;

/// The benchmark's five queries, as Loupe expressions.
pub const FILTER: &str = "score > 0.5 and truth != guess";
pub const DERIVED: &str = "loss * 2 + score";

/// One group of the group-by query.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupRow {
    pub truth: String,
    pub guess: String,
    pub n: usize,
    pub mean_score: f64,
}

pub struct Workload {
    pub table: Table,
}

fn expr(table: &Table, src: &str) -> loupe_core::expr::Expr {
    // The workload's expressions are constants known to match its schema.
    match compile(src, &Frame::of(table).schema()) {
        Ok((e, _)) => e,
        Err(e) => panic!(
            "benchmark expression `{src}` does not compile: {}",
            e.message
        ),
    }
}

impl Workload {
    pub fn load(bytes: &[u8]) -> Result<Workload, String> {
        read_table(bytes)
            .map(|table| Workload { table })
            .map_err(|e| e.to_string())
    }

    pub fn filter_count(&self) -> usize {
        filter_rows(&expr(&self.table, FILTER), &Frame::of(&self.table)).len()
    }

    /// Rows of the 100 largest losses, largest first.
    pub fn top(&self) -> Vec<u32> {
        let frame = Frame::of(&self.table);
        let all: Vec<u32> = (0..self.table.row_count() as u32).collect();
        top_rows(&all, &eval(&expr(&self.table, "loss"), &frame), true, 100)
    }

    /// Groups by (truth, guess) with count and mean score, largest first.
    pub fn group(&self) -> Vec<GroupRow> {
        let frame = Frame::of(&self.table);
        let all: Vec<u32> = (0..self.table.row_count() as u32).collect();
        let keys = [
            eval(&expr(&self.table, "truth"), &frame),
            eval(&expr(&self.table, "guess"), &frame),
        ];
        let g = group_ids(&all, &keys);
        // One sequential pass: count and sum per group id.
        let mut n = vec![0usize; g.keys.len()];
        let mut sum = vec![0.0f64; g.keys.len()];
        let score = eval(&expr(&self.table, "score"), &frame);
        match &score {
            Vector::Num { values, valid } if valid.all_set() => {
                for (&id, &x) in g.ids.iter().zip(values.iter()) {
                    n[id as usize] += 1;
                    sum[id as usize] += x;
                }
            }
            other => {
                for (r, &id) in g.ids.iter().enumerate() {
                    n[id as usize] += 1;
                    sum[id as usize] += other.get(r).as_f64().unwrap_or(0.0);
                }
            }
        }
        let text = |v: &Value| match v {
            Value::Str(s) => s.clone(),
            other => other.display(),
        };
        let mut out: Vec<GroupRow> = g
            .keys
            .iter()
            .enumerate()
            .map(|(i, k)| GroupRow {
                truth: text(&k[0]),
                guess: text(&k[1]),
                n: n[i],
                mean_score: sum[i] / n[i] as f64,
            })
            .collect();
        out.sort_by(|a, b| {
            b.n.cmp(&a.n)
                .then_with(|| a.truth.cmp(&b.truth))
                .then_with(|| a.guess.cmp(&b.guess))
        });
        out
    }

    /// `max(loss * 2 + score)`, evaluated column-at-a-time without storing the column.
    pub fn derive_max(&self) -> f64 {
        match eval(&expr(&self.table, DERIVED), &Frame::of(&self.table)) {
            Vector::Num { values, valid } => values
                .iter()
                .enumerate()
                .filter(|(r, _)| valid.get(*r))
                .map(|(_, &x)| x)
                .fold(f64::NEG_INFINITY, f64::max),
            other => (0..self.table.row_count())
                .filter_map(|r| other.get(r).as_f64())
                .fold(f64::NEG_INFINITY, f64::max),
        }
    }

    /// A second "version" of the table: the same rows in a scrambled order
    /// (row `r` moves to `r * 7919 mod n`, a bijection since 7919 is a prime not
    /// dividing n), so matching by key cannot ride on equal row order.
    pub fn scrambled_version(&self) -> Table {
        let n = self.table.row_count() as u64;
        let step = if n.is_multiple_of(7919) { 1 } else { 7919 };
        let rows: Vec<Option<u32>> = (0..n)
            .map(|r| Some(((r * step) % n.max(1)) as u32))
            .collect();
        let columns = self
            .table
            .columns
            .iter()
            .map(|c| Column::new(c.name.clone(), c.declared.clone(), c.data().gather(&rows)))
            .collect();
        Table::from_columns(columns).unwrap_or_default()
    }

    /// The compare view of two versions: rows matched on `id`, every column
    /// once per version (`name@v0`, `name@v1`). Returns the merged row count.
    pub fn join_versions(&self, other: &Table) -> usize {
        let versions = ["v0".to_string(), "v1".to_string()];
        compare(&[&self.table, other], &versions, Some("id"))
            .map(|c| c.table.row_count())
            .unwrap_or(0)
    }

    /// The full row order by loss descending (what a sorted grid needs).
    pub fn sort_full(&self) -> Vec<u32> {
        let frame = Frame::of(&self.table);
        let mut rows: Vec<u32> = (0..self.table.row_count() as u32).collect();
        sort_rows(
            &mut rows,
            &[(eval(&expr(&self.table, "loss"), &frame), true)],
        );
        rows
    }
}

/// Reads the response body into columns chunk by chunk as it arrives; only the
/// unread tail of the body is ever held.
#[wasm_bindgen]
#[derive(Default)]
pub struct Loader {
    reader: StreamingTableReader,
    error: Option<String>,
    /// The body's `Content-Length` (0: unknown) and the bytes pushed so far.
    total: u64,
    pushed: u64,
    reserved: bool,
}

#[wasm_bindgen]
impl Loader {
    #[wasm_bindgen(constructor)]
    pub fn new() -> Loader {
        Loader {
            reader: StreamingTableReader::new(),
            ..Loader::default()
        }
    }

    /// The body's size: once the first rows show how many bytes a row takes,
    /// the columns make room for every row at once (as the app's loader does).
    pub fn reserve(&mut self, total: usize) {
        self.total = total as u64;
    }

    pub fn push(&mut self, chunk: &[u8]) {
        if self.error.is_none()
            && let Err(e) = self.reader.push(chunk)
        {
            self.error = Some(e.to_string());
        }
        self.pushed += chunk.len() as u64;
        let rows = self.reader.rows_read();
        if !self.reserved && self.total > 0 && rows >= 4096 {
            self.reserved = true;
            let estimate = loupe_core::table::estimate_rows(rows, self.pushed, self.total);
            self.reader.reserve_rows(estimate.saturating_sub(rows));
        }
    }

    pub fn finish(self) -> Result<Engine, JsError> {
        match self.error {
            Some(e) => Err(JsError::new(&e)),
            None => engine_of(self.reader.finish()),
        }
    }
}

/// Reads Arrow IPC as it downloads: each record batch is decoded into columns
/// while the next bytes arrive (a large one column by column as its body arrives).
#[wasm_bindgen]
#[derive(Default)]
pub struct ArrowLoader {
    reader: loupe_columnar::ipc::ArrowIncremental,
    error: Option<String>,
    /// The body's `Content-Length` (0: unknown) and the bytes pushed so far.
    total: u64,
    pushed: u64,
    reserved: bool,
}

#[wasm_bindgen]
impl ArrowLoader {
    #[wasm_bindgen(constructor)]
    pub fn new() -> ArrowLoader {
        ArrowLoader::default()
    }

    /// The body's size: after the first batch, room for every row is made at once.
    pub fn reserve(&mut self, total: usize) {
        self.total = total as u64;
    }

    /// A piece of the body (copied into wasm by the binding; rows are read from it in place).
    pub fn push(&mut self, chunk: &[u8]) {
        self.pushed += chunk.len() as u64;
        if self.error.is_none()
            && let Err(e) = self.reader.push(chunk)
        {
            self.error = Some(e.to_string());
        }
        let rows = self.reader.rows();
        // Once every byte is in there is nothing left to make room for (an
        // estimate then would only grow, and copy, the finished columns).
        if !self.reserved && self.total > 0 && rows > 0 && self.pushed < self.total {
            self.reserved = true;
            let estimate = loupe_core::table::estimate_rows(rows, self.pushed, self.total);
            self.reader.expect_rows(estimate);
        }
    }

    pub fn finish(self) -> Result<Engine, JsError> {
        match self.error {
            Some(e) => Err(JsError::new(&e)),
            None => engine_of(self.reader.finish()),
        }
    }
}

/// Reads a whole Parquet or Arrow IPC file (the bytes the page fetched) into an engine.
#[wasm_bindgen]
pub fn load_columnar(bytes: Vec<u8>) -> Result<Engine, JsError> {
    engine_of(loupe_columnar::read_columnar(bytes::Bytes::from(bytes)))
}

/// An engine over a table that was read, or the reading error for the page.
fn engine_of<E: std::fmt::Display>(read: Result<Table, E>) -> Result<Engine, JsError> {
    read.map(|table| Engine {
        w: Workload { table },
        other: None,
    })
    .map_err(|e| JsError::new(&e.to_string()))
}

/// The loaded table, queried by the harness.
#[wasm_bindgen]
pub struct Engine {
    w: Workload,
    /// The second version for `join_versions`, made (untimed) by `prepare_versions`.
    other: Option<Table>,
}

fn set(o: &js_sys::Object, k: &str, v: JsValue) {
    // Setting a plain property on a fresh object cannot fail.
    let _ = js_sys::Reflect::set(o, &JsValue::from_str(k), &v);
}

fn to_js(v: &Value) -> JsValue {
    match v {
        Value::Null => JsValue::NULL,
        Value::Bool(b) => JsValue::from_bool(*b),
        Value::Str(s) => JsValue::from_str(s),
        other => other
            .as_f64()
            .map_or_else(|| JsValue::from_str(&other.display()), JsValue::from_f64),
    }
}

#[wasm_bindgen]
impl Engine {
    pub fn rows(&self) -> usize {
        self.w.table.row_count()
    }

    pub fn describe(&self) -> String {
        self.w
            .table
            .columns
            .iter()
            .map(|c| format!("{}: {}", c.name, c.data_type().name()))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Bytes held by the table's columns.
    pub fn heap_bytes(&self) -> usize {
        self.w.table.heap_bytes()
    }

    pub fn filter_count(&self) -> usize {
        self.w.filter_count()
    }

    /// The top 100 rows by loss as objects with every column.
    pub fn top(&self) -> js_sys::Array {
        let out = js_sys::Array::new();
        for r in self.w.top() {
            let o = js_sys::Object::new();
            for c in &self.w.table.columns {
                set(&o, &c.name, to_js(&c.value(r as usize)));
            }
            out.push(&o);
        }
        out
    }

    pub fn group(&self) -> js_sys::Array {
        let out = js_sys::Array::new();
        for g in self.w.group() {
            let o = js_sys::Object::new();
            set(&o, "truth", JsValue::from_str(&g.truth));
            set(&o, "guess", JsValue::from_str(&g.guess));
            set(&o, "n", JsValue::from_f64(g.n as f64));
            set(&o, "mean_score", JsValue::from_f64(g.mean_score));
            out.push(&o);
        }
        out
    }

    pub fn derive_max(&self) -> f64 {
        self.w.derive_max()
    }

    /// Makes the scrambled second version (setup, not part of the timed join).
    pub fn prepare_versions(&mut self) {
        self.other = Some(self.w.scrambled_version());
    }

    /// Matches the two versions on `id` and builds the merged table; its row count.
    pub fn join_versions(&self) -> usize {
        self.other
            .as_ref()
            .map_or(0, |other| self.w.join_versions(other))
    }

    /// First row of the full sort by loss descending.
    pub fn sort_full(&self) -> u32 {
        self.w.sort_full().first().copied().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small table in the harness's shape, with answers computed naively here.
    fn sample() -> (Workload, Vec<[f64; 2]>, Vec<(String, String)>) {
        let classes = ["cat", "dog", "ship"];
        let mut rows = Vec::new();
        let mut nums = Vec::new();
        let mut keys = Vec::new();
        for i in 0..300usize {
            let (t, g) = (classes[i % 3], classes[(i / 3) % 3]);
            let score = (i * 37 % 100) as f64 / 100.0;
            let loss = (i * 53 % 89) as f64 / 10.0;
            rows.push(format!(
                "[{i}, \"train\", \"{t}\", \"{g}\", {score}, {loss}, 1, 1, \"c\"]"
            ));
            nums.push([score, loss]);
            keys.push((t.to_string(), g.to_string()));
        }
        let json = format!(
            "{{\"_type\": \"table\", \"columns\": [\"id\", \"split\", \"truth\", \"guess\", \"score\", \"loss\", \"width\", \"height\", \"caption\"], \"data\": [{}]}}",
            rows.join(", ")
        );
        (Workload::load(json.as_bytes()).expect("loads"), nums, keys)
    }

    #[test]
    fn answers_match_a_naive_computation() {
        let (w, nums, keys) = sample();
        let naive_filter = (0..nums.len())
            .filter(|&i| nums[i][0] > 0.5 && keys[i].0 != keys[i].1)
            .count();
        assert_eq!(w.filter_count(), naive_filter);
        let naive_max = nums
            .iter()
            .map(|[s, l]| l * 2.0 + s)
            .fold(f64::NEG_INFINITY, f64::max);
        assert_eq!(w.derive_max(), naive_max);
        let mut by_loss: Vec<usize> = (0..nums.len()).collect();
        by_loss.sort_by(|&a, &b| nums[b][1].total_cmp(&nums[a][1]).then(a.cmp(&b)));
        let top: Vec<usize> = w.top().iter().map(|&r| r as usize).collect();
        assert_eq!(top, by_loss[..100]);
        assert_eq!(
            w.sort_full()
                .iter()
                .map(|&r| r as usize)
                .collect::<Vec<_>>(),
            by_loss
        );
        let groups = w.group();
        assert_eq!(groups.iter().map(|g| g.n).sum::<usize>(), nums.len());
        for g in &groups {
            let members: Vec<usize> = (0..nums.len())
                .filter(|&i| keys[i] == (g.truth.clone(), g.guess.clone()))
                .collect();
            assert_eq!(g.n, members.len());
            let mean = members.iter().map(|&i| nums[i][0]).sum::<f64>() / members.len() as f64;
            assert!((g.mean_score - mean).abs() < 1e-12);
        }
        assert!(groups.windows(2).all(|p| p[0].n >= p[1].n));
    }

    #[test]
    fn scrambled_version_matches_every_row_back_on_id() {
        let (w, _, _) = sample();
        let other = w.scrambled_version();
        assert_eq!(other.row_count(), w.table.row_count());
        let ids = |t: &Table| {
            let mut v: Vec<i64> = (0..t.row_count())
                .filter_map(|r| {
                    t.column("id")
                        .and_then(|c| c.get(r).as_f64())
                        .map(|x| x as i64)
                })
                .collect();
            v.sort_unstable();
            v
        };
        assert_eq!(ids(&other), ids(&w.table), "a permutation of the rows");
        assert_ne!(
            other.column("id").map(|c| c.get(1)),
            w.table.column("id").map(|c| c.get(1))
        );
        assert_eq!(
            w.join_versions(&other),
            w.table.row_count(),
            "every id matched once"
        );
    }
}
