//! A packed bit vector: validity (non-null) flags and boolean columns.

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Bitmap {
    words: Vec<u64>,
    len: usize,
}

impl Bitmap {
    pub fn new() -> Self {
        Bitmap::default()
    }

    /// `len` bits, all set to `value`.
    pub fn filled(len: usize, value: bool) -> Self {
        let fill = if value { u64::MAX } else { 0 };
        let mut b = Bitmap {
            words: vec![fill; len.div_ceil(64)],
            len,
        };
        b.clear_tail();
        b
    }

    pub fn from_bools(bits: impl IntoIterator<Item = bool>) -> Self {
        let bits = bits.into_iter();
        let mut words = Vec::with_capacity(bits.size_hint().0.div_ceil(64));
        let (mut word, mut len) = (0u64, 0usize);
        // Whole words at a time: no per-bit bounds checks or pushes.
        for bit in bits {
            word |= u64::from(bit) << (len & 63);
            len += 1;
            if len & 63 == 0 {
                words.push(word);
                word = 0;
            }
        }
        if len & 63 != 0 {
            words.push(word);
        }
        Bitmap { words, len }
    }

    fn clear_tail(&mut self) {
        let used = self.len % 64;
        if used != 0
            && let Some(last) = self.words.last_mut()
        {
            *last &= (1u64 << used) - 1;
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    #[inline]
    pub fn get(&self, i: usize) -> bool {
        debug_assert!(i < self.len);
        self.words[i >> 6] >> (i & 63) & 1 == 1
    }

    #[inline]
    pub fn set(&mut self, i: usize, value: bool) {
        let mask = 1u64 << (i & 63);
        if value {
            self.words[i >> 6] |= mask;
        } else {
            self.words[i >> 6] &= !mask;
        }
    }

    #[inline]
    pub fn push(&mut self, value: bool) {
        if self.len.is_multiple_of(64) {
            self.words.push(0);
        }
        let i = self.len;
        self.len += 1;
        if value {
            self.words[i >> 6] |= 1u64 << (i & 63);
        }
    }

    pub fn extend_filled(&mut self, n: usize, value: bool) {
        for _ in 0..n {
            self.push(value);
        }
    }

    pub fn count_ones(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    pub fn all_set(&self) -> bool {
        self.count_ones() == self.len
    }

    pub fn iter(&self) -> impl Iterator<Item = bool> + '_ {
        (0..self.len).map(|i| self.get(i))
    }

    /// Bitwise AND of two bitmaps of the same length.
    pub fn and(&self, other: &Bitmap) -> Bitmap {
        debug_assert_eq!(self.len, other.len);
        Bitmap {
            words: self
                .words
                .iter()
                .zip(&other.words)
                .map(|(a, b)| a & b)
                .collect(),
            len: self.len.min(other.len),
        }
    }

    /// Keeps the first `len` bits.
    pub fn truncate(&mut self, len: usize) {
        if len < self.len {
            self.len = len;
            self.words.truncate(len.div_ceil(64));
            self.clear_tail();
        }
    }

    /// Appends all bits of `other`.
    pub fn append(&mut self, other: &Bitmap) {
        if self.len.is_multiple_of(64) {
            // Word-aligned (the common case for batches of whole words): copy words.
            self.words.truncate(self.len / 64);
            self.words.extend_from_slice(&other.words);
            self.len += other.len;
            return;
        }
        // Unaligned (a piece of, say, 125,000 rows leaves every later one so):
        // each word of `other` straddles two of ours. Bit by bit, appending a
        // 1M-row table's pieces on the page took a third of each piece's task.
        let shift = self.len % 64;
        self.words.truncate(self.len.div_ceil(64));
        for &word in other.words.iter().take(other.len.div_ceil(64)) {
            if let Some(last) = self.words.last_mut() {
                *last |= word << shift;
            }
            self.words.push(word >> (64 - shift));
        }
        self.len += other.len;
        self.words.truncate(self.len.div_ceil(64));
        self.clear_tail();
    }

    /// The packed words (bit `i` is bit `i % 64` of word `i / 64`), for serializing.
    pub fn words(&self) -> &[u64] {
        &self.words
    }

    /// A bitmap of `len` bits from packed words; `None` when they do not hold `len` bits.
    pub fn from_words(words: Vec<u64>, len: usize) -> Option<Bitmap> {
        (words.len() == len.div_ceil(64)).then(|| {
            let mut b = Bitmap { words, len };
            b.clear_tail();
            b
        })
    }

    /// Room for `additional` more bits without reallocating.
    pub fn reserve(&mut self, additional: usize) {
        self.words.reserve(additional.div_ceil(64) + 1);
    }

    /// Gives back room reserved beyond the bits held.
    pub fn shrink_to_fit(&mut self) {
        self.words.shrink_to_fit();
    }

    /// Bits held without reallocating.
    pub fn capacity(&self) -> usize {
        self.words.capacity() * 64
    }

    /// Bytes held (for memory reports).
    pub fn heap_bytes(&self) -> usize {
        self.words.capacity() * 8
    }
}

#[cfg(test)]
mod tests {
    use super::Bitmap;

    #[test]
    fn push_get_count() {
        let mut b = Bitmap::new();
        for i in 0..130 {
            b.push(i % 3 == 0);
        }
        assert_eq!(b.len(), 130);
        assert!(b.get(129));
        assert!(!b.get(128));
        assert_eq!(b.count_ones(), 44);
        let f = Bitmap::filled(70, true);
        assert_eq!(f.count_ones(), 70);
        assert!(f.all_set());
    }

    proptest::proptest! {
        /// Appending, aligned or not, gives the bits one push at a time gives,
        /// in as many words as they need, with nothing set past the end.
        #[test]
        fn append_equals_pushing_each_bit(
            first in proptest::collection::vec(proptest::bool::ANY, 0..300),
            second in proptest::collection::vec(proptest::bool::ANY, 0..300),
        ) {
            let of = |bits: &[bool]| {
                let mut b = Bitmap::new();
                bits.iter().for_each(|&bit| b.push(bit));
                b
            };
            let mut appended = of(&first);
            appended.append(&of(&second));
            let all: Vec<bool> = first.iter().chain(&second).copied().collect();
            let pushed = of(&all);
            proptest::prop_assert_eq!(appended.len(), all.len());
            proptest::prop_assert_eq!(appended.words(), pushed.words());
            proptest::prop_assert_eq!(appended.count_ones(), all.iter().filter(|&&b| b).count());
        }
    }
}
