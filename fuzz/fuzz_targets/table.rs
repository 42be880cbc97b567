//! Any bytes through the table readers (whole-file and streaming, split in two):
//! they may refuse, never panic, and must agree.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    loupe_core::fuzz::table(data);
});
