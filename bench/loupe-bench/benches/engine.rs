//! Native criterion benchmarks of the peer workload:
//! `cargo bench -p loupe-bench` (data: `LOUPE_BENCH_JSON=<pred_N.table.json>`,
//! default: the peer harness's 1M-row file if it was generated, else a
//! 200k-row synthetic table built here).

use criterion::{Criterion, criterion_group, criterion_main};
use loupe_bench::Workload;

const CLASSES: [&str; 10] = [
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
];

/// A table shaped like the harness's `pred_N.table.json` (same columns and kinds).
fn synthetic(n: usize) -> Vec<u8> {
    let mut x: u64 = 0x10c0be;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut out = String::from(
        "{\"_type\": \"table\", \"columns\": [\"id\", \"split\", \"truth\", \"guess\", \"score\", \"loss\", \"width\", \"height\", \"caption\"], \"data\": [",
    );
    for i in 0..n {
        let t = (next() * 10.0) as usize;
        let g = if next() < 0.62 {
            t
        } else {
            (t + 1 + (next() * 9.0) as usize) % 10
        };
        let split = ["train", "val", "test"][(next() * 3.0) as usize];
        out.push_str(&format!(
            "{}[{i}, \"{split}\", \"{}\", \"{}\", {}, {}, {}, {}, \"caption {i} {}\"]",
            if i == 0 { "" } else { ", " },
            CLASSES[t],
            CLASSES[g],
            next(),
            next() * 3.0,
            32 + (next() * 993.0) as u32,
            32 + (next() * 993.0) as u32,
            next()
        ));
    }
    out.push_str("]}");
    out.into_bytes()
}

fn data() -> Vec<u8> {
    let harness = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/bench/peers/data/pred_1000000.table.json"
    );
    std::env::var("LOUPE_BENCH_JSON")
        .ok()
        .or_else(|| {
            std::path::Path::new(harness)
                .exists()
                .then(|| harness.to_string())
        })
        .and_then(|p| std::fs::read(p).ok())
        .unwrap_or_else(|| synthetic(200_000))
}

fn engine(c: &mut Criterion) {
    let bytes = data();
    let w = Workload::load(&bytes).expect("benchmark table loads");
    let mut g = c.benchmark_group(format!("{} rows", w.table.row_count()));
    g.sample_size(10);
    g.bench_function("load json", |b| {
        b.iter(|| Workload::load(&bytes).map(|w| w.table.row_count()))
    });
    g.bench_function("filter+count", |b| b.iter(|| w.filter_count()));
    g.bench_function("top 100 by loss", |b| b.iter(|| w.top()));
    g.bench_function("group truth,guess count+mean", |b| b.iter(|| w.group()));
    g.bench_function("derive loss*2+score, max", |b| b.iter(|| w.derive_max()));
    g.bench_function("full sort by loss", |b| b.iter(|| w.sort_full()));
    let other = w.scrambled_version();
    g.bench_function("join two versions on id (merged view)", |b| {
        b.iter(|| w.join_versions(&other))
    });
    g.finish();
}

criterion_group!(benches, engine);
criterion_main!(benches);
