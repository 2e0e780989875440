//! What every workload shares: the data set, random picks, criterion settings and the timing
//! helpers that keep setup out of the measurement.

use std::hint::black_box;
use std::time::{Duration, Instant};

use bevy_ecs::component::Component;
use criterion::measurement::WallTime;
use criterion::{Bencher, BenchmarkGroup, BenchmarkId, Criterion};
use relstore::Model;
use serde::{Deserialize, Serialize};

/// Child-row counts every workload runs at; each has a tenth as many parents.
pub const SIZES: [usize; 2] = [10_000, 1_000_000];

/// Children per parent.
pub const FANOUT: usize = 10;

/// The parent row, the same struct in every implementation (it holds no key): a bevy
/// component and a relstore row at once.
#[derive(Clone, Debug, Serialize, Deserialize, Component, Model)]
#[relstore(table = "users")]
pub struct User {
    /// `user{i}`.
    pub username: String,
    /// `user{i}@example.com`.
    pub email: String,
}

/// A child row before it is stored: its parent as a position in [`Dataset::users`].
#[derive(Clone, Debug)]
pub struct PostRow {
    /// Index of the parent in [`Dataset::users`].
    pub user: usize,
    /// `Post {i}`: the scan filters on its last digit.
    pub title: String,
    /// A sentence of about 60 bytes.
    pub content: String,
}

/// `n` posts over `n / FANOUT` users, each post's author drawn at random (seeded: the same
/// data in every run and implementation), as a game's parents are: a user's posts are
/// scattered through the table (not adjacent, which would flatter has-many at 1M), families
/// vary in size around [`FANOUT`], and consecutive inserts touch unrelated parents (round-robin
/// authors walked the parents in order, which flattered bulk insert).
#[derive(Clone, Debug)]
pub struct Dataset {
    /// The parents, in insertion order.
    pub users: Vec<User>,
    /// The children, in insertion order.
    pub posts: Vec<PostRow>,
}

impl Dataset {
    /// The data set with `n` posts.
    pub fn new(n: usize) -> Self {
        let n_users = (n / FANOUT).max(1);
        let mut rng = Rng::new(0xA07_4085);
        Dataset {
            users: (0..n_users).map(user).collect(),
            posts: (0..n).map(|i| post(i, rng.below(n_users))).collect(),
        }
    }
}

/// The `i`-th user.
pub fn user(i: usize) -> User {
    User {
        username: format!("user{i}"),
        email: format!("user{i}@example.com"),
    }
}

/// The `i`-th post, written by user `user`.
pub fn post(i: usize, user: usize) -> PostRow {
    PostRow {
        user,
        title: format!("Post {i}"),
        content: format!("Post {i} says hello to everyone reading the benchmark suite."),
    }
}

/// The scan's predicate, the same in every implementation (SQLite: `title LIKE '%7'`).
#[inline]
pub fn scan_matches(title: &str) -> bool {
    title.ends_with('7')
}

/// A small deterministic generator (SplitMix64): the same picks in every run and every
/// implementation, without a `rand` dependency.
pub struct Rng(u64);

impl Rng {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// A uniform integer below `bound`.
    pub fn below(&mut self, bound: usize) -> usize {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z % bound as u64) as usize
    }
}

/// `count` items drawn from `items` with replacement: the ids a read workload visits, as
/// many as there are rows so that at 1M the rows touched do not fit in cache.
pub fn sample<T: Copy>(items: &[T], count: usize) -> Vec<T> {
    let mut rng = Rng::new(0x5EED);
    (0..count).map(|_| items[rng.below(items.len())]).collect()
}

/// `items` in a random order (Fisher-Yates): distinct picks for mutation workloads.
pub fn shuffled<T>(mut items: Vec<T>) -> Vec<T> {
    let mut rng = Rng::new(0xD1CE);
    for i in (1..items.len()).rev() {
        items.swap(i, rng.below(i + 1));
    }
    items
}

/// The settings of every bench binary: short enough that the whole suite finishes in under
/// 15 minutes on 2 cores (see BENCHMARKS.md), long enough for stable medians.
pub fn criterion() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(25)
        .without_plots()
        .configure_from_args()
}

/// The group of workload `name`. Benchmarks in it are named `<workload>/<impl>/<N>` (see
/// [`id`]), which is what the report reads back.
pub fn group<'c>(c: &'c mut Criterion, workload: &str) -> BenchmarkGroup<'c, WallTime> {
    c.benchmark_group(workload)
}

/// The id of implementation `imp` at size `n`: `raw`, `relstore`, `relstore_handle`, `sqlite`,
/// `bevy`.
pub fn id(imp: &str, n: usize) -> BenchmarkId {
    BenchmarkId::new(imp, n)
}

/// Times `op` on each of `ids` in turn, one per iteration, wrapping around.
pub fn each<T, R>(b: &mut Bencher, ids: &[T], mut op: impl FnMut(&T) -> R) {
    let mut i = 0;
    b.iter(|| {
        let out = op(&ids[i]);
        i += 1;
        if i == ids.len() {
            i = 0;
        }
        black_box(out)
    });
}

/// Times `op`, a mutation, in runs of at most `chunk`; before each run `reset` (untimed)
/// undoes the previous one and prepares the next, so that the store neither drifts nor is
/// rebuilt inside the measurement. The clock is read once per run, not per operation.
pub fn iter_chunked<S>(
    b: &mut Bencher,
    state: &mut S,
    chunk: u64,
    mut reset: impl FnMut(&mut S),
    mut op: impl FnMut(&mut S),
) {
    b.iter_custom(|iters| {
        let mut total = Duration::ZERO;
        let mut left = iters;
        while left > 0 {
            let run = left.min(chunk);
            reset(state);
            let start = Instant::now();
            for _ in 0..run {
                op(state);
            }
            total += start.elapsed();
            left -= run;
        }
        reset(state);
        total
    });
}

/// Picks for a mutation workload, walked in order and wrapping around: `take` hands out the
/// next one and remembers where it was, `refill` replaces every taken pick (e.g. by the id a
/// deleted row got when it was re-inserted).
pub struct Picks<T> {
    items: Vec<T>,
    next: usize,
    taken: Vec<usize>,
}

impl<T: Copy> Picks<T> {
    /// Picks walking `items` in order.
    pub fn new(items: Vec<T>) -> Self {
        Picks {
            items,
            next: 0,
            taken: Vec::new(),
        }
    }

    /// The next pick.
    #[inline]
    pub fn take(&mut self) -> T {
        let at = self.next;
        self.next = if at + 1 == self.items.len() {
            0
        } else {
            at + 1
        };
        self.taken.push(at);
        self.items[at]
    }

    /// Replaces every pick taken since the last refill by `f(pick)`.
    pub fn refill(&mut self, mut f: impl FnMut(T) -> T) {
        for at in self.taken.drain(..) {
            self.items[at] = f(self.items[at]);
        }
    }
}

/// Run length of single-row mutations: 100 rows, 1% of the store at N = 10k.
pub const CHUNK: u64 = 100;

/// Run length of cascading deletes: 10 parents, 110 rows.
pub const CASCADE_CHUNK: u64 = 10;
