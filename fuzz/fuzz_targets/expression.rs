//! Any text as a filter/sort/derived expression, compiled and run on a small table.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    loupe_core::fuzz::expression(data);
});
