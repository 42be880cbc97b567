//! One large Arrow IPC record batch decoded column by column while its body
//! downloads.
//!
//! A record batch's body holds its columns one after another (validity,
//! offsets, values). Decoding only once the whole body is in would keep the
//! body and its decoded copy in memory together (a 5M-row stream written as a
//! single batch: ~400 MB of body) and leave every column's conversion to
//! after the last byte. Here the rows of the column being downloaded are
//! converted into Loupe storage as their bytes arrive, and bytes are dropped
//! once converted, so the work overlaps the download and the body is never
//! held whole.
//!
//! Only flat columns are read this way (integers, floats, timestamps, dates,
//! booleans, strings and dictionary-encoded strings) from uncompressed bodies
//! whose buffers lie in order; `plan` declines anything else and the batch is
//! read whole by arrow-rs.

mod column;
mod plan;

use std::ops::Range;

use loupe_core::ColumnData;

use crate::ColumnarError;
use column::ColumnState;
pub(crate) use plan::BatchLayout;
use plan::ColumnPlan;

/// Body bytes present: `bytes[0]` is the body's byte `base`.
pub(super) struct Window<'a> {
    bytes: &'a [u8],
    base: usize,
}

impl<'a> Window<'a> {
    /// The present bytes of `span` from its byte `from` on (`from` is never
    /// behind the window: bytes are dropped only once read).
    pub(super) fn from(&self, span: &Range<usize>, from: usize) -> &'a [u8] {
        let start = from.max(self.base) - self.base;
        let end = span
            .end
            .min(self.base + self.bytes.len())
            .saturating_sub(self.base);
        self.bytes.get(start..end.max(start)).unwrap_or(&[])
    }

    pub(super) fn whole(&self, span: &Range<usize>) -> Option<&'a [u8]> {
        let b = self.from(span, span.start);
        (b.len() == span.len()).then_some(b)
    }
}

/// A record batch being read as its body arrives.
pub(crate) struct ProgressiveBatch {
    rows: usize,
    plans: Vec<ColumnPlan>,
    done: Vec<ColumnData>,
    current: Option<ColumnState>,
    /// Body bytes arrived but not read yet (partial rows, or a validity or
    /// offsets buffer being gathered); `window[0]` is the body's byte `base`.
    window: Vec<u8>,
    base: usize,
    /// Body bytes arrived so far (`base + window.len()` after each push).
    received: usize,
    body_len: usize,
}

impl ProgressiveBatch {
    /// The batch read progressively, or `None` when it should be read whole.
    pub(crate) fn new(layout: &BatchLayout) -> Option<ProgressiveBatch> {
        let (rows, plans) = layout.plans()?;
        Some(ProgressiveBatch {
            rows,
            done: Vec::with_capacity(plans.len()),
            plans,
            current: None,
            window: Vec::new(),
            base: 0,
            received: 0,
            body_len: layout.body_len,
        })
    }

    pub(crate) fn rows(&self) -> usize {
        self.rows
    }

    /// Body bytes held (arrived, not yet read).
    pub(crate) fn held_bytes(&self) -> usize {
        self.window.len()
    }

    /// Bytes of the body still to come.
    pub(crate) fn remaining(&self) -> usize {
        self.body_len - self.received
    }

    /// The next body bytes (at most `remaining`); reads every row they
    /// complete. Rows are read in place from `bytes`; only what they leave
    /// unread (a partial row, a buffer being gathered) is copied to the window,
    /// and a window is completed from the next bytes before those are read.
    pub(crate) fn push(&mut self, mut bytes: &[u8]) -> Result<(), ColumnarError> {
        debug_assert!(bytes.len() <= self.remaining());
        while !bytes.is_empty() {
            if self.window.is_empty() {
                self.base = self.received;
                self.received += bytes.len();
                self.read_columns(&Window {
                    bytes,
                    base: self.base,
                })?;
                let keep = self.keep_from().clamp(self.base, self.received);
                self.window.extend_from_slice(&bytes[keep - self.base..]);
                self.base = keep;
                return Ok(());
            }
            // Only up to where the next row (or gathered buffer) ends, so the
            // window empties and the rest is read in place.
            let want = self.next_end().saturating_sub(self.received).max(1);
            let (head, rest) = bytes.split_at(want.min(bytes.len()));
            self.window.extend_from_slice(head);
            self.received += head.len();
            bytes = rest;
            let window = std::mem::take(&mut self.window);
            self.read_columns(&Window {
                bytes: &window,
                base: self.base,
            })?;
            self.window = window;
            let drop = (self.keep_from().saturating_sub(self.base)).min(self.window.len());
            // Shift the rest down only when that moves fewer bytes than are dropped.
            if drop == self.window.len() {
                self.window.clear();
                self.base = self.received;
            } else if drop * 2 >= self.window.len() {
                self.window.drain(..drop);
                self.base += drop;
            }
        }
        Ok(())
    }

    /// Reads every row of the current column (and the next ones) present.
    fn read_columns(&mut self, window: &Window) -> Result<(), ColumnarError> {
        while self.done.len() < self.plans.len() {
            let plan = &self.plans[self.done.len()];
            let state = self
                .current
                .get_or_insert_with(|| ColumnState::new(plan, self.rows));
            if !state.step(plan, self.rows, window)? {
                break;
            }
            if let Some(state) = self.current.take() {
                let plan = &mut self.plans[self.done.len()];
                self.done.push(state.finish(plan, self.rows));
            }
        }
        Ok(())
    }

    /// The first body byte still needed.
    fn keep_from(&self) -> usize {
        match (&self.current, self.plans.get(self.done.len())) {
            (Some(state), Some(plan)) => state.needs_from(plan),
            _ => self.received,
        }
    }

    /// Where the next unit the current column waits for ends: its next row,
    /// or the whole validity or offsets buffer it gathers.
    fn next_end(&self) -> usize {
        match (&self.current, self.plans.get(self.done.len())) {
            (Some(state), Some(plan)) => state.next_end(plan, self.rows),
            _ => self.body_len,
        }
    }

    /// The columns, once the whole body has arrived.
    pub(crate) fn finish(self) -> Result<Vec<ColumnData>, ColumnarError> {
        if self.remaining() > 0 || self.done.len() < self.plans.len() {
            return Err(ColumnarError::Schema(
                "the Arrow data ends inside a record batch (cut short?)".into(),
            ));
        }
        Ok(self.done)
    }
}
