//! The release page's Content-Security-Policy. trunk writes one inline module
//! script (the wasm loader) whose text changes with every build, so the policy
//! names that script by its SHA-256 instead of allowing inline script at all.

use loupe_core::hash::{base64, sha256};

/// What the page may load. Data and media come from wherever the user points
/// Loupe (any origin, chosen by URL), but script only from this site: the loader
/// by hash, the wasm glue from 'self'; `eval` stays forbidden ('wasm-unsafe-eval'
/// only lets WebAssembly compile). HTML cells are sandboxed iframes.
fn policy(script_hashes: &[String]) -> String {
    let hashes: String = script_hashes
        .iter()
        .map(|h| format!(" 'sha256-{h}'"))
        .collect();
    format!(
        "default-src 'self'; script-src 'self'{hashes} 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; \
         img-src * data: blob:; media-src * data: blob:; connect-src * data: blob:; frame-src *; object-src 'none'; \
         base-uri 'none'; form-action 'self'"
    )
}

/// Inserts the policy into `html` (right after `<head>`, before any script).
pub fn harden(html: &str) -> Result<String, String> {
    let mut hashes = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let open_end = rest[start..].find('>').ok_or("unterminated <script> tag")? + start + 1;
        let tag = &rest[start..open_end];
        let close = rest[open_end..]
            .find("</script>")
            .ok_or("unterminated <script>")?
            + open_end;
        if !tag.contains(" src=") {
            hashes.push(base64(&sha256(&rest.as_bytes()[open_end..close])));
        }
        rest = &rest[close..];
    }
    let head = html.find("<head>").ok_or("no <head> in index.html")? + "<head>".len();
    let meta = format!(
        "\n    <meta http-equiv=\"Content-Security-Policy\" content=\"{}\" />",
        policy(&hashes)
    );
    Ok(format!("{}{meta}{}", &html[..head], &html[head..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_inline_scripts_only() {
        let html = "<html><head><script type=\"module\">go()</script><script src=\"x.js\"></script></head></html>";
        let out = harden(html).expect("hardened");
        assert!(out.starts_with("<html><head>\n    <meta http-equiv=\"Content-Security-Policy\""));
        assert!(out.contains(&format!("'sha256-{}'", base64(&sha256(b"go()")))));
        assert_eq!(out.matches("sha256-").count(), 1);
    }
}
