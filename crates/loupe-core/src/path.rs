//! Media paths from untrusted JSON, resolved against an artifact root URL.
//!
//! A path must stay inside the artifact: no `..`, no absolute paths, no other
//! origins. Refusal is a per-cell error, so a hostile path never loads anything.

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    #[error("empty media path")]
    Empty,
    #[error("media path `{0}` is absolute; paths must be relative to the artifact")]
    Absolute(String),
    #[error("media path `{0}` names a scheme or another origin")]
    Scheme(String),
    #[error("media path `{0}` leaves the artifact folder (`..`)")]
    Escapes(String),
    #[error("media path `{0}` contains a backslash or control character")]
    BadCharacter(String),
}

/// Joins an artifact-relative `path` onto `root` (an absolute URL of a folder).
/// The path is percent-encoded per segment so `#`, `?` and spaces stay literal.
pub fn resolve_media_url(root: &str, path: &str) -> Result<String, PathError> {
    let owned = || path.to_string();
    if path.is_empty() {
        return Err(PathError::Empty);
    }
    if path.starts_with('/') {
        return Err(PathError::Absolute(owned()));
    }
    if path.chars().any(|c| c == '\\' || c.is_control()) {
        return Err(PathError::BadCharacter(owned()));
    }
    let first = path.split('/').next().unwrap_or_default();
    if first.contains(':') {
        return Err(PathError::Scheme(owned()));
    }
    let mut encoded = String::with_capacity(path.len() + 8);
    for (i, segment) in path.split('/').enumerate() {
        if segment == ".." {
            return Err(PathError::Escapes(owned()));
        }
        if segment == "." || segment.is_empty() {
            continue;
        }
        if i > 0 && !encoded.is_empty() {
            encoded.push('/');
        }
        percent_encode_segment(segment, &mut encoded);
    }
    let mut url = root.to_string();
    if !url.ends_with('/') {
        url.push('/');
    }
    url.push_str(&encoded);
    Ok(url)
}

fn percent_encode_segment(segment: &str, out: &mut String) {
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=@".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
}

/// The folder of a file URL (everything up to the last `/` before any query or fragment).
pub fn folder_of(url: &str) -> String {
    let end = url.find(['?', '#']).unwrap_or(url.len());
    let base = &url[..end];
    match base.rfind('/') {
        Some(i) => base[..=i].to_string(),
        None => String::new(),
    }
}

/// Decodes `%XX` escapes (as in Hive partition folder names); malformed ones stay as written.
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(v) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_and_encodes() {
        assert_eq!(
            resolve_media_url("http://h/a/v0/", "media/images/x y#1.png"),
            Ok("http://h/a/v0/media/images/x%20y%231.png".into())
        );
        assert_eq!(
            resolve_media_url("http://h/a", "./b.png"),
            Ok("http://h/a/b.png".into())
        );
    }

    #[test]
    fn refuses_escapes() {
        let root = "http://h/a/";
        assert!(matches!(
            resolve_media_url(root, "../secret.png"),
            Err(PathError::Escapes(_))
        ));
        assert!(matches!(
            resolve_media_url(root, "media/../../x"),
            Err(PathError::Escapes(_))
        ));
        assert!(matches!(
            resolve_media_url(root, "/etc/passwd"),
            Err(PathError::Absolute(_))
        ));
        assert!(matches!(
            resolve_media_url(root, "https://evil/x.png"),
            Err(PathError::Scheme(_))
        ));
        assert!(matches!(
            resolve_media_url(root, "javascript:alert(1)"),
            Err(PathError::Scheme(_))
        ));
        assert!(matches!(
            resolve_media_url(root, "a\\..\\b"),
            Err(PathError::BadCharacter(_))
        ));
        assert_eq!(resolve_media_url(root, ""), Err(PathError::Empty));
    }

    #[test]
    fn folders() {
        assert_eq!(
            folder_of("http://h/a/v0/t.table.json?x=/y"),
            "http://h/a/v0/"
        );
        assert_eq!(folder_of("t.json"), "");
    }
}
