//! A hostile review of the eager tree stored by level: nested loops, memory, panics.
//! Three tests pinned what this attack found and is now fixed: a level held up to 6x its
//! rows (now at most 3x), a sorted level kept its scratch, an owned `Vec` stayed half empty.

mod common;
#[allow(dead_code)]
#[path = "model/rng.rs"]
mod rng;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::fmt::Debug;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU32, Ordering::Relaxed};

use common::*;
use relstore::{BelongsTo, Db, Eager, Id, Load, Model, Nodes, Owned, OwnedTree, Row, Tree};
use rng::Rng;
use serde::{Deserialize, Serialize};

struct Counting;
thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static ALLOCS: Cell<usize> = const { Cell::new(0) };
}
// SAFETY: forwarded to `System` unchanged; the counters are side notes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = LIVE.try_with(|n| n.set(n.get() + layout.size() as isize));
        let _ = ALLOCS.try_with(|n| n.set(n.get() + 1));
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let _ = LIVE.try_with(|n| n.set(n.get() - layout.size() as isize));
        unsafe { System.dealloc(ptr, layout) }
    }
}
#[global_allocator]
static ALLOCATOR: Counting = Counting;
fn live() -> isize {
    LIVE.with(Cell::get)
}
fn allocs() -> usize {
    ALLOCS.with(Cell::get)
}

fn num(p: &Post) -> u32 {
    p.title.parse().unwrap_or(u32::MAX)
}
fn cnum(c: &Comment) -> u32 {
    c.body.parse().unwrap()
}
fn own<T: Model, W>(row: Row<'_, T, App>, with: W) -> Owned<T, W> {
    let (id, row) = (row.id(), row.value().clone());
    Owned { id, row, with }
}

/// keep (0 all, 1 none, 2 first, 3 not a multiple of arg, 4 below arg), sort (0 none,
/// 1 desc, 2 by num % 3, 3 by num % 5), offset, limit, cskip (comments kept: num % 3 !=
/// cskip), climit.
#[derive(Clone, Copy, Debug)]
struct P((u8, u32), u8, usize, usize, u32, usize);
fn keeps((kind, arg): (u8, u32), p: &Post) -> bool {
    let n = num(p);
    [true, false, n == 0, !n.is_multiple_of(arg.max(1)), n < arg][kind as usize]
}

type Leaf<T> = Owned<T, ()>;
type PostO = Owned<Post, (Vec<Owned<Comment, Leaf<User>>>, Option<Leaf<User>>)>;
type UserO = Owned<User, (Vec<PostO>, Option<Leaf<Profile>>, Vec<Leaf<Comment>>)>;

fn naive(db: &Db<App>, parents: &[Row<'_, User, App>], p: P) -> Vec<UserO> {
    let user = |u: Row<'_, User, App>| {
        let posts = db.has_many(PostAuthor, u.id()).unwrap();
        let mut posts: Vec<_> = posts.filter(|r| keeps(p.0, r)).collect();
        match p.1 {
            1 => posts.sort_by_key(|r| u32::MAX - num(r)),
            2 => posts.sort_by_key(|r| num(r) % 3),
            3 => posts.sort_by_key(|r| num(r) % 5),
            _ => {}
        }
        let posts = (posts.into_iter().skip(p.2).take(p.3)).map(|r| {
            let comments = (db.has_many(CommentPost, r.id()).unwrap())
                .filter(|c| cnum(c) % 3 != p.4)
                .take(p.5)
                .map(|c| own(c, own(db.get(c.author_id).unwrap(), ())));
            let editor = r.editor_id.map(|e| own(db.get(e).unwrap(), ()));
            own(r, (comments.collect(), editor))
        });
        let profile = db.has_one(ProfileUser, u.id()).unwrap().map(|x| own(x, ()));
        let wrote = db.has_many(CommentAuthor, u.id()).unwrap();
        let wrote = wrote.map(|c| own(c, ())).collect();
        own(u, (posts.collect(), profile, wrote))
    };
    parents.iter().map(|&u| user(u)).collect()
}

fn check_view<C, W>(nodes: Nodes<'_, '_, C, App, W>)
where
    C: Model + PartialEq + Debug,
    W: Load<C, App>,
    W::Owned: PartialEq + Debug,
{
    let all = nodes.to_owned();
    let n = all.len();
    assert_eq!((nodes.len(), nodes.is_empty()), (n, n == 0));
    for (i, want) in all.iter().enumerate() {
        assert_eq!(&nodes.get(i).unwrap().to_owned(), want);
    }
    assert!(nodes.get(n).is_none() && nodes.get(usize::MAX).is_none());
    assert_eq!(nodes.first().map(|x| x.id()), all.first().map(|x| x.id));
    assert_eq!(nodes.last().map(|x| x.row().id()), all.last().map(|x| x.id));
    let rev: Vec<_> = nodes.iter().rev().map(|x| x.id()).collect();
    assert!(rev.into_iter().eq(all.iter().rev().map(|x| x.id)));
    let (mut it, mut front, mut back) = (nodes.iter(), 0, n);
    while front < back {
        assert_eq!(
            (it.len(), it.size_hint().1),
            (back - front, Some(back - front))
        );
        if (front + n - back) % 3 == 2 {
            (back, _) = (
                back - 1,
                assert_eq!(it.next_back().unwrap().id(), all[back - 1].id),
            );
        } else {
            (front, _) = (
                front + 1,
                assert_eq!(it.next().unwrap().id(), all[front].id),
            );
        }
    }
    assert!(it.next().is_none() && it.next_back().is_none() && it.next().is_none());
    assert!(format!("{it:?}").contains("remaining: 0"));
    assert_eq!(nodes.into_iter().count(), n);
}

macro_rules! check_spec {
    ($db:expr, $parents:expr, $p:expr, $posts:expr) => {{
        let (db, parents, p): (&Db<App>, &[Row<'_, User, App>], P) = ($db, $parents, $p);
        let keep_c = move |c: &Comment| cnum(c) % 3 != p.4;
        let comments = Eager::new(CommentPost).filter(keep_c).limit(p.5);
        let comments = comments.with(BelongsTo::new(CommentAuthor));
        let posts = $posts.offset(p.2).limit(p.3);
        let posts = posts.with((comments, BelongsTo::new(PostEditor)));
        let spec = (posts, ProfileUser, CommentAuthor);
        let want = naive(db, parents, p);
        let tree = Tree::load(parents.iter().copied(), spec);
        assert_eq!(tree.len(), parents.len());
        assert_eq!(tree.to_owned().into_vec(), want, "{p:?}");
        let owned = OwnedTree::load(parents.iter().copied(), spec);
        assert_eq!(owned.into_vec(), want, "{p:?}");
        let debug = format!("{want:?}").replace("Owned {", "Node {");
        assert_eq!(format!("{tree:?}"), debug);
        check_view(tree.nodes());
        for user in &tree {
            let (posts, _, wrote) = user.with();
            (check_view(posts), check_view(wrote));
            posts.iter().for_each(|post| check_view(post.with().0));
        }
    }};
}

fn check_all(db: &Db<App>, parents: &[Row<'_, User, App>], p: P) {
    let posts = Eager::new(PostAuthor).filter(move |x: &Post| keeps(p.0, x));
    let by_3 = |a: &Post, b: &Post| (num(a) % 3).cmp(&(num(b) % 3));
    match p.1 {
        0 => check_spec!(db, parents, p, posts),
        1 => check_spec!(db, parents, p, posts.order_by_desc(num)),
        2 => check_spec!(db, parents, p, posts.sort_by(by_3)),
        _ => check_spec!(db, parents, p, posts.order_by(|x: &Post| num(x) % 5)),
    }
}

fn family_sizes(rng: &mut Rng, pattern: u64) -> Vec<usize> {
    let mut sizes = vec![1];
    for i in 0..50 {
        let total: usize = sizes.iter().sum();
        sizes.push(match pattern % 4 {
            0 => [rng.below(3), 50 + rng.below(250)][i % 2],
            1 if i < 24 => [total.min(500) + rng.below(2), 1][(i % 3 == 2) as usize],
            2 => [0, 1, 15, 16, 17, 31, 32, 33, rng.below(40)][rng.below(9)],
            _ => return attack_rooms(400).into_iter().chain([800, 0, 3]).collect(),
        });
    }
    sizes
}

fn build(rng: &mut Rng, sizes: &[usize]) -> (Db<App>, Vec<Id<User>>) {
    let mut db = db();
    let users: Vec<_> = (0..sizes.len())
        .map(|u| db.insert(user(&format!("u{u}"))).unwrap())
        .collect();
    let some = |rng: &mut Rng| users[rng.below(users.len())];
    for (&u, &size) in users.iter().zip(sizes) {
        if rng.chance(50) {
            db.insert(profile(u, "bio")).unwrap();
        }
        for n in 0..size {
            let editor_id = rng.chance(30).then(|| some(rng));
            let row = post(u, &n.to_string());
            let id = db.insert(Post { editor_id, ..row }).unwrap();
            for _ in 0..rng.below(3) {
                let (author, body) = (some(rng), rng.below(10).to_string());
                db.insert(comment(id, author, &body)).unwrap();
            }
        }
    }
    (db, users)
}

#[test]
fn adversarial_family_sizes_load_what_nested_loops_find() {
    let max = usize::MAX;
    let combos = [
        0, 0, 0, max, 1, 0, 0, max, 2, 0, 0, max, 3, 3, 1, 20, // all, none, first, 2 of 3
        4, 17, 0, 16, 0, 0, 2, 1, 3, 2, 0, 0, 0, 0, 5, max, // below 17, windows
    ];
    for seed in 0..8u64 {
        let mut rng = Rng::new(seed);
        let sizes = family_sizes(&mut rng, seed);
        let (mut db, users) = build(&mut rng, &sizes);
        let _ = db.delete(users[rng.below(users.len())]); // cascades, or restricted
        let rows: Vec<_> = db.table::<User>().iter().collect();
        // Repeats, reversed order, and no parents at all.
        let mut shuffled: Vec<_> = (0..rows.len() * 2)
            .map(|_| rows[rng.below(rows.len())])
            .collect();
        shuffled.extend(rows.iter().rev());
        for (i, c) in combos.chunks(4).enumerate() {
            let (keep, offset, limit) = ((c[0] as u8, c[1] as u32), c[2], c[3]);
            let (sort, cskip, climit) =
                ((i as u64 + seed) as u8 % 4, i as u32 % 4, [max, 1][i % 2]);
            let p = P(keep, sort, offset, limit, cskip, climit);
            let parents = [&rows[..], &shuffled[..], &[]][(i + seed as usize) % 3];
            check_all(&db, parents, p);
        }
    }
}

fn same_debug<T: Debug, U: Debug>(tree: &T, owned: &U) {
    let (a, b) = (format!("{tree:?}"), format!("{owned:?}"));
    assert_eq!(a.replace("Node {", "Owned {"), b);
    let (a, b) = (format!("{tree:#?}"), format!("{owned:#?}"));
    assert_eq!(a.replace("Node {", "Owned {"), b);
}

#[test]
fn debug_prints_every_spec_kind_as_the_owned_tree_does() {
    let mut rng = Rng::new(5);
    let (mut db, _) = build(&mut rng, &[2, 0, 18, 1]);
    let users = || db.table::<User>().iter();
    let first = Eager::new(PostAuthor).limit(1);
    let six = (PostAuthor, PostEditor, CommentAuthor, ProfileUser);
    let six = (six.0, six.1, six.2, six.3, first, ());
    let tree6 = Tree::load(users(), six);
    same_debug(&tree6, &tree6.to_owned());
    assert_eq!(tree6.to_owned(), OwnedTree::load(users(), six));
    let profile = Eager::new(ProfileUser).with(BelongsTo::new(ProfileUser));
    let one = Tree::load(users(), (profile,));
    same_debug(&one, &one.to_owned());
    same_debug(&one.get(0).unwrap(), &one.get(0).unwrap().to_owned());
    let author = BelongsTo::new(PostAuthor).with(PostAuthor);
    let up = (author, BelongsTo::new(PostEditor));
    let posts = Tree::load(db.table::<Post>().iter(), up);
    same_debug(&posts, &posts.to_owned());
    let authored = posts.get(0).unwrap().with().0.with();
    same_debug(&authored, &authored.to_owned());
    let empty = Tree::load(users().take(0), PostAuthor);
    assert_eq!(format!("{empty:?}"), "[]");
    let ids: Vec<_> = users().chain(users()).map(|u| u.id()).collect();
    let twice = [tree6.to_owned().into_vec(), tree6.to_owned().into_vec()].concat();
    assert_eq!(
        Tree::load_ids(&db, ids, six).unwrap().to_owned().into_vec(),
        twice
    );
    assert!(Tree::load_ids(&db, [], six).unwrap().is_empty());
    let ghost = db.insert(user("ghost")).unwrap();
    db.delete(ghost).unwrap();
    assert!(Tree::load_ids(&db, [ghost], ()).is_err());
}

/// The rooms of families that each keep one row, chosen (by the documented chunk rule) so
/// that a family as big as the level so far comes whenever the last chunk runs short of
/// that: each starts a chunk of twice the level's rows, for one row. Ends on such a family.
fn attack_rooms(target: usize) -> Vec<usize> {
    let (mut cap, mut len, mut rows, mut out) = (0usize, 0usize, 0usize, Vec::new());
    while rows < target || out.last() == Some(&1) {
        let room = [1, rows][(rows >= 16 && cap - len < rows) as usize];
        if cap - len < room && room <= rows {
            (cap, len) = (rows + room, 0);
        }
        if len == cap {
            (cap, len) = ((rows + 2).max(16), 0);
        }
        (len, rows) = (len + 1, rows + 1);
        out.push(room);
    }
    out
}

fn families(sizes: &[usize]) -> Db<App> {
    let mut db = db();
    for &size in sizes {
        let u = db.insert(user("u")).unwrap();
        let posts: Vec<_> = (0..size).map(|n| post(u, &n.to_string())).collect();
        db.insert_many(posts).unwrap();
    }
    db
}

fn level_ratio(parents: &[Row<'_, User, App>], below: u32) -> (f64, usize) {
    let held = |below: u32| {
        let before = live();
        let spec = Eager::new(PostAuthor).filter(move |p: &Post| num(p) < below);
        let tree = Tree::load(parents.iter().copied(), spec);
        let rows: usize = tree.iter().map(|u| u.with().len()).sum();
        (live() - before, rows)
    };
    let ((roots, _), (all, rows)) = (held(0), held(below));
    let entry = size_of::<Row<'static, Post, App>>();
    ((all - roots) as f64 / (rows * entry).max(1) as f64, rows)
}

fn attack_ratio(target: usize) -> (f64, usize) {
    let db = families(&attack_rooms(target));
    level_ratio(&db.table::<User>().iter().collect::<Vec<_>>(), 1)
}

/// Found: the level held ~6x its rows under the chunk rule of bd869a1.
#[test]
fn the_chunk_rule_keeps_a_filtered_level_within_three_times_its_rows() {
    let (ratio, rows) = attack_ratio(6000);
    assert!(ratio <= 3.0, "{rows} rows: the level holds {ratio:.2}x");
}

#[test]
fn levels_stay_linear_and_allocate_little() {
    for target in [1000, 6000] {
        let (ratio, rows) = attack_ratio(target);
        assert!(ratio <= 3.0, "{rows} rows: {ratio:.2}x"); // not quadratic
    }
    let db = families(&[3000, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400]);
    let users: Vec<_> = db.table::<User>().iter().collect();
    let (live0, allocs0) = (live(), allocs());
    let tree = Tree::load([users[0]], PostAuthor);
    let (held, made) = (live() - live0, allocs() - allocs0);
    let entry = size_of::<Row<'static, Post, App>>() as isize;
    assert!(made <= 24 && held <= 6000 * entry + 4096, "{made}, {held}");
    drop(tree);
    let (ratio, rows) = level_ratio(&users[1..], 2);
    let slack = 4096.0 / (rows as f64 * entry as f64);
    assert!(ratio <= 2.0 + slack, "{ratio:.2}x");
    let mut rng = Rng::new(3);
    let sizes: Vec<_> = (0..2000).map(|_| rng.below(4)).collect();
    let (db, _) = build(&mut rng, &sizes);
    let comments = Eager::new(CommentPost).sort_by(|a: &Comment, b| a.body.cmp(&b.body));
    let comments = comments.with(BelongsTo::new(CommentAuthor));
    let posts = Eager::new(PostAuthor).order_by_desc(num);
    let posts = posts.with((comments, BelongsTo::new(PostEditor)));
    let spec = (posts, ProfileUser);
    let before = allocs();
    let tree = Tree::load(db.table::<User>().iter(), spec);
    let made = allocs() - before;
    assert!(made <= 120, "{made} allocations for {} parents", tree.len());
}

/// Found: a sorted level kept its scratch (as big as the biggest family's filtered rows)
/// for the tree's life: a top-1 load over one big family holds 20,000 rows' room for 1 row.
#[test]
fn a_sorted_top_one_load_holds_about_what_it_keeps() {
    let db = families(&[20_000]);
    let ann = db.table::<User>().iter().next().unwrap();
    let held = |keep: bool| {
        let before = live();
        let spec = Eager::new(PostAuthor).filter(move |_: &Post| keep);
        let tree = Tree::load([ann], spec.order_by_desc(num).limit(1));
        assert_eq!(tree.get(0).unwrap().with().len(), keep as usize);
        live() - before
    };
    let level = held(true) - held(false);
    assert!(level <= 4096, "{level} bytes held for one row");
}

/// Found: the owned tree kept a `Vec` more than half empty: capacity 1 for no child, 3 for
/// one (`capacity / 2 > len` rounds down).
#[test]
fn the_owned_tree_gives_back_a_vec_more_than_half_empty() {
    let db = families(&[1, 3, 5]);
    for keep in [(1, 0), (2, 0), (4, 2)] {
        let spec = Eager::new(PostAuthor).filter(move |p: &Post| keeps(keep, p));
        for user in OwnedTree::load(db.table::<User>().iter(), spec) {
            let (len, cap) = (user.with.len(), user.with.capacity());
            assert!(cap <= 2 * len, "{keep:?}: {len} children, capacity {cap}");
        }
    }
}

fn quiet_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !info.to_string().contains("boom") {
                previous(info);
            }
        }));
    });
    let _ = catch_unwind(|| panic!("boom: warm up the panic machinery"));
}

#[test]
fn a_panicking_filter_or_order_leaves_the_store_as_it_was() {
    let mut rng = Rng::new(11);
    let (db, _) = build(&mut rng, &[0, 3, 1, 60, 2, 4, 0, 60, 1, 2].repeat(4));
    let (before, calls) = (snapshot(&db), Cell::new(0usize));
    quiet_panics();
    for fuse in [0, 1, 17, 150, 400] {
        let bomb = || {
            calls.set(calls.get() + 1);
            assert!(calls.get() != fuse + 1, "boom");
            true
        };
        let (users, posts) = (|| db.table::<User>().iter(), Eager::new(PostAuthor));
        let by_title = |a: &Post, b: &Post| (bomb(), &a.title).cmp(&(true, &b.title));
        let comments = Eager::new(CommentPost).filter(|_| bomb());
        let by_num = posts.order_by(|p| (bomb(), num(p)));
        let loads: [&dyn Fn(); 4] = [
            &|| drop(Tree::load(users(), posts.filter(|_| bomb()))),
            &|| drop(Tree::load(users(), posts.with(comments))),
            &|| drop(Tree::load(users(), posts.sort_by(by_title))),
            &|| drop(OwnedTree::load(users(), by_num)),
        ];
        for load in loads {
            let (live_before, _) = (live(), calls.set(0));
            let result = catch_unwind(AssertUnwindSafe(load));
            assert_eq!(result.is_err(), calls.get() > fuse, "fuse {fuse}");
            drop(result);
            assert_eq!(live(), live_before, "fuse {fuse}: a panicking load leaked");
        }
    }
    assert_eq!(snapshot(&db), before);
    check_indexes(&db);
    let rows: Vec<_> = db.table::<User>().iter().collect();
    check_all(&db, &rows, P((0, 0), 2, 0, 9, 3, 9));
}

#[derive(Debug, PartialEq, Serialize, Deserialize, Model)]
#[relstore(table = "bombs")]
struct Bomb {
    bag_id: Id<Bag>,
    n: u32,
    text: String,
}
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Model)]
#[relstore(table = "bags")]
struct Bag {
    name: String,
}
static CLONE_BOMB: AtomicU32 = AtomicU32::new(u32::MAX);
impl Clone for Bomb {
    fn clone(&self) -> Self {
        assert!(CLONE_BOMB.load(Relaxed) != self.n, "boom: clone {}", self.n);
        let (bag_id, n, text) = (self.bag_id, self.n, self.text.clone());
        Bomb { bag_id, n, text }
    }
}
relstore::belongs_to!(BombBag: Bomb.bag_id -> Bag, has_many, on_delete = Cascade);
relstore::schema! { struct Bombs { bags: Bag, bombs: Bomb } relations { BombBag } }

#[test]
fn a_panicking_clone_leaks_nothing_and_breaks_nothing() {
    let (mut db, mut n) = (Db::<Bombs>::new(), 0);
    for b in 0..30 {
        let name = format!("bag {b}");
        let bag_id = db.insert(Bag { name }).unwrap();
        for _ in 0..b % 7 * 5 {
            let text = format!("bomb {n} of bag {b}");
            db.insert(Bomb { bag_id, n, text }).unwrap();
            n += 1;
        }
    }
    quiet_panics();
    let bags = || db.table::<Bag>().iter();
    let spec = Eager::new(BombBag).order_by_desc(|b: &Bomb| b.n);
    let want = OwnedTree::load(bags(), spec);
    for bomb in [0, 1, 44, n / 2, n - 1] {
        let base = live();
        CLONE_BOMB.store(bomb, Relaxed);
        let tree = Tree::load(bags(), spec);
        assert!(catch_unwind(AssertUnwindSafe(|| tree.to_owned())).is_err());
        assert!(catch_unwind(AssertUnwindSafe(|| OwnedTree::load(bags(), spec))).is_err());
        CLONE_BOMB.store(u32::MAX, Relaxed);
        assert_eq!(tree.to_owned(), want);
        drop(tree);
        assert_eq!(live(), base, "bomb {bomb}: bytes leaked");
    }
    assert_eq!(OwnedTree::load(bags(), spec), want);
    assert!(db.check_integrity().is_ok());
}
