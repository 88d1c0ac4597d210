//! The facade is the door (issue 10): front ends — the web crate and the
//! CLI — read and drive the simulator through `Simulator`'s methods and
//! the views they return, never the machine behind it (`engine()`,
//! `kernel()`, `machine()`, `machine_mut()` are for white-box tests).

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn front_ends_do_not_reach_behind_the_simulator() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let mut files = Vec::new();
    rust_files(&root.join("web/src"), &mut files);
    rust_files(&root.join("tests/src/bin"), &mut files);
    assert!(files.len() > 10, "{files:?}");
    let mut found = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        for (i, line) in text.lines().enumerate() {
            for hatch in [".engine()", ".kernel()", ".machine().", ".machine_mut()"] {
                if line.contains(hatch) {
                    found.push(format!("{}:{}: {}", f.display(), i + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "use Simulator's accessors:\n{}",
        found.join("\n")
    );
}
