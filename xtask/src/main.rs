//! `cargo xtask <setup|serve|dist|test>`: the project's build scripts, in Rust.
//!
//! `setup` installs what is missing and skips what is present (see
//! ../shared/TOOLCHAIN.md for why each pin is what it is); every other command
//! runs it first, so a fresh machine needs nothing but cargo.

mod csp;

use std::env;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

const TRUNK_VERSION: &str = "0.21.14";
const BINARYEN_NPM: &str = "binaryen@132.0.0";
const WASM_TARGET: &str = "wasm32-unknown-unknown";

type Result<T = ()> = std::result::Result<T, String>;

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("setup") => setup(),
        Some("dist") => setup().and_then(|_| dist()),
        Some("serve") => setup().and_then(|_| serve()),
        Some("test") => setup().and_then(|_| test()),
        Some("bench-ext") => setup().and_then(|_| bench_ext()),
        Some("bench-app") => setup().and_then(|_| dist()).and_then(|_| {
            run(cmd("cargo").args([
                "test",
                "--test",
                "bench_app",
                "--",
                "--ignored",
                "--nocapture",
            ]))
        }),
        // Run by trunk after each build (Trunk.toml hook); tools are in place by then.
        Some("worker") => worker(),
        Some("fuzz") => fuzz(
            args.get(1)
                .and_then(|s| s.parse().ok())
                .unwrap_or(LONG_FUZZ_SECONDS),
        ),
        Some("bench") => setup()
            .and_then(|_| bench_ext())
            .and_then(|_| bench_peers(&args[1..])),
        _ => Err("usage: cargo xtask <setup|serve|dist|test>\n  \
                  setup  install the toolchain pieces that are missing\n  \
                  serve  build and serve the app on http://127.0.0.1:8080\n  \
                  dist   build the release site into dist/\n  \
                  test   format, lint (native + wasm32), build, and run every test\n  \
                  bench-ext  build the engine for the peer harness into bench/ext/pkg\n  \
                  fuzz [seconds]  run every cargo-fuzz target (nightly; default 10 minutes each)\n  \
                  bench  bench-ext, then run ../shared/bench/peers with Loupe beside the peers\n  \
                  bench-app  dist, then time the app loading the harness's 1M-row inputs (long tasks)"
            .into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

fn home_cargo_bin() -> PathBuf {
    env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .unwrap_or_else(|| PathBuf::from("/root/.cargo"))
        .join("bin")
}

/// PATH with npm's wasm-opt first (Debian's is broken) and cargo's bin dir.
fn tool_path() -> String {
    let npm_bin = root().join("tools/npm/node_modules/.bin");
    let mut parts = vec![npm_bin, home_cargo_bin()];
    if let Some(path) = env::var_os("PATH") {
        parts.extend(env::split_paths(&path));
    }
    env::join_paths(parts)
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn cmd(program: &str) -> Command {
    let mut c = Command::new(program);
    c.current_dir(root()).env("PATH", tool_path());
    c
}

fn run(c: &mut Command) -> Result {
    let shown = format!("{c:?}");
    eprintln!("xtask: $ {shown}");
    let status = c
        .status()
        .map_err(|e| format!("could not start {shown}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{shown} failed ({status})"))
    }
}

/// Output of a command, or empty if it cannot run (meaning: not installed).
fn output_of(program: &str, args: &[&str]) -> String {
    cmd(program)
        .args(args)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default()
}

/// The wasm-bindgen version pinned in Cargo.lock: the CLI must match it exactly.
fn locked_wasm_bindgen() -> Result<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock"))
        .map_err(|e| format!("Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\""
            && let Some(v) = lines.next().and_then(|l| l.strip_prefix("version = \""))
        {
            return Ok(v.trim_end_matches('"').to_string());
        }
    }
    Err("wasm-bindgen not found in Cargo.lock".into())
}

fn is_root() -> bool {
    output_of("id", &["-u"]).trim() == "0"
}

/// The `wandb` release the format spec and fixtures were written against.
const SDK_PIP: &str = "wandb==0.31.0";
/// DuckDB writes the partitioned-Parquet worked example (`tools/examples/duckdb_dataset.py`).
const DUCKDB_PIP: &str = "duckdb==2.0.1";

fn setup() -> Result {
    if !output_of("rustup", &["target", "list", "--installed"]).contains(WASM_TARGET) {
        run(cmd("rustup").args(["target", "add", WASM_TARGET]))?;
    }
    if !output_of("trunk", &["--version"]).contains(TRUNK_VERSION) {
        run(cmd("cargo").args(["install", &format!("trunk@{TRUNK_VERSION}"), "--locked"]))?;
    }
    // `cargo generate-lockfile` is a no-op when the lock exists; it makes a fresh clone safe.
    if !root().join("Cargo.lock").exists() {
        run(cmd("cargo").arg("generate-lockfile"))?;
    }
    let wb = locked_wasm_bindgen()?;
    if !output_of("wasm-bindgen", &["--version"]).contains(&wb) {
        // Not --locked: with it, the registry's index fails to resolve (TOOLCHAIN.md pitfall 1).
        run(cmd("cargo").args(["install", &format!("wasm-bindgen-cli@{wb}")]))?;
    }
    if !root().join("tools/npm/node_modules/.bin/wasm-opt").exists() {
        run(cmd("npm").args([
            "install",
            "--no-audit",
            "--no-fund",
            "--prefix",
            "tools/npm",
            BINARYEN_NPM,
        ]))?;
    }
    // The SDK round-trip test reads Loupe-written artifacts with the real
    // `wandb` package (offline): a private venv keeps it off the system Python.
    let py = root().join("tools/py/bin/python");
    let has_sdk = py.exists()
        && cmd(&py.display().to_string())
            .args(["-c", "import wandb, PIL, numpy, duckdb"])
            .status()
            .is_ok_and(|s| s.success());
    if !has_sdk {
        run(cmd("python3").args(["-m", "venv", "tools/py"]))?;
        run(cmd(&py.display().to_string()).args([
            "-m", "pip", "install", "--quiet", SDK_PIP, "pillow", "numpy", DUCKDB_PIP,
        ]))?;
    }
    let have_browser =
        Path::new("/usr/bin/chromium").exists() && Path::new("/usr/bin/chromedriver").exists();
    if !have_browser {
        if !is_root() {
            return Err("Chromium and chromedriver are missing; install Debian's `chromium` and `chromium-driver` (needs root)".into());
        }
        run(cmd("apt-get").arg("update"))?;
        run(cmd("apt-get")
            .args(["install", "-y", "chromium", "chromium-driver"])
            .env("DEBIAN_FRONTEND", "noninteractive"))?;
    }
    Ok(())
}

/// The base app's budget (issue #8): Parquet/Arrow live in the worker.
const APP_GZIP_BUDGET: u64 = 600_000;

/// Gzip -9 size of the app's wasm in dist/ (what a static host sends compressed).
fn app_gzip_size() -> Result<(u64, u64)> {
    let dist = root().join("dist");
    let wasm = std::fs::read_dir(&dist)
        .map_err(|e| format!("{}: {e}", dist.display()))?
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "wasm"))
        .ok_or("no app wasm in dist/")?;
    let raw = std::fs::metadata(&wasm).map_err(|e| e.to_string())?.len();
    let out = cmd("gzip")
        .args(["-9", "-c"])
        .arg(&wasm)
        .output()
        .map_err(|e| format!("gzip: {e}"))?;
    Ok((raw, out.stdout.len() as u64))
}

fn dist() -> Result {
    run(cmd("trunk").args(["build", "--release"]))?;
    let (raw, gz) = app_gzip_size()?;
    eprintln!("xtask: app wasm {raw} B raw, {gz} B gzip (budget {APP_GZIP_BUDGET})");
    // The release page forbids inline script except trunk's loader (by hash) and eval.
    let index = root().join("dist/index.html");
    let html = std::fs::read_to_string(&index).map_err(|e| format!("{}: {e}", index.display()))?;
    let hardened = csp::harden(&html)?;
    std::fs::write(&index, hardened).map_err(|e| format!("{}: {e}", index.display()))
}

fn serve() -> Result {
    eprintln!("xtask: serving on http://127.0.0.1:8080 (Ctrl-C to stop)");
    run(cmd("trunk").args([
        "serve",
        "--release",
        "--address",
        "127.0.0.1",
        "--port",
        "8080",
    ]))
}

/// The worker and the benchmark module build the core for speed; the page's
/// bundle keeps the workspace profile's size-optimized core (Cargo.toml).
const CORE_FAST: &str = "profile.release.package.loupe-core.opt-level=3";

/// Builds the loading worker (`crates/loupe-worker`: Parquet/Arrow, loaded by
/// the app only when such a table is opened) into `<site>/worker/`: trunk's
/// staging folder when trunk runs this as its post-build hook, else `dist/`.
fn worker() -> Result {
    let release = env::var("TRUNK_PROFILE").map_or(true, |p| p == "release");
    let mut build = cmd("cargo");
    build.args(["build", "--target", WASM_TARGET, "-p", "loupe-worker"]);
    if release {
        build.args(["--release", "--config", CORE_FAST]);
    }
    run(&mut build)?;
    let profile = if release { "release" } else { "debug" };
    let wasm = root().join(format!("target/{WASM_TARGET}/{profile}/loupe_worker.wasm"));
    let site: std::path::PathBuf =
        env::var_os("TRUNK_STAGING_DIR").map_or_else(|| root().join("dist"), Into::into);
    let out = site.join("worker");
    bindgen(&wasm, &out, release)?;
    // The module worker's entry: instantiate the wasm (its start function
    // installs the message handler and says "ready").
    let entry = out.join("worker.js");
    std::fs::write(&entry, "import init from './loupe_worker.js';\ninit();\n")
        .map_err(|e| format!("{}: {e}", entry.display()))
}

/// Builds `loupe-bench` for wasm and runs wasm-bindgen (and wasm-opt -O3) into bench/ext/pkg.
fn bench_ext() -> Result {
    run(cmd("cargo").args([
        "build",
        "--release",
        "--target",
        WASM_TARGET,
        "-p",
        "loupe-bench",
        "--config",
        CORE_FAST,
    ]))?;
    let wasm = root().join("target/wasm32-unknown-unknown/release/loupe_bench.wasm");
    bindgen(&wasm, &root().join("bench/ext/pkg"), true)
}

/// wasm-bindgen (ES module output) into `out`, then, when `optimize`, wasm-opt -O3
/// on the result (speed over bytes: these modules decode and query).
fn bindgen(wasm: &Path, out: &Path, optimize: bool) -> Result {
    run(cmd("wasm-bindgen")
        .args(["--target", "web", "--no-typescript", "--out-dir"])
        .arg(out)
        .arg(wasm))?;
    if !optimize {
        return Ok(());
    }
    let stem = wasm
        .file_stem()
        .and_then(|s| s.to_str())
        .ok_or("wasm file without a name")?;
    let bg = out.join(format!("{stem}_bg.wasm"));
    run(cmd("wasm-opt")
        .args([
            "-O3",
            "--enable-bulk-memory",
            "--enable-nontrapping-float-to-int",
        ])
        .arg(&bg)
        .arg("-o")
        .arg(&bg))
}

/// Runs the peer harness with Loupe as `ext:loupe`; extra args go to run.mjs.
fn bench_peers(extra: &[String]) -> Result {
    let harness = root().join("../shared/bench/peers");
    if !harness.join("run.mjs").exists() {
        return Err(format!("peer harness not found at {}", harness.display()));
    }
    let ext = root().join("bench/ext");
    let mut c = cmd("bash");
    c.current_dir(&harness).arg("run.sh").arg("--ext").arg(&ext);
    if !extra.iter().any(|a| a == "--peers") {
        c.args(["--peers", "ext:loupe,duckdb,arquero,raw,ext:duckdb_join"]);
    }
    run(c.args(extra))
}

fn test() -> Result {
    run(cmd("cargo").args(["fmt", "--all", "--check"]))?;
    run(cmd("cargo").args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;
    run(cmd("cargo").args([
        "clippy",
        "-p",
        "loupe",
        "-p",
        "loupe-worker",
        "-p",
        "loupe-web",
        "--all-targets",
        "--target",
        WASM_TARGET,
        "--",
        "-D",
        "warnings",
    ]))?;
    dist()?;
    let (_, gz) = app_gzip_size()?;
    if gz > APP_GZIP_BUDGET {
        return Err(format!(
            "the app's wasm is {gz} B gzipped, over its {APP_GZIP_BUDGET} B budget"
        ));
    }
    // Native: core unit/property/fixture tests, app logic, and the e2e tests against dist/.
    run(cmd("cargo").args(["test", "--workspace"]))?;
    // In-browser: wasm-bindgen-test in headless Chromium.
    run(cmd("cargo")
        .args(["test", "-p", "loupe", "--target", WASM_TARGET])
        .env("CHROMEDRIVER", "/usr/bin/chromedriver")
        .env("WASM_BINDGEN_TEST_TIMEOUT", "60"))?;
    // A short fuzz run of every target when the nightly toolchain is there; the
    // stable replay of seeds and past crashes ran above (fuzz_regressions).
    if has_nightly() {
        fuzz(SHORT_FUZZ_SECONDS)?;
    } else {
        eprintln!(
            "xtask: no nightly toolchain: skipping the short fuzz run (seeds and regressions replayed on stable)"
        );
    }
    Ok(())
}

// `parquet` is run by hand (`cargo +nightly fuzz run --fuzz-dir fuzz parquet`):
// arrow-rs's Parquet page decoders still panic on some damaged pages no check
// of ours reaches (fuzz/upstream-panics/parquet/), so a timed run can fail on
// a known upstream bug rather than on a change here.
const FUZZ_TARGETS: [&str; 4] = ["table", "manifest", "expression", "arrow"];
const SHORT_FUZZ_SECONDS: u32 = 20;
const LONG_FUZZ_SECONDS: u32 = 600;

fn has_nightly() -> bool {
    output_of("rustup", &["toolchain", "list"]).contains("nightly")
}

/// `cargo +nightly fuzz run <target>` for every target, `seconds` each, from the seeds.
/// A crash fails the run; its input lands in fuzz/artifacts/<target>/ — fix it and
/// copy the input to fuzz/regressions/<target>/ so the stable tests replay it.
fn fuzz(seconds: u32) -> Result {
    if !has_nightly() {
        return Err("fuzzing needs the nightly toolchain: rustup toolchain install nightly".into());
    }
    if !output_of("cargo", &["fuzz", "--version"]).contains("cargo-fuzz") {
        run(cmd("cargo").args(["install", "cargo-fuzz", "--locked"]))?;
    }
    for target in FUZZ_TARGETS {
        let corpus = format!("fuzz/corpus/{target}");
        std::fs::create_dir_all(root().join(&corpus)).map_err(|e| format!("{corpus}: {e}"))?;
        // Lengths read from a file are reserved with `try_reserve` (failing
        // softly); without this, AddressSanitizer aborts on the huge ones.
        run(cmd("cargo")
            .env("ASAN_OPTIONS", "allocator_may_return_null=1")
            .args([
                "+nightly",
                "fuzz",
                "run",
                "--fuzz-dir",
                "fuzz",
                target,
                &corpus,
                &format!("fuzz/seeds/{target}"),
                "--",
                &format!("-max_total_time={seconds}"),
                "-max_len=65536",
            ]))?;
    }
    Ok(())
}
