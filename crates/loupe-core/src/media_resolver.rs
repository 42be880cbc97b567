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
        }
    }

    /// Uses the manifest's reference entries, resolved through `catalog`
    /// (whose folders are relative to `catalog_base`, an absolute URL ending in `/`).
    pub fn with_manifest(
        root: &str,
        manifest: &Manifest,
        catalog: Option<(&Catalog, &str)>,
    ) -> Self {
        let mut r = MediaResolver::plain(root);
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
