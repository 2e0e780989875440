//! The implementations answer every workload alike on a small data set: a benchmark that
//! compares them is only fair if they do the same work.

use relstore_benches::fixture::{Dataset, scan_matches};
use relstore_benches::rel::PostAuthor;
use relstore_benches::{ecs, raw, rel, sql};

const N: usize = 1_000;

/// Per user, the summed title lengths of its posts (has-many); per post, its author's
/// username (belongs-to); the scan's count; and the post count after deleting user 0.
#[derive(Debug, PartialEq)]
struct Answers {
    has_many: Vec<usize>,
    belongs_to: Vec<String>,
    scan: usize,
    posts_after_cascade: usize,
}

#[test]
fn implementations_agree() {
    let data = Dataset::new(N);
    let expected = raw_answers(&data);
    assert_eq!(expected.scan, N / 10);
    let posts_of_user_0 = data.posts.iter().filter(|p| p.user == 0).count();
    assert_eq!(expected.posts_after_cascade, N - posts_of_user_0);
    assert_eq!(relstore_answers(&data), expected);
    assert_eq!(sqlite_answers(&data), expected);
    assert_eq!(bevy_answers(&data), expected);
}

fn raw_answers(data: &Dataset) -> Answers {
    let (mut s, users, posts) = raw::Store::load(data.clone());
    let has_many = (users.iter())
        .map(|&u| s.posts_of[u].iter().map(|&p| s.posts[p].title.len()).sum())
        .collect();
    let belongs_to = (posts.iter())
        .map(|&p| s.users[s.posts[p].user_id].username.clone())
        .collect();
    let scan = s.posts.values().filter(|p| scan_matches(&p.title)).count();
    s.delete_user(users[0]);
    let posts_after_cascade = s.posts.len();
    Answers {
        has_many,
        belongs_to,
        scan,
        posts_after_cascade,
    }
}

fn relstore_answers(data: &Dataset) -> Answers {
    let (mut db, users, posts) = rel::load(data.clone());
    let has_many = (users.iter())
        .map(|&u| {
            let posts = db.get(u).unwrap().has_many(PostAuthor);
            posts.map(|p| p.title.len()).sum()
        })
        .collect();
    let belongs_to = (posts.iter())
        .map(|&p| {
            let user = db.get(p).unwrap().belongs_to(PostAuthor);
            user.username.clone()
        })
        .collect();
    let table = db.table::<rel::Post>();
    let scan = table.iter().filter(|p| scan_matches(&p.title)).count();
    db.delete(users[0]).unwrap();
    let posts_after_cascade = db.table::<rel::Post>().len();
    Answers {
        has_many,
        belongs_to,
        scan,
        posts_after_cascade,
    }
}

fn sqlite_answers(data: &Dataset) -> Answers {
    let (conn, users, posts) = sql::load(data);
    let mut titles = conn
        .prepare("SELECT title FROM posts WHERE user_id = ?1")
        .unwrap();
    let has_many = (users.iter())
        .map(|&u| {
            let rows = titles.query_map([u], |r| r.get::<_, String>(0)).unwrap();
            rows.map(|t| t.unwrap().len()).sum()
        })
        .collect();
    let mut author = conn
        .prepare("SELECT users.username FROM posts JOIN users ON users.id = posts.user_id WHERE posts.id = ?1")
        .unwrap();
    let belongs_to = (posts.iter())
        .map(|&p| author.query_row([p], |r| r.get(0)).unwrap())
        .collect();
    let count = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap() as usize;
    let scan = count("SELECT count(*) FROM posts WHERE title LIKE '%7'");
    conn.execute("DELETE FROM users WHERE id = ?1", [users[0]])
        .unwrap();
    let posts_after_cascade = count("SELECT count(*) FROM posts");
    Answers {
        has_many,
        belongs_to,
        scan,
        posts_after_cascade,
    }
}

fn bevy_answers(data: &Dataset) -> Answers {
    let (mut world, users, posts) = ecs::load(data.clone());
    let has_many = (users.iter())
        .map(|&u| {
            let children = world.get::<ecs::Posts>(u).unwrap().entities();
            (children.iter())
                .map(|&p| world.get::<ecs::Post>(p).unwrap().title.len())
                .sum()
        })
        .collect();
    let belongs_to = (posts.iter())
        .map(|&p| {
            let author = world.get::<ecs::AuthoredBy>(p).unwrap().0;
            (world
                .get::<relstore_benches::fixture::User>(author)
                .unwrap()
                .username)
                .clone()
        })
        .collect();
    let mut all = world.query::<&ecs::Post>();
    let scan = all.iter(&world).filter(|p| scan_matches(&p.title)).count();
    world.despawn(users[0]);
    let posts_after_cascade = all.iter(&world).count();
    Answers {
        has_many,
        belongs_to,
        scan,
        posts_after_cascade,
    }
}

/// The family workload's move: the post leaves one list and joins the other in both. Raw
/// appends it, relstore puts it at its place by creation (first, here): the orders differ,
/// so the lists are compared as sets.
#[test]
fn a_moved_post_changes_lists_alike() {
    let data = Dataset::new(100);
    // Authors are drawn at random: move post 0 from its author to another user.
    let from = data.posts[0].user;
    let to = (from + 1) % data.users.len();
    let (mut s, users, posts) = raw::Store::load(data.clone());
    let before = |s: &raw::Store, u: usize| s.posts_of.get(users[u]).map_or(0, Vec::len);
    let (from_before, to_before) = (before(&s, from), before(&s, to));
    s.move_post(posts[0], users[to]).expect("live keys");
    let (mut db, ids, rows) = rel::load(data);
    db.update(rows[0], |p| p.user_id = ids[to])
        .expect("live ids");
    let raw_list = |u: usize| {
        let mut titles: Vec<_> = (s.posts_of.get(users[u]).into_iter().flatten())
            .map(|&p| s.posts[p].title.clone())
            .collect();
        titles.sort();
        titles
    };
    let rel_list = |u: usize| {
        let mut titles: Vec<_> = (db.has_many(PostAuthor, ids[u]).expect("live id"))
            .map(|p| p.value().title.clone())
            .collect();
        titles.sort();
        titles
    };
    for u in [from, to] {
        assert_eq!(raw_list(u), rel_list(u));
    }
    assert_eq!(raw_list(from).len(), from_before - 1);
    assert_eq!(raw_list(to).len(), to_before + 1);
}

/// The index and query workloads: relstore's index answers what the hand-kept maps answer
/// (a unique lookup, ranges, top-k with ties newest first), and the query without an index
/// what the hand loop gives.
#[test]
fn indexes_answer_as_the_hand_kept_maps() {
    use relstore_benches::indexed::{self, Hand, Plain, Player, PlayerByName, PlayerByScore};
    let n = 2_000;
    let players = indexed::players(n);
    let (hand, _) = Hand::load(players.clone());
    let (db, _) = indexed::load(players.clone());
    let table = db.table::<Player>();
    for p in players.iter().step_by(7) {
        let by_hand = hand.by_name.get(&p.name).map(|&k| hand.players[k].score);
        assert_eq!(
            table.get_by(PlayerByName, p.name.as_str()).map(|r| r.score),
            by_hand
        );
    }
    for x in (0..n as u64).step_by(97) {
        let by_hand: Vec<u32> = (hand.by_score.range(x..x + 16))
            .flat_map(|(_, keys)| keys)
            .map(|&k| hand.players[k].guild)
            .collect();
        let ours: Vec<u32> = table
            .range(PlayerByScore, x..x + 16)
            .map(|r| r.guild)
            .collect();
        assert_eq!(ours, by_hand);
    }
    let top_by_hand: Vec<String> = (hand.by_score.iter().rev())
        .flat_map(|(_, keys)| keys.iter().rev())
        .take(10)
        .map(|&k| hand.players[k].name.clone())
        .collect();
    let top: Vec<String> = (table.range(PlayerByScore, ..).rev())
        .take(10)
        .map(|r| r.name.clone())
        .collect();
    assert_eq!(top, top_by_hand);

    // query_top: the ten best of the wanted players, ties in table order.
    let mut db = relstore::Db::<indexed::Game>::new();
    db.insert_many(players.iter().cloned().map(Plain::from))
        .unwrap();
    let mut by_hand: Vec<(std::cmp::Reverse<u64>, usize, String)> = (players.iter())
        .filter(|p| p.guild < 10)
        .enumerate()
        .map(|(i, p)| (std::cmp::Reverse(p.score), i, p.name.clone()))
        .collect();
    by_hand.sort();
    let by_hand: Vec<String> = by_hand
        .into_iter()
        .take(10)
        .map(|(_, _, name)| name)
        .collect();
    let ours: Vec<String> = (db.query::<Plain>())
        .filter(|p| p.guild < 10)
        .order_by_desc(|p| p.score)
        .limit(10)
        .iter()
        .map(|p| p.name.clone())
        .collect();
    assert_eq!(ours, by_hand);
}
