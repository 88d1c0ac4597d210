//! Spec §17 test vectors that need no time model: TV-01 … TV-14j and TV-13,
//! each in v1 and v2 where the vector applies to both.

use memcg::Errno;
use memcg::Version::{V1, V2};
use memcg_tests::{Fixture, VERSIONS};

const PCM_BYTES: &str = "9223372036854771712";

/// mkdir `test`, set the limit and ratio (and optionally sf) like the seed.
fn setup(v: memcg::Version, limit: &str, ratio: &str) -> Fixture {
    let mut f = Fixture::new(v);
    f.mkdir("test");
    let lf = f.limit_file();
    f.echo("test", lf, limit).unwrap();
    f.echo("test", "memory.wmark_ratio", ratio).unwrap();
    f
}

fn pcm_or_max(v: memcg::Version) -> &'static str {
    match v {
        V1 => PCM_BYTES,
        V2 => "max",
    }
}

#[test]
fn tv01_seed_v1() {
    let mut f = setup(V1, "1G", "95");
    assert_eq!(f.cat("test", "memory.limit_in_bytes"), "1073741824");
    assert_eq!(f.cat("test", "memory.wmark_scale_factor"), "50");
    assert_eq!(f.wmarks("test"), ("1020051456".into(), "1014685696".into()));
}

#[test]
fn tv02_seed_v2() {
    let mut f = setup(V2, "1G", "95");
    assert_eq!(f.cat("test", "memory.max"), "1073741824");
    assert_eq!(f.wmarks("test"), ("1020051456".into(), "1014685696".into()));
}

#[test]
fn tv03_fresh_child_disabled() {
    for v in VERSIONS {
        let mut f = Fixture::new(v);
        f.mkdir("test");
        let m = pcm_or_max(v);
        assert_eq!(f.wmarks("test"), (m.into(), m.into()), "{v:?}");
        assert_eq!(f.cat("test", "memory.wmark_ratio"), "0");
        assert_eq!(f.cat("test", "memory.wmark_scale_factor"), "50");
    }
}

#[test]
fn tv04_ratio_without_limit() {
    for v in VERSIONS {
        let mut f = Fixture::new(v);
        f.mkdir("test");
        f.echo("test", "memory.wmark_ratio", "95").unwrap();
        assert_eq!(
            f.wmarks("test"),
            ("8762203435012030464".into(), "8716086574827757568".into()),
            "{v:?}"
        );
    }
}

#[test]
fn tv05_ratio_100_without_limit() {
    for v in VERSIONS {
        let mut f = Fixture::new(v);
        f.mkdir("test");
        f.echo("test", "memory.wmark_ratio", "100").unwrap();
        assert_eq!(
            f.wmarks("test"),
            (pcm_or_max(v).into(), "9177255176670498816".into()),
            "{v:?}"
        );
    }
}

#[test]
fn tv06_high_is_the_base() {
    for v in VERSIONS {
        let mut f = setup(v, "1G", "95");
        f.echo("test", "memory.high", "512M").unwrap();
        assert_eq!(
            f.wmarks("test"),
            ("510025728".into(), "507342848".into()),
            "{v:?}"
        );
    }
}

#[test]
fn tv07_koordinator_example() {
    for v in VERSIONS {
        let mut f = setup(v, "1G", "95");
        f.echo("test", "memory.high", "83886080").unwrap();
        assert_eq!(
            f.wmarks("test"),
            ("79691776".into(), "79273984".into()),
            "{v:?}"
        );
    }
}

#[test]
fn tv08_scale_factors() {
    for v in VERSIONS {
        for (sf, low) in [
            ("100", "1009315840"),
            ("1000", "912678912"),
            ("1", "1019944960"),
        ] {
            let mut f = setup(v, "1G", "95");
            f.echo("test", "memory.wmark_scale_factor", sf).unwrap();
            assert_eq!(
                f.wmarks("test"),
                ("1020051456".into(), low.into()),
                "{v:?} sf {sf}"
            );
        }
    }
}

#[test]
fn tv09_ratio_100() {
    for v in VERSIONS {
        let mut f = setup(v, "1G", "100");
        assert_eq!(f.wmarks("test"), ("1073741824".into(), "1068376064".into()));
    }
}

#[test]
fn tv10_wmark_low_wraps() {
    for v in VERSIONS {
        let mut f = setup(v, "1G", "1");
        f.echo("test", "memory.wmark_scale_factor", "101").unwrap();
        assert_eq!(
            f.wmarks("test"),
            ("10735616".into(), "18446744073709445120".into()),
            "{v:?}"
        );
    }
}

#[test]
fn tv11_gap_equals_high() {
    for v in VERSIONS {
        let mut f = setup(v, "1G", "1");
        f.echo("test", "memory.wmark_scale_factor", "100").unwrap();
        assert_eq!(f.wmarks("test"), ("10735616".into(), "0".into()));
    }
}

#[test]
fn tv12_inheritance_at_mkdir() {
    for v in VERSIONS {
        let mut f = Fixture::new(v);
        f.mkdir("P");
        f.echo("P", "memory.wmark_ratio", "95").unwrap();
        f.echo("P", "memory.wmark_scale_factor", "200").unwrap();
        if v == V2 {
            f.echo("P", "cgroup.subtree_control", "+memory").unwrap();
        }
        f.mkdir("P/C");
        assert_eq!(f.cat("P/C", "memory.wmark_ratio"), "95");
        assert_eq!(f.cat("P/C", "memory.wmark_scale_factor"), "200");
        assert_eq!(
            f.wmarks("P/C"),
            ("8762203435012030464".into(), "8577735994274938880".into()),
            "{v:?}"
        );
        // A snapshot: later parent changes do not propagate.
        f.echo("P", "memory.wmark_ratio", "50").unwrap();
        assert_eq!(f.cat("P/C", "memory.wmark_ratio"), "95");
    }
}

#[test]
fn tv12b_to_12d() {
    for v in VERSIONS {
        let mut f = setup(v, "1G", "50");
        f.echo("test", "memory.wmark_scale_factor", "1000").unwrap();
        assert_eq!(f.wmarks("test"), ("536870912".into(), "429498368".into()));

        let mut f = setup(v, "409600", "95");
        assert_eq!(f.wmarks("test"), ("389120".into(), "389120".into()));

        let mut f = setup(v, "0", "95");
        assert_eq!(f.wmarks("test"), ("0".into(), "0".into()));
    }
}

#[test]
fn tv12e_f_order_of_writes() {
    for v in VERSIONS {
        let mut f = Fixture::new(v);
        f.mkdir("test");
        f.echo("test", "memory.wmark_ratio", "95").unwrap();
        assert_eq!(
            f.wmarks("test"),
            ("8762203435012030464".into(), "8716086574827757568".into())
        );
        let lf = f.limit_file();
        f.echo("test", lf, "1G").unwrap();
        assert_eq!(f.wmarks("test"), ("1020051456".into(), "1014685696".into()));
        f.echo("test", "memory.high", "512M").unwrap();
        assert_eq!(f.wmarks("test"), ("510025728".into(), "507342848".into()));
        f.echo("test", "memory.high", "max").unwrap();
        assert_eq!(f.wmarks("test"), ("1020051456".into(), "1014685696".into()));
    }
}

/// Write raw bytes to wmark_ratio through the API and read it back.
fn ratio_write(f: &mut Fixture, value: &str) -> Result<String, Errno> {
    f.write("test", "memory.wmark_ratio", value)?;
    Ok(f.cat("test", "memory.wmark_ratio"))
}

#[test]
fn tv14a_accepted_forms() {
    for v in VERSIONS {
        for input in ["95", "95\n", " 95 ", "+95", "0x5f", "0137"] {
            let mut f = Fixture::new(v);
            f.mkdir("test");
            assert_eq!(ratio_write(&mut f, input), Ok("95".into()), "{input:?}");
        }
    }
}

#[test]
fn tv14b_to_e_rejected_and_quirk() {
    for v in VERSIONS {
        let mut f = Fixture::new(v);
        f.mkdir("test");
        f.echo("test", "memory.wmark_ratio", "50").unwrap();
        let before = f.wmarks("test");
        assert_eq!(ratio_write(&mut f, "101"), Err(Errno::EINVAL));
        for bad in ["-1", "", "abc", "9 5", "95%", "08"] {
            assert_eq!(ratio_write(&mut f, bad), Err(Errno::EINVAL), "{bad:?}");
        }
        assert_eq!(ratio_write(&mut f, "4294967296"), Err(Errno::ERANGE));
        assert_eq!(f.cat("test", "memory.wmark_ratio"), "50", "unchanged");
        assert_eq!(f.wmarks("test"), before, "unchanged");
        // TV-14e: 2^32 − 1 passes the signed check and reads back as -1.
        assert_eq!(ratio_write(&mut f, "4294967295"), Ok("-1".into()));
        // Through the shell, bash prints the kernel's error.
        let out = f
            .sim
            .exec(&format!("echo 101 > {}", f.path("test/memory.wmark_ratio")));
        assert_eq!(out.stderr, "bash: echo: write error: Invalid argument\n");
        assert_eq!(out.status, 1);
    }
}

#[test]
fn tv14f_ratio_zero_disables() {
    for v in VERSIONS {
        let mut f = setup(v, "1G", "95");
        f.echo("test", "memory.wmark_ratio", "0").unwrap();
        let m = pcm_or_max(v);
        assert_eq!(f.wmarks("test"), (m.into(), m.into()));
    }
}

#[test]
fn tv14g_h_scale_factor_range() {
    for v in VERSIONS {
        let mut f = Fixture::new(v);
        f.mkdir("test");
        for bad in ["0", "1001", "-5", "2147483648"] {
            assert_eq!(
                f.write("test", "memory.wmark_scale_factor", bad),
                Err(Errno::EINVAL),
                "{bad}"
            );
        }
        assert_eq!(
            f.write("test", "memory.wmark_scale_factor", "4294967296"),
            Err(Errno::ERANGE)
        );
        assert_eq!(f.cat("test", "memory.wmark_scale_factor"), "50");
        for ok in ["1", "1000"] {
            f.echo("test", "memory.wmark_scale_factor", ok).unwrap();
            assert_eq!(f.cat("test", "memory.wmark_scale_factor"), ok);
        }
    }
}

#[test]
fn tv14i_no_wmark_files_in_root() {
    for v in VERSIONS {
        let mut f = Fixture::new(v);
        for file in [
            "memory.wmark_ratio",
            "memory.wmark_high",
            "memory.wmark_low",
            "memory.wmark_scale_factor",
        ] {
            let path = f.path(file);
            let out = f.sim.exec(&format!("cat {path}"));
            assert_eq!(
                out.stderr,
                format!("cat: {path}: No such file or directory\n")
            );
            assert_eq!(f.sim.write(&path, "1"), Err(Errno::ENOENT));
            assert_eq!(f.sim.read(&path), Err(Errno::ENOENT));
            let ls = f.sim.exec(&format!("ls {}", f.path("")));
            assert!(!ls.stdout.contains("wmark"), "{v:?}: {}", ls.stdout);
        }
    }
}

#[test]
fn tv14j_read_only_wmark_files() {
    for v in VERSIONS {
        let mut f = setup(v, "1G", "95");
        for file in ["memory.wmark_high", "memory.wmark_low"] {
            let path = f.path(&format!("test/{file}"));
            assert_eq!(f.sim.write(&path, "1"), Err(Errno::EINVAL), "root");
            let out = f.sim.exec(&format!("echo 1 > {path}"));
            assert_eq!(out.stderr, "bash: echo: write error: Invalid argument\n");
            let out = f.sim.exec(&format!("su nobody -c 'echo 1 > {path}'"));
            assert_eq!(out.stderr, format!("bash: {path}: Permission denied\n"));
            // Reading is allowed to everybody (mode 0444).
            let out = f.sim.exec(&format!("su nobody -c 'cat {path}'"));
            assert!(out.ok(), "{}", out.stderr);
        }
        assert_eq!(f.wmarks("test"), ("1020051456".into(), "1014685696".into()));
    }
}

/// TV-13: limit-file parsing, v1 (`"-1"`) and v2 (`"max"`).
#[test]
fn tv13_limit_parsing() {
    let cases: &[(&str, &str, &str)] = &[
        ("1G", "1073741824", "1073741824"),
        ("1g", "1073741824", "1073741824"),
        ("1024M", "1073741824", "1073741824"),
        ("1048576K", "1073741824", "1073741824"),
        ("0x40000000", "1073741824", "1073741824"),
        ("1T", "1099511627776", "1099511627776"),
        ("4097", "4096", "4096"),
        ("4095", "0", "0"),
        ("1K", "0", "0"),
        ("010", "0", "0"),
        ("0", "0", "0"),
        ("", "0", "0"),
        ("  1G \n", "1073741824", "1073741824"),
        ("max", "EINVAL", "max"),
        ("-1", PCM_BYTES, "EINVAL"),
        ("8E", PCM_BYTES, "max"),
        ("9223372036854775807", PCM_BYTES, "max"),
        ("18446744073709551615", PCM_BYTES, "max"),
        ("16E", "0", "0"),
        ("18446744073709551616", "0", "0"),
        ("1GB", "EINVAL", "EINVAL"),
        ("1.5G", "EINVAL", "EINVAL"),
        ("1 G", "EINVAL", "EINVAL"),
        ("08", "EINVAL", "EINVAL"),
        ("0x", "EINVAL", "EINVAL"),
    ];
    for &(input, v1, v2) in cases {
        for (v, expected) in [(V1, v1), (V2, v2)] {
            let mut f = Fixture::new(v);
            f.mkdir("test");
            let lf = f.limit_file();
            f.echo("test", lf, "123M").unwrap();
            let r = f.write("test", lf, input);
            let got = match r {
                Ok(()) => f.cat("test", lf),
                Err(e) => {
                    assert_eq!(f.cat("test", lf), "128974848", "unchanged on error");
                    e.name().to_string()
                }
            };
            assert_eq!(got, expected, "{v:?} {input:?}");
        }
    }
}

#[test]
fn tv13_root_limit_is_einval() {
    let mut f = Fixture::new(V1);
    assert_eq!(
        f.write("", "memory.limit_in_bytes", "1G"),
        Err(Errno::EINVAL)
    );
    let mut f = Fixture::new(V2);
    // v2 has no memory.max in the root at all.
    assert_eq!(f.write("", "memory.max", "1G"), Err(Errno::ENOENT));
}
