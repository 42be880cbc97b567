//! Helpers shared by the columnar tests.

use arrow_array::RecordBatch;
use arrow_ipc::reader::{FileReader, StreamReader};
use loupe_columnar::table_from_batches;
use loupe_core::Table;

/// The reference: arrow-rs's own stream or file reader, batches converted whole.
pub fn read_by_arrow_rs(bytes: &[u8]) -> Result<Table, String> {
    let batches: Vec<RecordBatch> = if bytes.starts_with(b"ARROW1") {
        FileReader::try_new(std::io::Cursor::new(bytes), None)
            .map_err(|e| e.to_string())?
            .collect::<Result<_, _>>()
    } else {
        StreamReader::try_new(bytes, None)
            .map_err(|e| e.to_string())?
            .collect::<Result<_, _>>()
    }
    .map_err(|e| e.to_string())?;
    table_from_batches(&batches).map_err(|e| e.to_string())
}
