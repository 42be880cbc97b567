//! Harness for the end-to-end tests: a static file server for `dist/` (plus test
//! data), a chromedriver process, and a headless Chromium session.
// Each test binary includes this module and uses a different subset of it.
#![allow(dead_code)]

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};
use loupe_cli::static_server::{Fault, Mount, RequestLog, spawn_logged};
use serde_json::{Value as Json, json};

/// Browser tests share two cores: run them one at a time.
pub static BROWSER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Files tests write before serving them (under `/generated/`).
pub fn generated() -> PathBuf {
    let dir = repo().join("target/e2e-generated");
    std::fs::create_dir_all(&dir).expect("create target/e2e-generated");
    dir
}

/// Serves the built site (and test data) on 127.0.0.1:<free port> from a background thread.
pub fn serve() -> String {
    serve_logged().0
}

/// Like `serve`, with the log of every request served.
pub fn serve_logged() -> (String, RequestLog) {
    assert!(
        repo().join("dist/index.html").exists(),
        "dist/ is missing: run `cargo xtask dist` (or `cargo xtask test`, which builds it first)"
    );
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a local port");
    let addr = listener.local_addr().expect("local addr");
    let log = spawn_logged(
        listener,
        vec![
            Mount::new("/generated/@slow/", generated()).with_fault(Fault::Slow),
            Mount::new("/generated/", generated()),
            // Faulty servers for the bad-input corpus: a status, a cut connection, a slow one.
            Mount::new(
                "/testdata/corpus/@status403/",
                repo().join("tests/data/corpus"),
            )
            .with_fault(Fault::Status(403)),
            Mount::new(
                "/testdata/corpus/@status500/",
                repo().join("tests/data/corpus"),
            )
            .with_fault(Fault::Status(500)),
            Mount::new("/testdata/corpus/@drop/", repo().join("tests/data/corpus"))
                .with_fault(Fault::Drop),
            Mount::new("/testdata/corpus/@slow/", repo().join("tests/data/corpus"))
                .with_fault(Fault::Slow),
            Mount::new("/testdata/", repo().join("tests/data")),
            // The demo artifacts gzip-encoded, as a CDN serves JSON.
            Mount::new("/demo-gzip/", repo().join("public/demo")).with_fault(Fault::Gzip),
            Mount::new(
                "/fixtures/",
                repo().join("crates/loupe-core/tests/fixtures"),
            ),
            // The same site under a sub-path, as on GitHub Pages project sites.
            Mount::new("/sub/path/", repo().join("dist")),
            Mount::new("/", repo().join("dist")),
        ],
    );
    (format!("http://{addr}"), log)
}

/// chromedriver, killed when dropped.
pub struct Driver {
    child: Child,
    pub port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn chromedriver() -> Driver {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port");
    let child = Command::new("/usr/bin/chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start /usr/bin/chromedriver (run `cargo xtask setup`)");
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    Driver { child, port }
}

/// A browser session plus the server it talks to.
pub struct Session {
    pub client: Client,
    pub base: String,
    /// Every request the test server answered for this session.
    pub log: RequestLog,
    _driver: Driver,
    _profile: PathBuf,
}

/// Ends this session's Chromium (found by its own profile folder): stopping
/// chromedriver alone leaves the browser running, and leftovers pile up.
impl Drop for Session {
    fn drop(&mut self) {
        let _ = Command::new("pkill")
            .args([
                "-TERM",
                "-f",
                &format!("user-data-dir={}", self._profile.display()),
            ])
            .status();
    }
}

impl Session {
    /// This session's Chromium profile folder (its processes carry it on their command line).
    pub fn profile(&self) -> &std::path::Path {
        &self._profile
    }

    pub async fn start() -> Session {
        Session::start_sized(1200, 900).await
    }

    pub async fn start_sized(width: u32, height: u32) -> Session {
        let (base, log) = serve_logged();
        // A browser that fails to start (a loaded machine) gets two more tries.
        let mut attempt = 0;
        let (driver, client, profile) = loop {
            let driver = chromedriver();
            let profile = std::env::temp_dir().join(format!(
                "loupe-e2e-{}-{}",
                std::process::id(),
                driver.port
            ));
            let mut args = vec![
                "--headless=new".to_string(),
                "--no-sandbox".into(),
                "--disable-gpu".into(),
                "--disable-dev-shm-usage".into(),
                "--disable-quic".into(),
                "--no-first-run".into(),
                "--disable-background-networking".into(),
                "--disable-component-update".into(),
                "--disable-sync".into(),
                format!("--window-size={width},{height}"),
                format!("--user-data-dir={}", profile.display()),
            ];
            // For profiling by hand, e.g. a Chromium trace of a benchmark run:
            // LOUPE_CHROME_ARGS="--trace-startup=devtools.timeline --trace-startup-file=/tmp/t.json"
            if let Ok(extra) = std::env::var("LOUPE_CHROME_ARGS") {
                args.extend(extra.split_whitespace().map(str::to_string));
            }
            let caps = json!({
                "goog:chromeOptions": {
                    "binary": "/usr/bin/chromium",
                    "args": args,
                }
            });
            let Json::Object(caps) = caps else {
                unreachable!("caps is an object literal")
            };
            match ClientBuilder::native()
                .capabilities(caps)
                .connect(&format!("http://127.0.0.1:{}", driver.port))
                .await
            {
                Ok(client) => break (driver, client, profile),
                Err(e) if attempt < 2 => {
                    attempt += 1;
                    eprintln!("browser did not start ({e}); retrying");
                    drop(driver);
                    tokio::time::sleep(Duration::from_secs(2)).await;
                }
                Err(e) => panic!("connect to chromedriver: {e:?}"),
            }
        };
        Session {
            client,
            base,
            log,
            _driver: driver,
            _profile: profile,
        }
    }

    /// How many times this session's pages started a worker (fetched its wasm module).
    pub fn worker_starts(&self) -> usize {
        self.log
            .lock()
            .expect("request log")
            .iter()
            .filter(|(path, _)| path.ends_with("loupe_worker_bg.wasm"))
            .count()
    }

    /// Waits until the grid shows `rows` rows (its `aria-rowcount` counts the header too).
    pub async fn wait_rows(&self, rows: usize, what: &str) {
        self.wait_for(
            &format!(
                // The count, and (the rows are drawn a task after the grid) a data row.
                "Number(document.querySelector('[role=grid]')?.getAttribute('aria-rowcount')) === {} && ({} === 0 || document.querySelectorAll('[role=grid] [role=row]').length > 1)",
                rows + 1,
                rows
            ),
            what,
        )
        .await;
    }

    /// Types `text` into the filter box (and presses Enter when asked).
    pub async fn type_filter(&self, text: &str, press_enter: bool) {
        let enter = if press_enter {
            "f.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true}));"
        } else {
            ""
        };
        self.js(&format!(
            "const f = document.getElementById('loupe-filter'); f.value = {}; \
             f.dispatchEvent(new Event('input', {{bubbles: true}})); {enter} return 0",
            serde_json::to_string(text).expect("json string")
        ))
        .await;
    }

    /// The page's query string, decoded (`+` as space).
    pub async fn location_search(&self) -> String {
        self.js("return decodeURIComponent(location.search.replace(/\\+/g, ' '))")
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Opens `path_and_query` relative to the served site and waits until the app settles.
    pub async fn open(&self, path_and_query: &str) -> String {
        self.client
            .goto(&format!("{}/{}", self.base, path_and_query))
            .await
            .expect("navigate");
        self.wait_state().await
    }

    /// Waits for `body[data-loupe-state]` to leave "loading"; returns it.
    pub async fn wait_state(&self) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let state = self
                .js("return document.body.dataset.loupeState || ''")
                .await;
            let state = state.as_str().unwrap_or_default().to_string();
            if state == "ready" || state == "error" {
                return state;
            }
            assert!(Instant::now() < deadline, "page stayed in state {state:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn js(&self, script: &str) -> Json {
        self.client
            .execute(script, vec![])
            .await
            .expect("execute script")
    }

    /// Polls a JS expression until it is truthy (or fails after 10 s with `what`).
    pub async fn wait_for(&self, expr: &str, what: &str) -> Json {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let v = self.js(&format!("return ({expr});")).await;
            let truthy = match &v {
                Json::Null => false,
                Json::Bool(b) => *b,
                Json::Number(n) => n.as_f64() != Some(0.0),
                Json::String(s) => !s.is_empty(),
                _ => true,
            };
            if truthy {
                return v;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what} ({expr}); last value {v}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn screenshot(&self, name: &str) {
        if let Ok(png) = self.client.screenshot().await {
            let _ = std::fs::write(repo().join(format!("target/e2e-{name}.png")), png);
        }
    }
}

/// `&name=value` for each parameter, every byte of the value percent-encoded.
pub fn url_query(params: &[(&str, &str)]) -> String {
    params
        .iter()
        .map(|(k, v)| {
            let v: String = v.bytes().map(|b| format!("%{b:02X}")).collect();
            format!("&{k}={v}")
        })
        .collect()
}

/// `n` prediction rows; labels cycle through `labels`; every 9th score is null.
pub fn predictions(n: usize, labels: &[&str], first_id: usize) -> loupe_core::Table {
    let mut json = String::from(
        r#"{"_type": "table", "columns": ["id", "label", "score", "caption", "image"], "data": ["#,
    );
    for r in 0..n {
        if r > 0 {
            json.push_str(", ");
        }
        let score = if r % 9 == 0 {
            "null".to_string()
        } else {
            format!("{}", (r % 100) as f64 / 100.0)
        };
        json.push_str(&format!(
            r#"[{}, "{}", {score}, "row {r} of {n}", {{"_type": "image-file", "path": "media/images/{}.png", "width": 8, "height": 8}}]"#,
            first_id + r,
            labels[r % labels.len()],
            r % 4
        ));
    }
    json.push_str("]}");
    loupe_core::read_table(json.as_bytes()).expect("generated table parses")
}
