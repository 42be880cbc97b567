//! `loupe serve <dir>`: the built app at `/`, the artifacts at `/data/`.

use std::net::TcpListener;
use std::path::{Path, PathBuf};

use loupe_cli::static_server::{Mount, spawn};

use crate::Report;

pub fn run(dir: &Path, app: PathBuf, port: u16) -> Result<Report, String> {
    if !app.join("index.html").is_file() {
        return Err(format!(
            "{} has no built app (index.html); run `cargo xtask dist` first or pass --app",
            app.display()
        ));
    }
    let listener =
        TcpListener::bind(("127.0.0.1", port)).map_err(|e| format!("127.0.0.1:{port}: {e}"))?;
    spawn(
        listener,
        vec![Mount::new("/data/", dir), Mount::new("/", &app)],
    );
    let start = if dir.join("loupe.json").is_file() {
        "?catalog=data/loupe.json"
    } else {
        ""
    };
    println!(
        "serving {} at http://127.0.0.1:{port}/data/ and the app at http://127.0.0.1:{port}/{start}",
        dir.display()
    );
    println!("press Ctrl-C to stop");
    loop {
        std::thread::park();
    }
}
