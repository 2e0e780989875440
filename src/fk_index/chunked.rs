//! A big family's list: children in creation order, in chunks, each child beside its creation
//! number, so that a child is found by two binary searches (the chunk, then the place in it)
//! and removed or inserted by moving at most one chunk's worth of keys.

use crate::id::RowKey;

/// Most children in one chunk: a removal or an insertion moves at most this many keys (and
/// their creation numbers), 8 KiB.
pub(super) const CHUNK_MAX: usize = 512;

/// Fewest children in a chunk that is not the last: a chunk falling below it is merged with
/// a neighbour, so that a list of `n` children has at most `n / CHUNK_MIN + 1` chunks.
pub(super) const CHUNK_MIN: usize = CHUNK_MAX / 4;

// A split's halves, and the chunks a list starts with, are not below the minimum.
const _: () = assert!(CHUNK_MAX / 2 >= CHUNK_MIN && CHUNK_MIN > 0);

/// Consecutive children of a big family, oldest first. Never empty.
#[derive(Clone, Debug)]
pub(crate) struct Chunk {
    /// Each child's creation number: what the binary searches read.
    seqs: Vec<u64>,
    /// The children, beside their numbers: what iteration reads, as a plain slice.
    keys: Vec<RowKey>,
}

impl Chunk {
    fn with_capacity() -> Self {
        Chunk {
            seqs: Vec::with_capacity(CHUNK_MAX),
            keys: Vec::with_capacity(CHUNK_MAX),
        }
    }

    /// The children of this chunk, oldest first.
    #[inline]
    pub(crate) fn keys(&self) -> &[RowKey] {
        &self.keys
    }

    fn len(&self) -> usize {
        self.keys.len()
    }

    fn last_seq(&self) -> u64 {
        self.seqs.last().copied().unwrap_or(0)
    }

    /// Moves this chunk's children from `at` on into a new chunk.
    fn split_off(&mut self, at: usize) -> Chunk {
        let mut tail = Chunk::with_capacity();
        tail.seqs.extend(self.seqs.drain(at..));
        tail.keys.extend(self.keys.drain(at..));
        tail
    }
}

/// The children of one parent with many of them, ordered by creation number. Every chunk
/// holds 1 to [`CHUNK_MAX`] children, and each but the last at least [`CHUNK_MIN`].
#[derive(Clone, Debug)]
pub(crate) struct Chunked {
    chunks: Vec<Chunk>,
    /// Each chunk's last creation number, in one array: finding a chunk reads a few cache
    /// lines of it, not one chunk's heap block per step of the search.
    lasts: Vec<u64>,
    len: usize,
}

impl Chunked {
    /// The list of `keys`, already in creation order; `seq_of` gives each one's number.
    pub(super) fn from_keys(keys: &[RowKey], seq_of: impl Fn(RowKey) -> u64) -> Self {
        // Half-full chunks: room to insert before the first split, enough to remove before
        // the first merge.
        let chunks: Vec<_> = (keys.chunks(CHUNK_MAX / 2))
            .map(|part| {
                let mut chunk = Chunk::with_capacity();
                chunk.seqs.extend(part.iter().map(|&key| seq_of(key)));
                chunk.keys.extend_from_slice(part);
                chunk
            })
            .collect();
        Chunked {
            lasts: chunks.iter().map(Chunk::last_seq).collect(),
            chunks,
            len: keys.len(),
        }
    }

    /// The children, oldest first, as one list.
    pub(super) fn to_keys(&self) -> Vec<RowKey> {
        let mut keys = Vec::with_capacity(self.len);
        for chunk in &self.chunks {
            keys.extend_from_slice(&chunk.keys);
        }
        keys
    }

    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// The chunks, oldest first, for [`super::ChildKeys`].
    pub(super) fn chunks(&self) -> &[Chunk] {
        &self.chunks
    }

    /// The chunk where creation number `seq` is or belongs: the first whose last child is
    /// not older. `chunks.len()` if every child is older.
    fn chunk_of(&self, seq: u64) -> usize {
        self.lasts.partition_point(|&last| last < seq)
    }

    /// Inserts `child`, number `seq`, at its place.
    pub(super) fn insert(&mut self, child: RowKey, seq: u64) {
        // The newest goes into the last chunk; so does anything past every child.
        let mut at = self.chunk_of(seq).min(self.chunks.len() - 1);
        if self.chunks[at].len() == CHUNK_MAX {
            let half = self.chunks[at].split_off(CHUNK_MAX / 2);
            self.chunks.insert(at + 1, half);
            self.lasts.insert(at, self.chunks[at].last_seq());
            if self.lasts[at] < seq {
                at += 1;
            }
        }
        let chunk = &mut self.chunks[at];
        let place = place_of(&chunk.seqs, seq);
        chunk.seqs.insert(place, seq);
        chunk.keys.insert(place, child);
        self.lasts[at] = chunk.last_seq();
        self.len += 1;
    }

    /// Removes `child`, whose creation number is `seq`; false if it is not in the list.
    pub(super) fn remove(&mut self, child: RowKey, seq: u64) -> bool {
        let Some((at, place)) = self.find(child, seq) else {
            return false;
        };
        let chunk = &mut self.chunks[at];
        chunk.seqs.remove(place);
        chunk.keys.remove(place);
        self.lasts[at] = chunk.last_seq();
        self.len -= 1;
        self.mend(at);
        true
    }

    /// Where `child` is: by its number, or, if a wrong number was given (a bug), by a scan,
    /// so that the index never keeps a child that left.
    fn find(&self, child: RowKey, seq: u64) -> Option<(usize, usize)> {
        let at = self.chunk_of(seq);
        if let Some(chunk) = self.chunks.get(at) {
            let place = place_of(&chunk.seqs, seq);
            if chunk.keys.get(place) == Some(&child) {
                return Some((at, place));
            }
        }
        let found = (self.chunks.iter().enumerate()).find_map(|(at, chunk)| {
            let place = chunk.keys.iter().position(|&key| key == child)?;
            Some((at, place))
        });
        debug_assert!(found.is_none(), "{child:?} is listed under another number");
        found
    }

    /// Removes `leaving`, given in creation order with their numbers, compacting each chunk
    /// they are in once: O(leaving * log n + the chunks' lengths they touch).
    pub(super) fn remove_sorted(&mut self, leaving: impl IntoIterator<Item = (u64, RowKey)>) {
        let mut leaving = leaving.into_iter().peekable();
        let mut at = 0;
        while let Some(&(seq, _)) = leaving.peek() {
            at += self.lasts[at..].partition_point(|&last| last < seq);
            let Some(chunk) = self.chunks.get_mut(at) else {
                break; // past the last child: not in this list
            };
            let last = chunk.last_seq();
            // Each run of staying children between two leaving ones moves once.
            let (mut kept, mut read) = (0, 0);
            while let Some((seq, child)) = leaving.next_if(|&(seq, _)| seq <= last) {
                let place = read + place_of(&chunk.seqs[read..], seq);
                if chunk.keys.get(place) != Some(&child) {
                    continue; // not a child of this parent
                }
                chunk.seqs.copy_within(read..place, kept);
                chunk.keys.copy_within(read..place, kept);
                kept += place - read;
                read = place + 1;
            }
            let end = chunk.len();
            chunk.seqs.copy_within(read..end, kept);
            chunk.keys.copy_within(read..end, kept);
            let removed = read - kept;
            chunk.seqs.truncate(end - removed);
            chunk.keys.truncate(end - removed);
            self.len -= removed;
            at += 1;
        }
        self.chunks.retain(|chunk| chunk.len() > 0);
        self.lasts.clear();
        self.lasts.extend(self.chunks.iter().map(Chunk::last_seq));
        let mut at = 0;
        while at < self.chunks.len() {
            if !self.mend(at) {
                at += 1;
            }
        }
    }

    /// Restores the chunks' bounds after chunk `at` lost children: a chunk below
    /// [`CHUNK_MIN`] that is not the last is merged with the next one, or shares its children
    /// evenly with it if both do not fit in one; an empty last chunk goes (unless it is the
    /// only one). True if two chunks became one: chunk `at` may still be small.
    fn mend(&mut self, at: usize) -> bool {
        if at + 1 >= self.chunks.len() {
            if at > 0 && self.chunks[at].len() == 0 {
                self.chunks.pop();
                self.lasts.pop();
            }
            return false;
        }
        let (first, second) = (self.chunks[at].len(), self.chunks[at + 1].len());
        if first >= CHUNK_MIN {
            return false;
        }
        let [chunk, next] = &mut self.chunks[at..at + 2] else {
            unreachable!("two chunks")
        };
        if first + second <= CHUNK_MAX {
            chunk.seqs.append(&mut next.seqs);
            chunk.keys.append(&mut next.keys);
            self.chunks.remove(at + 1);
            self.lasts.remove(at);
            return true;
        }
        // Both end with at least half of more than CHUNK_MAX: above CHUNK_MIN.
        let moved = (first + second) / 2 - first;
        chunk.seqs.extend(next.seqs.drain(..moved));
        chunk.keys.extend(next.keys.drain(..moved));
        self.lasts[at] = chunk.last_seq();
        false
    }

    /// Panics unless the list keeps its bounds: every chunk 1 to `CHUNK_MAX` long, each but
    /// the last at least `CHUNK_MIN`, numbers strictly rising, `len` their sum.
    #[cfg(test)]
    pub(super) fn check(&self) {
        assert!(!self.chunks.is_empty(), "a big family has a chunk");
        let lasts: Vec<u64> = self.chunks.iter().map(Chunk::last_seq).collect();
        assert_eq!(self.lasts, lasts, "each chunk's last number");
        let mut total = 0;
        for (at, chunk) in self.chunks.iter().enumerate() {
            assert_eq!(chunk.seqs.len(), chunk.keys.len());
            assert!(
                (1..=CHUNK_MAX).contains(&chunk.len()),
                "chunk {at}: {}",
                chunk.len()
            );
            if at + 1 < self.chunks.len() {
                assert!(chunk.len() >= CHUNK_MIN, "chunk {at}: {}", chunk.len());
            }
            total += chunk.len();
        }
        let seqs: Vec<u64> = self
            .chunks
            .iter()
            .flat_map(|c| c.seqs.iter().copied())
            .collect();
        assert!(seqs.is_sorted_by(|a, b| a < b), "numbers rise");
        assert_eq!(total, self.len);
    }
}

/// Where `seq` is or belongs in `seqs` (rising): the number of entries below it, as
/// `partition_point` gives it.
///
/// Not a plain binary search: a chunk is 4 KiB of numbers, seldom in cache when one child of
/// a big family is wanted, and each step of a binary search waits for the previous one's
/// cache miss (9 in a row measured 0.5 µs). Siblings tend to be created at a steady rate, so
/// the place is first guessed from the first and last numbers, then searched for outward from
/// the guess in doubling steps: one miss or two when the guess is near, never more steps
/// than about twice a binary search's.
fn place_of(seqs: &[u64], seq: u64) -> usize {
    let (Some(&first), Some(&last)) = (seqs.first(), seqs.last()) else {
        return 0;
    };
    if seq <= first {
        return 0;
    }
    if seq > last {
        return seqs.len();
    }
    // first < seq <= last, so last > first; the product fits in a u128.
    let span = u128::from(last - first);
    let guess = (u128::from(seq - first) * (seqs.len() as u128 - 1) / span) as usize;
    let (lo, hi) = if seqs[guess] < seq {
        // The place is after `guess`: double the step until an entry is not below `seq`.
        let (mut lo, mut step) = (guess + 1, 1);
        loop {
            let probe = lo + step - 1;
            if probe >= seqs.len() {
                break (lo, seqs.len());
            }
            if seqs[probe] >= seq {
                break (lo, probe);
            }
            lo = probe + 1;
            step *= 2;
        }
    } else {
        // The place is at `guess` or before: double the step until an entry is below `seq`.
        let (mut hi, mut step) = (guess, 1);
        loop {
            let Some(probe) = hi.checked_sub(step) else {
                break (0, hi);
            };
            if seqs[probe] < seq {
                break (probe + 1, hi);
            }
            hi = probe;
            step *= 2;
        }
    };
    lo + seqs[lo..hi].partition_point(|&s| s < seq)
}

#[cfg(test)]
mod tests {
    use super::place_of;

    #[test]
    fn place_of_agrees_with_partition_point() {
        let lists: [&[u64]; 6] = [
            &[],
            &[5],
            &[1, 2, 3, 4, 5, 6, 7, 8],
            &[10, 20, 30, 40, 50, 60, 70, 80, 90],
            &[
                1,
                2,
                3,
                4,
                1000,
                1001,
                1002,
                5000,
                9000,
                9001,
                9002,
                9003,
                1 << 40,
            ],
            &[0, 1 << 60, (1 << 60) + 1, u64::MAX - 1, u64::MAX],
        ];
        for seqs in lists {
            let probes = seqs
                .iter()
                .flat_map(|&s| [s.saturating_sub(1), s, s.saturating_add(1)]);
            for seq in probes.chain([0, 15, 999, u64::MAX]) {
                let expected = seqs.partition_point(|&s| s < seq);
                assert_eq!(place_of(seqs, seq), expected, "{seq} in {seqs:?}");
            }
        }
    }
}
