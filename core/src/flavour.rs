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
    /// Community 6.18 (§19.6): 6.6's files; v1 `move_charge_at_immigrate`
    /// refuses any value but 0 (charge moving removed).
    #[cfg_attr(feature = "serde", serde(rename = "linux-6.18"))]
    Linux618,
}

/// Every flavour, in the order `--kernel help` lists them.
pub const FLAVOURS: [KernelFlavour; 6] = [
    KernelFlavour::Alinux419,
    KernelFlavour::Linux419,
    KernelFlavour::Linux66,
    KernelFlavour::OpenEuler,
    KernelFlavour::TencentOs,
    KernelFlavour::Linux618,
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
            KernelFlavour::Linux618 => "linux-6.18",
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
            KernelFlavour::Linux618 => {
                "community 6.18: 6.6's files, no charge moving (move_charge_at_immigrate 0 only)"
            }
        }
    }

    /// The flavour called `name`.
    pub fn parse(name: &str) -> Option<KernelFlavour> {
        FLAVOURS.into_iter().find(|f| f.name() == name)
    }

    /// "alinux-4.19, linux-4.19, linux-6.6, openeuler, tencentos, linux-6.18".
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

    /// The largest value `memory.swappiness` takes: 100 on 4.19, 200 from
    /// 5.15 (`mem_cgroup_swappiness_write`, "mm: memcontrol: Set the correct
    /// memcg swappiness restriction", following 5.8's sysctl; §19.6).
    pub fn max_swappiness(self) -> i64 {
        match self {
            KernelFlavour::Alinux419 | KernelFlavour::Linux419 => 100,
            _ => 200,
        }
    }

    /// v1 charge moving exists: `move_charge_at_immigrate` stores its bits.
    /// Upstream removed it after 6.6 ("memcg-v1: fully deprecate
    /// move_charge_at_immigrate"): reads 0, a non-zero write is EINVAL (§19.6).
    pub fn has_move_charge(self) -> bool {
        self != KernelFlavour::Linux618
    }

    /// The flavour `memcg conform` simulates for a machine running
    /// `release` (`uname -r`, e.g. "6.18.44-fc-v1147"): ALinux and openEuler
    /// by their release tags (`.al7`, `.al8`, `.oe`), else the community
    /// flavour whose v1 behaviour the release has: before 5.15 (memcg
    /// swappiness ≤ 100) `linux-4.19`, before 6.13 (charge moving removed)
    /// `linux-6.6`, then `linux-6.18` (§19.6).
    /// `None` when `release` does not start with MAJOR.MINOR.
    pub fn closest_to(release: &str) -> Option<KernelFlavour> {
        let mut it = release.split(|c: char| !c.is_ascii_digit());
        let major: u32 = it.next()?.parse().ok()?;
        let minor: u32 = it.next()?.parse().ok()?;
        let version = (major, minor);
        let tagged = |t: &str| release.contains(t);
        Some(if major == 4 && (tagged(".al7") || tagged(".al8")) {
            KernelFlavour::Alinux419
        } else if major == 6 && tagged(".oe") {
            KernelFlavour::OpenEuler
        } else if version < (5, 15) {
            KernelFlavour::Linux419
        } else if version < (6, 13) {
            KernelFlavour::Linux66
        } else {
            KernelFlavour::Linux618
        })
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
            KernelFlavour::Linux618 => 1 << 13,
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
            "alinux-4.19, linux-4.19, linux-6.6, openeuler, tencentos, linux-6.18"
        );
    }

    #[test]
    fn closest_flavour_by_release() {
        let c = |r| KernelFlavour::closest_to(r).map(KernelFlavour::name);
        assert_eq!(c("6.18.44-fc-v1147"), Some("linux-6.18"));
        assert_eq!(c("6.13.0"), Some("linux-6.18"));
        assert_eq!(c("7.0.1"), Some("linux-6.18"));
        assert_eq!(c("6.12.9-200.fc41.x86_64"), Some("linux-6.6"));
        assert_eq!(c("6.6.0-28.0.0.34.oe2403.x86_64"), Some("openeuler"));
        assert_eq!(c("5.15.0-91-generic"), Some("linux-6.6"));
        assert_eq!(c("5.10.134-16.al8.x86_64"), Some("linux-4.19"));
        assert_eq!(c("5.4.0"), Some("linux-4.19"));
        assert_eq!(c("4.19.91-27.al7.x86_64"), Some("alinux-4.19"));
        assert_eq!(c("4.19.0-25-amd64"), Some("linux-4.19"));
        assert_eq!(c("3.10.0"), Some("linux-4.19"));
        assert_eq!(c("linux"), None);
        assert_eq!(c("6"), None);
        assert_eq!(c(""), None);
    }
}
