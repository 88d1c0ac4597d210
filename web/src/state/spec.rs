//! The workload editor's task specs: the arguments of `spawn`, and the spec
//! each task of the playground was spawned with (for editing it).

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
}

impl Default for Spec {
    fn default() -> Self {
        Spec {
            kind: "steady".into(),
            size: "256M".into(),
            rate: "50M".into(),
            ws: String::new(),
            hold: false,
        }
    }
}

impl Spec {
    /// The `spawn` line for the cgroup at `path`.
    pub fn command(&self, path: &str) -> String {
        let mut s = format!("spawn {path} {} {}", self.kind.trim(), self.size.trim());
        if !self.rate.trim().is_empty() {
            let rate = self.rate.trim();
            let rate = rate.strip_suffix("/s").unwrap_or(rate);
            s.push_str(&format!(" --rate {rate}/s"));
        }
        if !self.ws.trim().is_empty() {
            s.push_str(&format!(" --ws {}", self.ws.trim()));
        }
        if self.hold {
            s.push_str(" --hold");
        }
        s
    }

    /// The spec of a `spawn` line (None if it is not one).
    pub fn parse(line: &str) -> Option<(String, Spec)> {
        let mut words = line.split_whitespace();
        if words.next()? != "spawn" {
            return None;
        }
        let mut pos = Vec::new();
        let mut spec = Spec {
            rate: String::new(),
            ..Spec::default()
        };
        while let Some(w) = words.next() {
            match w {
                "--hold" => spec.hold = true,
                "--rate" => spec.rate = words.next()?.trim_end_matches("/s").to_string(),
                "--ws" => spec.ws = words.next()?.to_string(),
                _ => pos.push(w.to_string()),
            }
        }
        if pos.len() != 3 {
            return None;
        }
        spec.kind = pos[1].clone();
        spec.size = pos[2].clone();
        Some((pos[0].clone(), spec))
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
