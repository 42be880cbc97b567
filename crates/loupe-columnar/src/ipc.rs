//! Arrow IPC (file and stream formats). Streams may replace a column's
//! dictionary between record batches; each batch is converted with the
//! dictionary it arrived with and the batches are merged afterwards.

use std::io::Cursor;

use arrow_ipc::reader::{FileReader, StreamReader};
use loupe_core::Table;

use crate::{BatchCollector, ColumnarError, Format};

/// Reads a whole Arrow IPC file or stream.
pub fn read_arrow(bytes: &[u8]) -> Result<Table, ColumnarError> {
    if Format::sniff(bytes) == Some(Format::ArrowFile) {
        let reader = FileReader::try_new(Cursor::new(bytes), None)?;
        let mut collector = BatchCollector::with_schema(&reader.schema());
        for batch in reader {
            collector.push(&batch?)?;
        }
        collector.finish()
    } else {
        let reader = StreamReader::try_new(Cursor::new(bytes), None)?;
        let mut collector = BatchCollector::with_schema(&reader.schema());
        for batch in reader {
            collector.push(&batch?)?;
        }
        collector.finish()
    }
}
