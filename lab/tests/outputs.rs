//! Same seed, same bytes, for every file `fairness_lab` writes: the per-person and
//! time-series CSVs, `summary.json`, `table.txt`, the arrival trace and every plot, SVG and
//! PNG alike (their text is drawn with the font shipped in `assets/`, not the system's).
//! Whatever the number of threads, and whether the people are drawn or read back from the
//! trace the first run wrote.

#![cfg(feature = "cli")]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A directory of this test's own under the target directory, emptied.
fn fresh_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("lab-outputs")
        .join(name);
    if dir.exists() {
        std::fs::remove_dir_all(&dir).unwrap();
    }
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs the lab on the small preset into `out`, and returns every file it wrote by name.
/// Places for 60% of the people, so that some book days after the one they wanted.
fn lab(out: &Path, args: &[&str]) -> BTreeMap<String, Vec<u8>> {
    let status = Command::new(env!("CARGO_BIN_EXE_fairness_lab"))
        .args([
            "--preset",
            "small",
            "--scale",
            "0.1",
            "--capacity-ratio",
            "0.6",
        ])
        .arg("--out")
        .arg(out)
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("fairness_lab starts");
    assert!(status.success(), "fairness_lab {args:?} failed: {status}");
    std::fs::read_dir(out)
        .unwrap()
        .map(|entry| {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).unwrap())
        })
        .collect()
}

/// The files that differ between two runs, or are in only one of them.
fn differing(first: &BTreeMap<String, Vec<u8>>, second: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let names: BTreeSet<&String> = first.keys().chain(second.keys()).collect();
    names
        .into_iter()
        .filter(|name| first.get(*name) != second.get(*name))
        .cloned()
        .collect()
}

#[test]
fn every_file_is_the_same_bytes_for_the_same_seed() {
    let one = fresh_dir("threads-1");
    let first = lab(&one, &["--seed", "7", "--threads", "1", "--write-trace"]);
    let mut expected: Vec<String> = ["summary.json", "table.txt", "trace.csv"]
        .map(str::to_owned)
        .to_vec();
    for policy in ["fifo", "shuffle", "lottery", "baseline-2021"] {
        expected.push(format!("outcomes-{policy}.csv"));
        expected.push(format!("series-{policy}.csv"));
    }
    for plot in [
        "wait-cdf",
        "admissions",
        "bounces-bypass",
        "days-late",
        "preferences",
    ] {
        expected.push(format!("{plot}.svg"));
        expected.push(format!("{plot}.png"));
    }
    expected.sort();
    assert_eq!(first.keys().cloned().collect::<Vec<_>>(), expected);
    assert!(first.values().all(|bytes| bytes.len() > 100));

    let again = lab(
        &fresh_dir("threads-3"),
        &["--seed", "7", "--threads", "3", "--write-trace"],
    );
    assert_eq!(differing(&first, &again), Vec::<String>::new());

    // The trace the first run wrote, played again, gives every other file again.
    let trace = one.join("trace.csv");
    let mut replayed = lab(
        &fresh_dir("from-trace"),
        &["--seed", "7", "--trace", trace.to_str().unwrap()],
    );
    replayed.insert("trace.csv".to_owned(), first["trace.csv"].clone());
    assert_eq!(differing(&first, &replayed), Vec::<String>::new());

    // The comparisons can fail: another seed changes every file but, maybe, a bitmap whose
    // curves moved by less than a pixel (days late by tenth of arrival, on 2,000 people).
    let other = lab(&fresh_dir("seed-8"), &["--seed", "8", "--write-trace"]);
    let changed = differing(&first, &other);
    for name in expected.iter().filter(|name| !name.ends_with(".png")) {
        assert!(
            changed.contains(name),
            "{name} is the same under another seed"
        );
    }
    assert!(changed.iter().filter(|name| name.ends_with(".png")).count() >= 4);
}
