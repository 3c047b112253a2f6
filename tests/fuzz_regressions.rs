//! Every input the fuzzers found a bug with (`fuzz/regressions/<target>/`), replayed
//! through the same function the fuzz target runs (`fuzz/targets.rs`), plus each
//! target's seeds: none may panic. `fuzz/run.sh` adds new crashes there.

#[path = "../fuzz/targets.rs"]
mod targets;

use std::path::Path;

fn replay(dir: &str) -> usize {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz").join(dir);
    let mut n = 0;
    for (name, target) in targets::TARGETS {
        let Ok(entries) = std::fs::read_dir(root.join(name)) else { continue };
        let mut paths: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
        paths.sort();
        let hidden = |p: &Path| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.'));
        for path in paths.into_iter().filter(|p| p.is_file() && !hidden(p)) {
            let data = std::fs::read(&path).unwrap();
            let outcome = std::panic::catch_unwind(|| target(&data));
            assert!(outcome.is_ok(), "{name}: {} panics", path.display());
            n += 1;
        }
    }
    n
}

#[test]
fn fuzz_regressions_are_fixed() {
    replay("regressions");
}

#[test]
fn fuzz_seeds_run_clean() {
    assert!(replay("seeds") >= 50, "the seeds are there");
}
