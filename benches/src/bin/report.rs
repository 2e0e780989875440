//! The ratio report: reads criterion's results and prints, per workload and N, each
//! implementation's median and its ratio to `raw`, then checks the issue's bars.
//!
//! ```text
//! cargo run --release --manifest-path benches/Cargo.toml --bin report [CRITERION_DIR]
//! ```
//!
//! `CRITERION_DIR` defaults to `benches/target/criterion`. The output is Markdown, pasted into
//! BENCHMARKS.md as is. New workloads and implementations show up without changes here; only
//! their bars, if any, are listed in [`BARS`].

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// Workloads and implementations in the order the tables show them; others follow, sorted.
const WORKLOADS: &[&str] = &[
    "insert",
    "bulk_insert",
    "get",
    "belongs_to",
    "has_many",
    "delete",
    "delete_cascade",
    "scan",
    "eager",
    "eager_owned",
    "index_get",
    "index_range",
    "index_topk",
    "index_insert_plain",
    "index_insert_unique",
    "index_insert_ordered",
    "query_top",
    "bincode_encode",
    "bincode_decode",
    "snapshot",
];
const IMPLS: &[&str] = &[
    "raw",
    "relstore",
    "relstore_handle",
    "raw_many",
    "relstore_many",
    "sqlite",
    "bevy",
];

const READS: &[&str] = &["get", "belongs_to", "has_many", "scan"];

/// A bar of the issue: `slow` / `fast` (medians) must be at most `max` (`Max`) or at least
/// `min` (`Min`) on the listed workloads (`None`: every workload where both ran).
struct Bar {
    slow: &'static str,
    fast: &'static str,
    workloads: Option<&'static [&'static str]>,
    limit: Limit,
    /// How the bar reads in the table, if not as `slow / fast`.
    label: Option<&'static str>,
}

enum Limit {
    /// The ratio is at most this: `slow` may be that much slower than `fast`.
    Max(f64),
    /// The ratio is at least this: `fast` must be that much faster than `slow`.
    Min(f64),
    /// The ratio is above this.
    Above(f64),
}

const BARS: &[Bar] = &[
    Bar {
        slow: "relstore",
        fast: "raw",
        workloads: Some(READS),
        limit: Limit::Max(1.5),
        label: None,
    },
    Bar {
        slow: "relstore_handle",
        fast: "raw",
        workloads: None,
        limit: Limit::Max(1.1),
        label: None,
    },
    Bar {
        slow: "relstore",
        fast: "raw",
        workloads: Some(&["insert", "delete"]),
        limit: Limit::Max(2.0),
        label: None,
    },
    // Bulk insert as a batch, beside raw reserving as much as relstore does.
    Bar {
        slow: "relstore_many",
        fast: "raw_many",
        workloads: Some(&["bulk_insert"]),
        limit: Limit::Max(1.3),
        label: None,
    },
    Bar {
        slow: "sqlite",
        fast: "relstore",
        workloads: Some(READS),
        limit: Limit::Min(30.0),
        label: None,
    },
    Bar {
        slow: "sqlite",
        fast: "relstore",
        workloads: Some(&["bulk_insert"]),
        limit: Limit::Min(3.0),
        label: None,
    },
    Bar {
        slow: "bevy",
        fast: "relstore",
        workloads: None,
        limit: Limit::Above(1.0),
        label: None,
    },
    // In-place edits of a non-key field: one row by id, and every row of a table.
    Bar {
        slow: "relstore",
        fast: "raw",
        workloads: Some(&["edit_all", "edit_one"]),
        limit: Limit::Max(1.2),
        label: None,
    },
    // Eager loading (users -> posts -> comments): `raw` is the same tree built by hand-written
    // nested loops over the same store, borrowed (`eager`) or cloned (`eager_owned`).
    Bar {
        slow: "relstore",
        fast: "raw",
        workloads: Some(&["eager"]),
        limit: Limit::Max(1.2),
        label: None,
    },
    Bar {
        slow: "relstore",
        fast: "raw",
        workloads: Some(&["eager_owned"]),
        limit: Limit::Max(1.5),
        label: None,
    },
    Bar {
        slow: "sqlite",
        fast: "relstore",
        workloads: Some(&["eager"]),
        limit: Limit::Min(10.0),
        label: None,
    },
    // Snapshots: both sides encode (decode) the same rows, so raw's time over relstore's is
    // relstore's throughput in rows/s as a fraction of raw's.
    Bar {
        slow: "raw",
        fast: "relstore",
        workloads: Some(&["bincode_encode"]),
        limit: Limit::Min(SAVE_BAR),
        label: Some("relstore rows/s ÷ raw rows/s ≥ 0.7"),
    },
    Bar {
        slow: "raw",
        fast: "relstore",
        workloads: Some(&["bincode_decode"]),
        limit: Limit::Min(LOAD_BAR),
        label: Some("relstore rows/s ÷ raw rows/s ≥ 0.5"),
    },
];

/// Secondary indexes beside the maps kept by hand: a unique lookup, an ordered range and
/// top-k; and a query without an index beside a hand-written loop.
const INDEX_BARS: &[Bar] = &[
    Bar {
        slow: "relstore",
        fast: "raw",
        workloads: Some(&["index_get", "index_range", "index_topk"]),
        limit: Limit::Max(1.5),
        label: None,
    },
    // Top-k written as a query (`db.query_range(..).rev().limit(k)`), held to the same bar.
    Bar {
        slow: "query",
        fast: "raw",
        workloads: Some(&["index_topk"]),
        limit: Limit::Max(1.5),
        label: None,
    },
    Bar {
        slow: "relstore",
        fast: "raw",
        workloads: Some(&["query_top"]),
        limit: Limit::Max(1.2),
        label: None,
    },
];

/// What one indexed column adds to an insert, over what keeping its map by hand adds: at
/// most this.
const UPKEEP_BAR: f64 = 1.3;

/// Save (`write_to` into memory) at least this fraction of raw bincode encoding's rows/s.
const SAVE_BAR: f64 = 0.70;
/// Load (`read_from`, verification and index rebuild included) at least this fraction of raw
/// bincode decoding's rows/s.
const LOAD_BAR: f64 = 0.50;

/// One benchmark's result.
struct Measured {
    median_ns: f64,
    /// Rows per iteration, if the benchmark declared them.
    rows: Option<f64>,
    /// Bytes per iteration, if the benchmark declared them.
    bytes: Option<f64>,
}

/// (workload, N) -> implementation -> result.
type Results = BTreeMap<(usize, usize), BTreeMap<(usize, String), Measured>>;

fn main() {
    let dir = std::env::args().nth(1).map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("target/criterion"),
        PathBuf::from,
    );
    let mut files = Vec::new();
    find_results(&dir, &mut files);
    if files.is_empty() {
        eprintln!(
            "no criterion results under {}: run `cargo bench` first",
            dir.display()
        );
        std::process::exit(1);
    }
    let mut workloads: Vec<String> = WORKLOADS.iter().map(|w| w.to_string()).collect();
    let mut results = Results::new();
    for new in files {
        let Some((workload, imp, n, measured)) = read_result(&new) else {
            eprintln!("skipping unreadable result in {}", new.display());
            continue;
        };
        let w = rank(&mut workloads, &workload);
        let i = IMPLS.iter().position(|&x| x == imp).unwrap_or(IMPLS.len());
        results
            .entry((w, n))
            .or_default()
            .insert((i, imp), measured);
    }
    print!("{}", medians_table(&results, &workloads));
    print!("{}", throughput_table(&results, &workloads));
    print!("{}", snapshot_table(&results, &workloads));
    print!("{}", upkeep_table(&results, &workloads));
    print!("{}", bars_table(&results, &workloads));
}

/// Every `new/` directory holding a criterion result under `dir`.
fn find_results(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if !path.is_dir() {
            continue;
        }
        if path.file_name().is_some_and(|name| name == "new") {
            if path.join("estimates.json").exists() {
                out.push(path);
            }
        } else {
            find_results(&path, out);
        }
    }
}

/// (workload, implementation, N, result) from a `new/` directory.
fn read_result(new: &Path) -> Option<(String, String, usize, Measured)> {
    let read = |name| -> Option<Value> {
        serde_json::from_str(&std::fs::read_to_string(new.join(name)).ok()?).ok()
    };
    let (benchmark, estimates) = (read("benchmark.json")?, read("estimates.json")?);
    let workload = benchmark["group_id"].as_str()?.to_string();
    let imp = benchmark["function_id"].as_str()?.to_string();
    let n = benchmark["value_str"].as_str()?.parse().ok()?;
    let median_ns = estimates["median"]["point_estimate"].as_f64()?;
    let t = &benchmark["throughput"];
    let rows = (t["Elements"].as_f64()).or(t["ElementsAndBytes"]["elements"].as_f64());
    let bytes = (t["Bytes"].as_f64())
        .or(t["BytesDecimal"].as_f64())
        .or(t["ElementsAndBytes"]["bytes"].as_f64());
    Some((
        workload,
        imp,
        n,
        Measured {
            median_ns,
            rows,
            bytes,
        },
    ))
}

/// The position of `workload` in `known`, appending it if new.
fn rank(known: &mut Vec<String>, workload: &str) -> usize {
    known.iter().position(|w| w == workload).unwrap_or_else(|| {
        known.push(workload.to_string());
        known.len() - 1
    })
}

fn medians_table(results: &Results, workloads: &[String]) -> String {
    let mut impls: Vec<&(usize, String)> = results.values().flat_map(BTreeMap::keys).collect();
    impls.sort();
    impls.dedup();
    let mut out = String::from("### Medians, and ratio to `raw`\n\n| workload | N |");
    for (_, imp) in &impls {
        write!(out, " {imp} |").unwrap();
    }
    out.push_str("\n|---|--:|");
    out.push_str(&"--:|".repeat(impls.len()));
    out.push('\n');
    for (&(w, n), row) in results {
        let raw = row
            .iter()
            .find(|((_, imp), _)| imp == "raw")
            .map(|(_, m)| m.median_ns);
        write!(out, "| {} | {} |", workloads[w], thousands(n)).unwrap();
        for key in &impls {
            match (row.get(key), raw) {
                (Some(m), Some(raw)) => {
                    write!(
                        out,
                        " {} ({:.2}x) |",
                        duration(m.median_ns),
                        m.median_ns / raw
                    )
                }
                (Some(m), None) => write!(out, " {} |", duration(m.median_ns)),
                (None, _) => write!(out, " |"),
            }
            .unwrap();
        }
        out.push('\n');
    }
    out
}

fn throughput_table(results: &Results, workloads: &[String]) -> String {
    let mut out = String::from(
        "\n### Throughput (median)\n\n| workload | N | implementation | rows/s | bytes/s |\n|---|--:|---|--:|--:|\n",
    );
    for (&(w, n), row) in results {
        for ((_, imp), m) in row {
            if m.rows.is_none() && m.bytes.is_none() {
                continue;
            }
            let rate = |per_iter: Option<f64>, unit| {
                per_iter.map_or(String::new(), |x| per_second(x, m.median_ns, unit))
            };
            writeln!(
                out,
                "| {} | {} | {imp} | {} | {} |",
                workloads[w],
                thousands(n),
                rate(m.rows, "rows"),
                rate(m.bytes, "B")
            )
            .unwrap();
        }
    }
    out
}

/// Each indexed column's cost on an insert: relstore's insert into an indexed table minus its
/// insert into a plain one, over the same for a slotmap with the map kept by hand.
fn upkeep_table(results: &Results, workloads: &[String]) -> String {
    let mut out = String::from(
        "\n### Index upkeep on insert (median)\n\n\
         | index | N | relstore − plain | raw − plain | ratio | bar |\n|---|--:|--:|--:|--:|---|\n",
    );
    let median = |w: &str, n: usize, imp: &str| {
        let w = workloads.iter().position(|x| x == w)?;
        let row = results.get(&(w, n))?;
        row.iter()
            .find(|((_, i), _)| i == imp)
            .map(|(_, m)| m.median_ns)
    };
    let mut any = false;
    for (index, workload) in [
        ("unique (hash)", "index_insert_unique"),
        ("ordered", "index_insert_ordered"),
    ] {
        for n in [10_000, 1_000_000] {
            let (Some(rel), Some(raw), Some(rel0), Some(raw0)) = (
                median(workload, n, "relstore"),
                median(workload, n, "raw"),
                median("index_insert_plain", n, "relstore"),
                median("index_insert_plain", n, "raw"),
            ) else {
                continue;
            };
            any = true;
            let (rel_cost, raw_cost) = (rel - rel0, raw - raw0);
            let ratio = rel_cost / raw_cost;
            let result = if ratio <= UPKEEP_BAR {
                "met"
            } else {
                "**MISS**"
            };
            writeln!(
                out,
                "| {index} | {} | {} | {} | {ratio:.2} | ≤ {UPKEEP_BAR}: {result} |",
                thousands(n),
                duration(rel_cost),
                duration(raw_cost)
            )
            .unwrap();
        }
    }
    if any { out } else { String::new() }
}

/// Snapshot save and load beside raw bincode: rows/s, MB/s, each side's output size, and
/// relstore's rows/s as a fraction of raw's (raw's median over relstore's: the same rows).
fn snapshot_table(results: &Results, workloads: &[String]) -> String {
    let mut out = String::from(
        "\n### Snapshots against raw bincode (median)\n\n\
         | workload | N | raw rows/s | relstore rows/s | raw MB/s | relstore MB/s \
         | raw bytes | relstore bytes | relstore ÷ raw (rows/s) | bar |\n\
         |---|--:|--:|--:|--:|--:|--:|--:|--:|---|\n",
    );
    let mut any = false;
    for (&(w, n), row) in results {
        let (workload, bar) = match workloads[w].as_str() {
            "bincode_encode" => ("save (`write_to`)", SAVE_BAR),
            "bincode_decode" => ("load (`read_from`)", LOAD_BAR),
            _ => continue,
        };
        let find = |name: &str| row.iter().find(|((_, imp), _)| imp == name).map(|(_, m)| m);
        let (Some(raw), Some(rel)) = (find("raw"), find("relstore")) else {
            continue;
        };
        any = true;
        let rate = |m: &Measured, per_iter: Option<f64>, unit| {
            per_iter.map_or(String::new(), |x| per_second(x, m.median_ns, unit))
        };
        let size = |m: &Measured| {
            m.bytes
                .map_or(String::new(), |b| format!("{:.2} MB", b / 1e6))
        };
        let ratio = raw.median_ns / rel.median_ns;
        let result = if ratio >= bar { "met" } else { "**MISS**" };
        writeln!(
            out,
            "| {workload} | {} | {} | {} | {} | {} | {} | {} | {ratio:.2} | ≥ {bar:.2}: {result} |",
            thousands(n),
            rate(raw, raw.rows, "rows"),
            rate(rel, rel.rows, "rows"),
            rate(raw, raw.bytes, "B"),
            rate(rel, rel.bytes, "B"),
            size(raw),
            size(rel),
        )
        .unwrap();
    }
    if any { out } else { String::new() }
}

/// `per_iter` units in `median_ns`, per second, with a fitting prefix: `12.3 Mrows/s`.
fn per_second(per_iter: f64, median_ns: f64, unit: &str) -> String {
    let per_s = per_iter / (median_ns * 1e-9);
    let (value, prefix) = if per_s >= 1e9 {
        (per_s / 1e9, "G")
    } else if per_s >= 1e6 {
        (per_s / 1e6, "M")
    } else {
        (per_s / 1e3, "k")
    };
    format!("{value:.1} {prefix}{unit}/s")
}

fn bars_table(results: &Results, workloads: &[String]) -> String {
    let mut out = String::from(
        "\n### Bars\n\n| bar | workload | N | ratio | result |\n|---|---|--:|--:|---|\n",
    );
    let (mut met, mut missed) = (0, 0);
    for bar in BARS.iter().chain(INDEX_BARS) {
        for (&(w, n), row) in results {
            let workload = workloads[w].as_str();
            if bar.workloads.is_some_and(|ws| !ws.contains(&workload)) {
                continue;
            }
            let median = |name: &str| {
                row.iter()
                    .find(|((_, imp), _)| imp == name)
                    .map(|(_, m)| m.median_ns)
            };
            let (Some(slow), Some(fast)) = (median(bar.slow), median(bar.fast)) else {
                continue;
            };
            let ratio = slow / fast;
            let (ok, rule) = match bar.limit {
                Limit::Max(max) => (ratio <= max, format!("{} / {} ≤ {max}", bar.slow, bar.fast)),
                Limit::Min(min) => (ratio >= min, format!("{} / {} ≥ {min}", bar.slow, bar.fast)),
                Limit::Above(min) => (ratio > min, format!("{} / {} > {min}", bar.slow, bar.fast)),
            };
            let rule = bar.label.map_or(rule, str::to_string);
            if ok {
                met += 1;
            } else {
                missed += 1;
            }
            let result = if ok { "met" } else { "**MISS**" };
            writeln!(
                out,
                "| {rule} | {workload} | {} | {ratio:.2} | {result} |",
                thousands(n)
            )
            .unwrap();
        }
    }
    writeln!(out, "\n{met} bars met, {missed} missed.").unwrap();
    out
}

/// `1_000_000` as `1,000,000`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A duration in nanoseconds with three significant digits and a fitting unit.
fn duration(ns: f64) -> String {
    let (value, unit) = match ns {
        ns if ns < 1e3 => (ns, "ns"),
        ns if ns < 1e6 => (ns / 1e3, "µs"),
        ns if ns < 1e9 => (ns / 1e6, "ms"),
        ns => (ns / 1e9, "s"),
    };
    let decimals = if value < 10.0 {
        2
    } else if value < 100.0 {
        1
    } else {
        0
    };
    format!("{value:.decimals$} {unit}")
}
