//! Any bytes as a `wandb_manifest.json`, a `loupe.json` catalog, a document, a views file.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    loupe_core::fuzz::manifest_and_catalog(data);
});
