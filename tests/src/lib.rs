//! Helpers shared by the cross-crate tests: a simulator with one test
//! cgroup, addressed the same way in v1 and v2.

use memcg::{Errno, Simulator, Version};

#[cfg(target_os = "linux")]
pub mod calibrate;
#[cfg(target_os = "linux")]
pub mod conform;
pub mod costs;
pub mod node;
#[cfg(target_os = "linux")]
pub mod real;
pub mod sweep;

/// Both hierarchies, for tests that must hold in each.
pub const VERSIONS: [Version; 2] = [Version::V1, Version::V2];

/// A simulator plus the path of a cgroup under test.
pub struct Fixture {
    pub sim: Simulator,
    pub version: Version,
}

impl Fixture {
    /// A fresh machine of the given version.
    pub fn new(version: Version) -> Fixture {
        Fixture {
            sim: Simulator::new(version),
            version,
        }
    }

    /// Absolute path of `rel` under the mount point.
    pub fn path(&self, rel: &str) -> String {
        if rel.is_empty() {
            self.version.mount_point().to_string()
        } else {
            format!("{}/{}", self.version.mount_point(), rel)
        }
    }

    /// `mkdir` through the shell; panics with the shell's message on error.
    pub fn mkdir(&mut self, rel: &str) {
        let out = self.sim.exec(&format!("mkdir {}", self.path(rel)));
        assert!(out.ok(), "mkdir {rel}: {}", out.stderr);
    }

    /// The hard-limit file: v1 `memory.limit_in_bytes`, v2 `memory.max`.
    pub fn limit_file(&self) -> &'static str {
        match self.version {
            Version::V1 => "memory.limit_in_bytes",
            Version::V2 => "memory.max",
        }
    }

    /// `echo VALUE > cg/file` through the shell: Ok, or the errno named in
    /// bash's message.
    pub fn echo(&mut self, cg: &str, file: &str, value: &str) -> Result<(), Errno> {
        let line = format!("echo '{value}' > {}/{file}", self.path(cg));
        let out = self.sim.exec(&line);
        if out.ok() {
            assert_eq!(out.stderr, "");
            return Ok(());
        }
        Err(errno_from_message(&out.stderr).unwrap_or_else(|| panic!("unparsed: {}", out.stderr)))
    }

    /// Write raw bytes (no newline added) through the API.
    pub fn write(&mut self, cg: &str, file: &str, value: &str) -> Result<(), Errno> {
        let p = format!("{}/{file}", self.path(cg));
        self.sim.write(&p, value)
    }

    /// `cat cg/file` without the trailing newline; panics on error.
    pub fn cat(&mut self, cg: &str, file: &str) -> String {
        let out = self.sim.exec(&format!("cat {}/{file}", self.path(cg)));
        assert!(out.ok(), "cat {cg}/{file}: {}", out.stderr);
        out.stdout
            .strip_suffix('\n')
            .unwrap_or(&out.stdout)
            .to_string()
    }

    /// Both watermark files of `cg`.
    pub fn wmarks(&mut self, cg: &str) -> (String, String) {
        (
            self.cat(cg, "memory.wmark_high"),
            self.cat(cg, "memory.wmark_low"),
        )
    }
}

/// Map glibc's message at the end of a bash error line back to the errno.
pub fn errno_from_message(stderr: &str) -> Option<Errno> {
    Errno::from_message_suffix(stderr.lines().next()?)
}

/// The determinism scenario shared with the core's wasm test.
pub const GOLDEN_SCENARIO: &str = include_str!("../golden/scenario.sh");

/// Run [`GOLDEN_SCENARIO`] (v2, seed 7) and return the trace hash.
pub fn golden_scenario_hash() -> u64 {
    let mut c = memcg::sim::SimConfig::new(Version::V2);
    c.seed = 7;
    let mut sim = Simulator::build(c);
    for line in GOLDEN_SCENARIO.lines() {
        let out = sim.exec(line);
        assert!(out.ok(), "{line}: {}", out.stderr);
    }
    sim.trace_hash()
}
