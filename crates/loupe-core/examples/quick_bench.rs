//! Times the peer-harness workload natively: `cargo run --release --example quick_bench -- <pred_N.table.json>`.
use std::time::Instant;

use loupe_core::expr::{Frame, compile, eval, filter_rows};
use loupe_core::ops::{Agg, aggregate, group_rows, sort_rows, top_rows};

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: quick_bench <table.json>");
    let bytes = std::fs::read(&path).expect("read");
    let t0 = Instant::now();
    let table = loupe_core::read_table(&bytes).expect("table");
    println!(
        "load {:?} ({} rows, {} MiB held)",
        t0.elapsed(),
        table.row_count(),
        table.heap_bytes() >> 20
    );
    let frame = Frame::of(&table);
    let schema = frame.schema();
    let time = |name: &str, f: &mut dyn FnMut() -> String| {
        let mut best = f64::MAX;
        let mut out = String::new();
        for _ in 0..5 {
            let t = Instant::now();
            out = f();
            best = best.min(t.elapsed().as_secs_f64() * 1e3);
        }
        println!("{name}: {best:.2} ms -> {out}");
    };
    let (filter, _) = compile("score > 0.5 and truth != guess", &schema).expect("filter");
    time("filter+count", &mut || {
        filter_rows(&filter, &frame).len().to_string()
    });
    let (loss, _) = compile("loss", &schema).expect("loss");
    let all: Vec<u32> = (0..table.row_count() as u32).collect();
    time("top100", &mut || {
        let top = top_rows(&all, &eval(&loss, &frame), true, 100);
        format!("{:?}", &top[..3])
    });
    time("full sort", &mut || {
        let mut rows = all.clone();
        sort_rows(&mut rows, &[(eval(&loss, &frame), true)]);
        format!("{:?}", &rows[..3])
    });
    let (truth, _) = compile("truth", &schema).expect("truth");
    let (guess, _) = compile("guess", &schema).expect("guess");
    let score = table.column("score").expect("score");
    time("group", &mut || {
        let g = group_rows(&all, &[eval(&truth, &frame), eval(&guess, &frame)]);
        let means: Vec<_> = g
            .members
            .iter()
            .map(|m| aggregate(score, m, Agg::Mean))
            .collect();
        format!("{} groups, {:?}", g.len(), means.first())
    });
    let (derive, _) = compile("loss * 2 + score", &schema).expect("derive");
    time("derive+max", &mut || {
        let col = loupe_core::ops::materialize("d", eval(&derive, &frame), frame.rows);
        format!("{:?}", aggregate(&col, &all, Agg::Max))
    });
}

#[allow(dead_code)]
fn _unused() {}
