//! `loupe index <dir>` builds a catalog (`loupe.json`) from a tree of artifact
//! version folders; `loupe check <file-or-dir>` validates tables and references.
//! Every problem is printed with its path; the exit code is non-zero on errors.

mod check;
mod convert;

mod index;
mod serve;

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage:
  loupe index <dir> [--runs <runs.json>] [--out <file>] [--allow-origin <origin>]... [--json]
      walk <dir> for artifact version folders (each with a wandb_manifest.json),
      write the catalog (default <dir>/loupe.json) and report broken tables,
      missing media files and unresolvable references
  loupe dataset <dir> [--parts <folder>] [--name <name>]   (a folder of Parquet/Arrow files → a partitioned table)
  loupe convert <input.csv|.jsonl|.parquet|.arrow> <out-dir> [--to json|parquet] [--name <name>] [--type <artifact type>]
      write the file as a W&B artifact version folder (<name>.table.json + manifest)
  loupe check <file-or-dir> [--json]
      validate tables and references without writing a catalog
  loupe serve <dir> [--app <built site, default dist>] [--port <n>]
      serve the app at / and <dir> at /data/ on 127.0.0.1 for local use";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str| args.iter().any(|a| a == name);
    // The word after `name` (`--out x` → `x`).
    let text = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .map(String::as_str)
    };
    let value = |name: &str| text(name).map(PathBuf::from);
    let json = flag("--json");
    let result = match (args.first().map(String::as_str), args.get(1)) {
        (Some("index"), Some(dir)) => {
            let origins: Vec<String> = args
                .windows(2)
                .filter(|w| w[0] == "--allow-origin")
                .map(|w| w[1].clone())
                .collect();
            index::run(
                &PathBuf::from(dir),
                value("--runs"),
                value("--out"),
                json,
                &origins,
            )
        }
        (Some("check"), Some(path)) => check::run(&PathBuf::from(path), json),
        (Some("convert"), Some(input)) => match args.get(2).filter(|a| !a.starts_with("--")) {
            Some(out) => {
                let output = match text("--to") {
                    Some("parquet") => convert::Output::Parquet,
                    _ => convert::Output::TableJson,
                };
                return finish(
                    "convert",
                    convert::run(
                        &PathBuf::from(input),
                        &PathBuf::from(out),
                        text("--name"),
                        text("--type").unwrap_or("dataset"),
                        output,
                    ),
                );
            }
            None => {
                eprintln!("{USAGE}");
                return ExitCode::from(2);
            }
        },
        (Some("dataset"), Some(dir)) => {
            let default_name = PathBuf::from(dir)
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("dataset")
                .to_string();
            return finish(
                "dataset",
                loupe_cli::dataset::run(
                    &PathBuf::from(dir),
                    text("--parts").unwrap_or("parts"),
                    text("--name").unwrap_or(&default_name),
                    text("--type").unwrap_or("dataset"),
                ),
            );
        }
        (Some("serve"), Some(dir)) => {
            let port = text("--port").and_then(|p| p.parse().ok()).unwrap_or(8080);
            serve::run(
                &PathBuf::from(dir),
                value("--app").unwrap_or_else(|| PathBuf::from("dist")),
                port,
            )
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(report) => {
            report.print(json);
            if report.problems.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!("loupe: {e}");
            ExitCode::FAILURE
        }
    }
}

/// A one-line command's outcome: its line on stdout, or its error on stderr.
fn finish(command: &str, result: Result<String, String>) -> ExitCode {
    match result {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("loupe {command}: {e}");
            ExitCode::FAILURE
        }
    }
}

/// What a command found.
#[derive(Debug, Default)]
pub struct Report {
    pub summary: String,
    /// (path, problem)
    pub problems: Vec<(String, String)>,
}

impl Report {
    fn print(&self, json: bool) {
        use loupe_core::json::{Json, to_string};
        if json {
            let problems = self
                .problems
                .iter()
                .map(|(p, m)| {
                    Json::Object(vec![
                        ("path".into(), Json::String(p.clone())),
                        ("problem".into(), Json::String(m.clone())),
                    ])
                })
                .collect();
            let out = Json::Object(vec![
                ("summary".into(), Json::String(self.summary.clone())),
                ("problems".into(), Json::Array(problems)),
            ]);
            println!("{}", to_string(&out, true));
        } else {
            for (path, problem) in &self.problems {
                println!("{path}: {problem}");
            }
            println!("{}", self.summary);
        }
    }
}
