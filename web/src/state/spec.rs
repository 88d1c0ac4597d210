//! The workload editor's task specs: the arguments of `spawn`, and the spec
//! each task of the playground was spawned with (for editing it).

use memcg::shell::SpawnSpec;

/// A task as the workload editor describes it: the arguments of `spawn`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spec {
    /// `anon`, `file`, `dirty` or a preset of `memcg::workload::PRESETS`.
    pub kind: String,
    /// Size as memparse reads it, e.g. `512M`.
    pub size: String,
    /// Rate per second, e.g. `100M`; empty for the program's default.
    pub rate: String,
    /// Working set, e.g. `128M`; empty for the default.
    pub ws: String,
    /// Keep the memory after allocating (`--hold`, plain kinds only).
    pub hold: bool,
    /// `--oom-score-adj` of a parsed line, kept through an edit (no field).
    pub oom_score_adj: Option<i32>,
}

impl Default for Spec {
    fn default() -> Self {
        Spec {
            kind: "steady".into(),
            size: "256M".into(),
            rate: "50M".into(),
            ws: String::new(),
            hold: false,
            oom_score_adj: None,
        }
    }
}

impl Spec {
    /// The core's spec of this form for the cgroup at `path` (blank
    /// optional fields are the program's defaults).
    pub fn spawn_spec(&self, path: &str) -> SpawnSpec {
        let field = |s: &str| Some(s.trim()).filter(|s| !s.is_empty()).map(String::from);
        let rate = self.rate.trim();
        SpawnSpec {
            path: path.to_string(),
            kind: self.kind.trim().to_string(),
            size: self.size.trim().to_string(),
            rate: field(rate.strip_suffix("/s").unwrap_or(rate)),
            ws: field(&self.ws),
            hold: self.hold,
            oom_score_adj: self.oom_score_adj,
        }
    }

    /// The `spawn` line for the cgroup at `path`.
    pub fn command(&self, path: &str) -> String {
        self.spawn_spec(path).to_string()
    }

    /// The path and form of a `spawn` line (None if it is not one).
    pub fn parse(line: &str) -> Option<(String, Spec)> {
        let s = SpawnSpec::parse(line).ok()?;
        let spec = Spec {
            kind: s.kind,
            size: s.size,
            rate: s.rate.unwrap_or_default(),
            ws: s.ws.unwrap_or_default(),
            hold: s.hold,
            oom_score_adj: s.oom_score_adj,
        };
        Some((s.path, spec))
    }
}

/// The spec of each task spawned from the playground, by pid (a short list:
/// a map type of its own would cost more wasm than it saves).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Specs(Vec<(u32, Spec)>);

impl Specs {
    pub fn get(&self, pid: u32) -> Option<&Spec> {
        self.0.iter().find(|(p, _)| *p == pid).map(|(_, s)| s)
    }

    pub fn insert(&mut self, pid: u32, spec: Spec) {
        match self.0.iter_mut().find(|(p, _)| *p == pid) {
            Some(slot) => slot.1 = spec,
            None => self.0.push((pid, spec)),
        }
    }
}
