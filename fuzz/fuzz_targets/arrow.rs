//! Any bytes through the Arrow IPC readers (whole, and in chunks with every
//! batch read as it arrives): they may refuse, never panic, and must agree.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    loupe_columnar::fuzz::arrow(data);
});
