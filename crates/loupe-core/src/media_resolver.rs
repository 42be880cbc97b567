//! Where a media path of an artifact version is fetched from.
//!
//! A path is looked up in the version's manifest: a local entry resolves under
//! the version folder; a reference entry (`wandb-artifact://…`) resolves through
//! the catalog to the referenced version's folder. A reference that cannot be
//! resolved is remembered, so the cells using it show that reference by name.

use std::collections::HashMap;

use crate::catalog::Catalog;
use crate::manifest::Manifest;
use crate::path::resolve_media_url;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct MediaResolver {
    /// Absolute URL of the version folder, ending in `/`.
    root: String,
    /// Manifest paths that live elsewhere: absolute URL, or why they cannot be fetched.
    elsewhere: HashMap<String, Result<String, String>>,
    /// Origins (`https://host[:port]`) that media paths may name outright, as the
    /// opened catalog allows (`allowed_origins`); none by default.
    allowed_origins: Vec<String>,
}

/// `https://host:port` of an absolute http(s) URL.
fn origin_of(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    Some(&url[..url.len() - rest.len() + host_end])
}

impl MediaResolver {
    /// Paths resolve under `root` only (no manifest known).
    pub fn plain(root: &str) -> Self {
        let mut root = root.to_string();
        if !root.ends_with('/') {
            root.push('/');
        }
        MediaResolver {
            root,
            elsewhere: HashMap::new(),
            allowed_origins: Vec::new(),
        }
    }

    /// Lets media paths be absolute URLs on these origins (a catalog's `allowed_origins`).
    pub fn allow_origins(mut self, origins: &[String]) -> Self {
        self.allowed_origins = origins
            .iter()
            .map(|o| o.trim_end_matches('/').to_string())
            .collect();
        self
    }

    /// Uses the manifest's reference entries, resolved through `catalog`
    /// (whose folders are relative to `catalog_base`, an absolute URL ending in `/`).
    pub fn with_manifest(
        root: &str,
        manifest: &Manifest,
        catalog: Option<(&Catalog, &str)>,
    ) -> Self {
        let mut r = MediaResolver::plain(root)
            .allow_origins(catalog.map_or(&[][..], |(c, _)| c.allowed_origins.as_slice()));
        for entry in &manifest.entries {
            let Some(reference) = &entry.reference else {
                continue;
            };
            let target = match catalog {
                None => Err(format!(
                    "`{}` refers to `{reference}`, and no catalog was opened to resolve it",
                    entry.path
                )),
                Some((catalog, base)) => catalog
                    .resolve(reference)
                    .map_err(|e| e.to_string())
                    .and_then(|res| {
                        let folder =
                            resolve_media_url(base, &res.folder).map_err(|e| e.to_string())?;
                        resolve_media_url(&folder, &res.path).map_err(|e| e.to_string())
                    }),
            };
            r.elsewhere.insert(entry.path.clone(), target);
        }
        r
    }

    pub fn root(&self) -> &str {
        &self.root
    }

    /// The URL to fetch `path` from, or a message naming what is wrong.
    pub fn url(&self, path: &str) -> Result<String, String> {
        if let Some(origin) = origin_of(path) {
            return if self.allowed_origins.iter().any(|o| o == origin) {
                Ok(path.to_string())
            } else {
                Err(format!(
                    "media path `{path}` is on another origin ({origin}), which the catalog does not allow (`allowed_origins`)"
                ))
            };
        }
        match self.elsewhere.get(path) {
            Some(target) => target.clone(),
            None => resolve_media_url(&self.root, path).map_err(|e| e.to_string()),
        }
    }

    /// True if `path` is a reference entry (its bytes live in another artifact).
    pub fn is_reference(&self, path: &str) -> bool {
        self.elsewhere.contains_key(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_resolve_through_the_catalog() {
        let manifest = Manifest::parse(
            br#"{"version": 1, "contents": {
                "local.png": {"digest": "a", "size": 3},
                "far.png": {"digest": "b", "size": 0, "ref": "wandb-artifact://41727469666163743a31/media/far.png"},
                "lost.png": {"digest": "c", "size": 0, "ref": "wandb-artifact://41727469666163743a39/lost.png"}}}"#,
        )
        .expect("manifest");
        let catalog = Catalog::parse(
            br#"{"artifacts": [{"name": "d", "versions": [{"version": "v0", "path": "d/v0/", "id": "QXJ0aWZhY3Q6MQ=="}]}]}"#,
        )
        .expect("catalog");
        let r = MediaResolver::with_manifest(
            "http://h/site/b/v0/",
            &manifest,
            Some((&catalog, "http://h/site/")),
        );
        assert_eq!(
            r.url("local.png"),
            Ok("http://h/site/b/v0/local.png".into())
        );
        assert_eq!(
            r.url("far.png"),
            Ok("http://h/site/d/v0/media/far.png".into())
        );
        assert!(
            r.url("lost.png")
                .expect_err("dangling")
                .contains("wandb-artifact://41727469666163743a39/lost.png")
        );
        assert!(r.url("../x.png").is_err());
        let no_catalog = MediaResolver::with_manifest("http://h/b/", &manifest, None);
        assert!(
            no_catalog
                .url("far.png")
                .expect_err("no catalog")
                .contains("no catalog")
        );
    }
}

#[cfg(test)]
mod origin_tests {
    use super::*;

    #[test]
    fn other_origins_only_when_the_catalog_allows_them() {
        let plain = MediaResolver::plain("https://site.example/a/v0/");
        assert!(plain.url("https://cdn.example/img.png").is_err());
        assert!(plain.url("javascript:alert(1)").is_err());
        let allowed = MediaResolver::plain("https://site.example/a/v0/")
            .allow_origins(&["https://cdn.example/".to_string()]);
        assert_eq!(
            allowed.url("https://cdn.example/img.png").as_deref(),
            Ok("https://cdn.example/img.png")
        );
        let err = allowed
            .url("https://cdn.example.evil.com/x.png")
            .expect_err("other host");
        assert!(err.contains("cdn.example.evil.com"), "{err}");
        assert!(
            allowed.url("http://cdn.example/img.png").is_err(),
            "scheme is part of the origin"
        );
        assert_eq!(
            allowed.url("media/x.png").as_deref(),
            Ok("https://site.example/a/v0/media/x.png")
        );
    }
}
