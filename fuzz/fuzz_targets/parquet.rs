//! Any bytes through the Parquet readers (whole, and row group by row group
//! from byte ranges as the browser reads): they may refuse, never panic, and
//! must agree.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    loupe_columnar::fuzz::parquet(data);
});
