//! A small static file server on 127.0.0.1: what `loupe serve` runs, and what the
//! end-to-end tests serve the built site with. Paths never leave their mount.

use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// URL prefix (starting and ending with `/`) → folder served under it.
#[derive(Debug, Clone)]
pub struct Mount {
    pub prefix: String,
    pub dir: PathBuf,
    pub fault: Fault,
}

/// How a mount misbehaves, for tests of what users see when servers fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    None,
    /// Every request answers with this HTTP status.
    Status(u16),
    /// Sends the headers and half the body, then drops the connection.
    Drop,
    /// Sends the body in 16 KiB pieces, 40 ms apart.
    Slow,
    /// Sends the body gzip-compressed (`Content-Encoding: gzip`, so
    /// `Content-Length` counts the compressed bytes), as CDNs serve JSON.
    Gzip,
}

impl Mount {
    pub fn new(prefix: &str, dir: impl Into<PathBuf>) -> Self {
        Mount {
            prefix: prefix.to_string(),
            dir: dir.into(),
            fault: Fault::None,
        }
    }

    pub fn with_fault(mut self, fault: Fault) -> Self {
        self.fault = fault;
        self
    }
}

/// Every request served: its path and its `Range` header, in arrival order
/// (tests check what a page fetched, e.g. that Parquet came in byte ranges).
pub type RequestLog = Arc<Mutex<Vec<(String, Option<String>)>>>;

/// Serves `mounts` (first matching prefix wins) from a background thread.
pub fn spawn(listener: TcpListener, mounts: Vec<Mount>) {
    spawn_logged(listener, mounts);
}

/// Like `spawn`, returning the log of requests served.
pub fn spawn_logged(listener: TcpListener, mounts: Vec<Mount>) -> RequestLog {
    let log = RequestLog::default();
    let shared = log.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mounts = mounts.clone();
            let log = shared.clone();
            std::thread::spawn(move || {
                // A client that hangs up mid-response is not our problem.
                let _ = handle(stream, &mounts, &log);
            });
        }
    });
    log
}

/// The byte range a `Range: bytes=…` header asks of a body of `len` bytes:
/// `a-b`, `a-` or the suffix `-n`. `Err` when it cannot be satisfied; `None`
/// for a header that is not a single byte range (served whole, as allowed).
fn byte_range(header: &str, len: u64) -> Option<Result<(u64, u64), ()>> {
    let spec = header.trim().strip_prefix("bytes=")?;
    if spec.contains(',') {
        return None;
    }
    let (a, b) = spec.split_once('-')?;
    let (a, b) = (a.trim(), b.trim());
    let range = if a.is_empty() {
        let n: u64 = b.parse().ok()?;
        (len.saturating_sub(n), len)
    } else {
        let start: u64 = a.parse().ok()?;
        let end = if b.is_empty() {
            len
        } else {
            b.parse::<u64>().ok()?.saturating_add(1).min(len)
        };
        (start, end)
    };
    Some(if range.0 < range.1 {
        Ok(range)
    } else {
        Err(())
    })
}

pub fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript",
        "wasm" => "application/wasm",
        "css" => "text/css",
        "json" => "application/json",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "svg" => "image/svg+xml",
        "wav" => "audio/wav",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        _ => "application/octet-stream",
    }
}

/// The file a request path maps to, if any (no `..`, no escaping the mount).
pub fn resolve(mounts: &[Mount], path: &str) -> Option<PathBuf> {
    resolve_with_fault(mounts, path).map(|(f, _)| f)
}

fn resolve_with_fault(mounts: &[Mount], path: &str) -> Option<(PathBuf, Fault)> {
    let path = loupe_core::path::percent_decode(path.split(['?', '#']).next().unwrap_or("/"));
    mounts.iter().find_map(|m| {
        let rest = path.strip_prefix(&m.prefix)?;
        if rest.split('/').any(|seg| seg == ".." || seg.contains('\\')) {
            return None;
        }
        let mut f = m.dir.join(rest);
        if f.is_dir() {
            f = f.join("index.html");
        }
        f.is_file().then_some((f, m.fault))
    })
}

fn handle(mut stream: TcpStream, mounts: &[Mount], log: &RequestLog) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut header = String::new();
    let mut range = None;
    while reader.read_line(&mut header)? > 2 {
        if let Some((name, value)) = header.split_once(':')
            && name.trim().eq_ignore_ascii_case("range")
        {
            range = Some(value.trim().to_string());
        }
        header.clear();
    }
    let target = request_line.split_whitespace().nth(1).unwrap_or("/");
    if let Ok(mut l) = log.lock() {
        l.push((target.to_string(), range.clone()));
    }
    match resolve_with_fault(mounts, target) {
        Some((_, Fault::Status(code))) => {
            let body = format!("status {code}");
            write!(
                stream,
                "HTTP/1.1 {code} Fault\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            )
        }
        Some((f, Fault::Gzip)) => {
            let mut body = Vec::new();
            std::fs::File::open(&f)?.read_to_end(&mut body)?;
            let mut encoder =
                flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            encoder.write_all(&body)?;
            let gz = encoder.finish()?;
            write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: {}\r\nContent-Encoding: gzip\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
                content_type(&f),
                gz.len()
            )?;
            stream.write_all(&gz)
        }
        Some((f, fault)) => {
            // Only the bytes asked for are read: a Parquet reader asks for a
            // file's row groups one range at a time, and reading the whole file
            // for each would cost as much as its size times their number.
            let mut file = std::fs::File::open(&f)?;
            let total = file.metadata()?.len();
            let (status, extra, start, len) = match range
                .as_deref()
                .and_then(|r| byte_range(r, total))
            {
                Some(Ok((start, end))) => (
                    "206 Partial Content",
                    format!("Content-Range: bytes {start}-{}/{total}\r\n", end - 1),
                    start,
                    end - start,
                ),
                Some(Err(())) => {
                    return write!(
                        stream,
                        "HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */{total}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    );
                }
                None => ("200 OK", String::new(), 0, total),
            };
            write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: {}\r\nContent-Length: {len}\r\nAccept-Ranges: bytes\r\n{extra}Cache-Control: no-store\r\nConnection: close\r\n\r\n",
                content_type(&f),
            )?;
            file.seek(SeekFrom::Start(start))?;
            let mut body = file.take(len);
            match fault {
                Fault::Drop => {
                    std::io::copy(&mut body.take(len / 2), &mut stream)?;
                    stream.flush()?;
                    // Closing with bytes still promised: the client sees a cut connection.
                    stream.shutdown(std::net::Shutdown::Both)
                }
                Fault::Slow => {
                    let mut piece = vec![0u8; 16 * 1024];
                    loop {
                        let n = body.read(&mut piece)?;
                        if n == 0 {
                            return Ok(());
                        }
                        stream.write_all(&piece[..n])?;
                        stream.flush()?;
                        std::thread::sleep(std::time::Duration::from_millis(40));
                    }
                }
                Fault::None | Fault::Status(_) | Fault::Gzip => {
                    std::io::copy(&mut body, &mut stream).map(drop)
                }
            }
        }
        None => {
            let body = b"not found";
            write!(
                stream,
                "HTTP/1.1 404 Not Found\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            )?;
            stream.write_all(body)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_ranges_follow_rfc_9110() {
        assert_eq!(byte_range("bytes=0-3", 10), Some(Ok((0, 4))));
        assert_eq!(byte_range("bytes=4-", 10), Some(Ok((4, 10))));
        assert_eq!(byte_range("bytes=-3", 10), Some(Ok((7, 10))));
        assert_eq!(byte_range("bytes=8-100", 10), Some(Ok((8, 10))));
        assert_eq!(byte_range("bytes=10-12", 10), Some(Err(())));
        assert_eq!(byte_range("bytes=0-1,4-5", 10), None);
        assert_eq!(byte_range("items=0-1", 10), None);
    }

    #[test]
    fn paths_stay_inside_their_mount() {
        let dir = std::env::temp_dir().join(format!("loupe-serve-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("a")).expect("mkdir");
        std::fs::write(dir.join("a/x.json"), b"{}").expect("write");
        let mounts = [Mount::new("/data/", dir.join("a"))];
        assert_eq!(
            resolve(&mounts, "/data/x.json?v=1"),
            Some(dir.join("a/x.json"))
        );
        assert_eq!(resolve(&mounts, "/data/%2e%2e/a/x.json"), None);
        assert_eq!(resolve(&mounts, "/data/../a/x.json"), None);
        assert_eq!(resolve(&mounts, "/other/x.json"), None);
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// One request over a raw socket: the status line, headers and body.
    fn get(addr: std::net::SocketAddr, path: &str, range: Option<&str>) -> (String, Vec<u8>) {
        let mut stream = TcpStream::connect(addr).expect("connect");
        let range = range.map_or(String::new(), |r| format!("Range: {r}\r\n"));
        write!(stream, "GET {path} HTTP/1.1\r\nHost: x\r\n{range}\r\n").expect("send");
        let mut response = Vec::new();
        stream.read_to_end(&mut response).expect("read");
        let split = response
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("headers end");
        let head = String::from_utf8_lossy(&response[..split]).to_string();
        (head, response[split + 4..].to_vec())
    }

    #[test]
    fn ranges_serve_just_their_bytes() {
        let dir = std::env::temp_dir().join(format!("loupe-ranges-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("mkdir");
        let file: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(dir.join("f.bin"), &file).expect("write");
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        spawn(listener, vec![Mount::new("/", dir.clone())]);

        let (head, body) = get(addr, "/f.bin", Some("bytes=70000-70099"));
        assert!(head.starts_with("HTTP/1.1 206"), "{head}");
        assert!(
            head.contains("Content-Range: bytes 70000-70099/100000"),
            "{head}"
        );
        assert!(head.contains("Content-Length: 100\r\n"), "{head}");
        assert_eq!(body, &file[70_000..70_100]);
        let (head, body) = get(addr, "/f.bin", Some("bytes=-8"));
        assert!(head.starts_with("HTTP/1.1 206"), "{head}");
        assert_eq!(body, &file[99_992..]);
        let (head, body) = get(addr, "/f.bin", None);
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
        assert_eq!(body, file);
        let (head, body) = get(addr, "/f.bin", Some("bytes=100000-"));
        assert!(head.starts_with("HTTP/1.1 416"), "{head}");
        assert!(body.is_empty());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
