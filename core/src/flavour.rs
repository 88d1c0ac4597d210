//! Which kernel the simulated machine runs (docs/model.md §19).
//!
//! A machine is built for one flavour; the cgroupfs shows that kernel's
//! files and no others (a missing file is ENOENT, as on the real kernel),
//! and the charge path runs that kernel's memcg rules where they differ.

/// A kernel whose memory controller the simulator can run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum KernelFlavour {
    /// Alibaba Cloud Linux 4.19 with memcg async (wmark) reclaim: the
    /// model of §1–§18.
    #[default]
    #[cfg_attr(feature = "serde", serde(rename = "alinux-4.19"))]
    Alinux419,
    /// Community 4.19: no wmark files, no `memory.exstat`, no async
    /// reclaim; `memory.high` reclaims once on return to user, no penalty.
    #[cfg_attr(feature = "serde", serde(rename = "linux-4.19"))]
    Linux419,
    /// Community 6.6 LTS: `memory.reclaim`, `memory.peak`, the 5.4+
    /// `memory.high` penalty.
    #[cfg_attr(feature = "serde", serde(rename = "linux-6.6"))]
    Linux66,
    /// openEuler 24.03 (OLK-6.6): 6.6 plus `memory.high_async_ratio`.
    #[cfg_attr(feature = "serde", serde(rename = "openeuler"))]
    OpenEuler,
    /// TencentOS / OpenCloudOS kernel (a 6.x TencentOS `mm/memcontrol.c`):
    /// 6.6's files plus `memory.async_ratio`, `memory.async_high`,
    /// `memory.async_low`, `memory.async_distance_factor` and the
    /// `vm.memory_qos` sysctl that arms them (§19.5).
    #[cfg_attr(feature = "serde", serde(rename = "tencentos"))]
    TencentOs,
}

/// Every flavour, in the order `--kernel help` lists them.
pub const FLAVOURS: [KernelFlavour; 5] = [
    KernelFlavour::Alinux419,
    KernelFlavour::Linux419,
    KernelFlavour::Linux66,
    KernelFlavour::OpenEuler,
    KernelFlavour::TencentOs,
];

impl KernelFlavour {
    /// The name `memcg sh --kernel` takes.
    pub fn name(self) -> &'static str {
        match self {
            KernelFlavour::Alinux419 => "alinux-4.19",
            KernelFlavour::Linux419 => "linux-4.19",
            KernelFlavour::Linux66 => "linux-6.6",
            KernelFlavour::OpenEuler => "openeuler",
            KernelFlavour::TencentOs => "tencentos",
        }
    }

    /// One line on what the flavour is.
    pub fn description(self) -> &'static str {
        match self {
            KernelFlavour::Alinux419 => {
                "Alibaba Cloud Linux 4.19: memory.wmark_* async reclaim (default)"
            }
            KernelFlavour::Linux419 => "community 4.19: no async reclaim, no memory.high penalty",
            KernelFlavour::Linux66 => {
                "community 6.6 LTS: memory.reclaim, memory.peak, memory.high penalty"
            }
            KernelFlavour::OpenEuler => "openEuler 24.03 (6.6): memory.high_async_ratio",
            KernelFlavour::TencentOs => {
                "TencentOS/OpenCloudOS (6.x): memory.async_ratio, vm.memory_qos"
            }
        }
    }

    /// The flavour called `name`.
    pub fn parse(name: &str) -> Option<KernelFlavour> {
        FLAVOURS.into_iter().find(|f| f.name() == name)
    }

    /// "alinux-4.19, linux-4.19, linux-6.6, openeuler, tencentos".
    pub fn names() -> alloc::string::String {
        let mut s = alloc::string::String::new();
        for (i, f) in FLAVOURS.iter().enumerate() {
            if i > 0 {
                s.push_str(", ");
            }
            s.push_str(f.name());
        }
        s
    }

    /// The ALinux wmark files and worker exist (§9).
    pub fn has_wmark(self) -> bool {
        self == KernelFlavour::Alinux419
    }

    /// `memory.high_async_ratio` and its `high_work` (openEuler, §19.4).
    pub fn has_high_async(self) -> bool {
        self == KernelFlavour::OpenEuler
    }

    /// TencentOS `memory.async_ratio` and its `async_work` (§19.5).
    pub fn has_async_ratio(self) -> bool {
        self == KernelFlavour::TencentOs
    }

    /// `mem_cgroup_handle_over_high` throttles with the penalty sleep
    /// (upstream since 5.4, backported by ALinux, §8.3); community 4.19
    /// only reclaims.
    pub fn has_high_penalty(self) -> bool {
        self != KernelFlavour::Linux419
    }

    /// The file-table bit that hides a file on this flavour
    /// ([`crate::cgroupfs`]).
    pub(crate) fn absent_bit(self) -> u16 {
        match self {
            KernelFlavour::Alinux419 => 1 << 8,
            KernelFlavour::Linux419 => 1 << 9,
            KernelFlavour::Linux66 => 1 << 10,
            KernelFlavour::OpenEuler => 1 << 11,
            KernelFlavour::TencentOs => 1 << 12,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for f in FLAVOURS {
            assert_eq!(KernelFlavour::parse(f.name()), Some(f));
        }
        assert_eq!(KernelFlavour::parse("linux"), None);
        assert_eq!(KernelFlavour::default(), KernelFlavour::Alinux419);
        assert_eq!(
            KernelFlavour::names(),
            "alinux-4.19, linux-4.19, linux-6.6, openeuler, tencentos"
        );
    }
}
