//! The reducer's tests: the console, edits, tours, scrubbing.

use super::*;
use crate::scenarios::by_id;

fn run(state: Rc<State>, lines: &[&str]) -> Rc<State> {
    lines
        .iter()
        .fold(state, |s, l| s.reduce(Action::Exec(l.to_string())))
}

fn texts(state: &State, kind: LineKind) -> Vec<&str> {
    state
        .lines
        .iter()
        .filter(|l| l.kind == kind)
        .map(|l| l.text.as_str())
        .collect()
}

/// Plays frames of `dt` ms until virtual time `t`, clicking through tour
/// stops.
fn play_until(mut s: Rc<State>, t: u64, dt: f64) -> Rc<State> {
    s = s.reduce(Action::Play);
    let mut wall = 0.0;
    while s.now() < t {
        if !s.playing {
            s = s.reduce(Action::TourNext).reduce(Action::Play);
        }
        wall += dt;
        s = s.reduce(Action::Tick {
            dt_ms: dt,
            wall_ms: wall,
        });
    }
    s
}

#[test]
fn seed_commands_fill_the_console() {
    let state = run(
        Rc::new(State::new(Version::V1)),
        &[
            "mkdir /sys/fs/cgroup/memory/test/",
            "echo 1G > /sys/fs/cgroup/memory/test/memory.limit_in_bytes",
            "echo 95 > /sys/fs/cgroup/memory/test/memory.wmark_ratio",
            "cat /sys/fs/cgroup/memory/test/memory.wmark_scale_factor",
            "cat /sys/fs/cgroup/memory/test/memory.wmark_high",
            "cat /sys/fs/cgroup/memory/test/memory.wmark_low",
        ],
    );
    assert_eq!(
        texts(&state, LineKind::Stdout),
        ["50", "1020051456", "1014685696"]
    );
    assert!(texts(&state, LineKind::Stderr).is_empty());
    assert_eq!(
        texts(&state, LineKind::Input)[0],
        "root@memcg:/sys/fs/cgroup/memory# mkdir /sys/fs/cgroup/memory/test/"
    );
    assert_eq!(state.history.len(), 6);
}

#[test]
fn errors_go_to_stderr() {
    let state = run(
        Rc::new(State::new(Version::V1)),
        &[
            "mkdir /sys/fs/cgroup/memory/test",
            "echo 101 > /sys/fs/cgroup/memory/test/memory.wmark_ratio",
        ],
    );
    assert_eq!(
        texts(&state, LineKind::Stderr),
        ["bash: echo: write error: Invalid argument"]
    );
}

#[test]
fn history_skips_blanks_and_repeats() {
    let state = run(
        Rc::new(State::new(Version::V1)),
        &["pwd", "pwd", "  ", "ls"],
    );
    assert_eq!(*state.history, ["pwd", "ls"]);
    // A blank line still echoes the prompt, like a terminal.
    assert_eq!(texts(&state, LineKind::Input).len(), 4);
}

#[test]
fn clear_empties_the_console() {
    let state = run(Rc::new(State::new(Version::V1)), &["pwd", "clear"]);
    assert!(state.lines.is_empty());
    assert_eq!(*state.history, ["pwd", "clear"]);
}

#[test]
fn removing_the_selected_cgroup_selects_the_root() {
    let state = run(
        Rc::new(State::new(Version::V1)),
        &["mkdir /sys/fs/cgroup/memory/a"],
    );
    let state = state.reduce(Action::Select("/sys/fs/cgroup/memory/a".into()));
    assert_eq!(state.selected, "/sys/fs/cgroup/memory/a");
    let state = run(state, &["rmdir /sys/fs/cgroup/memory/a"]);
    assert_eq!(state.selected, "/sys/fs/cgroup/memory");
}

#[test]
fn reset_starts_a_fresh_simulator_and_keeps_history() {
    let state = run(
        Rc::new(State::new(Version::V1)),
        &[
            "mkdir /sys/fs/cgroup/memory/a",
            "cd /sys/fs/cgroup/memory/a",
        ],
    );
    let state = state.reduce(Action::Reset(Version::V2));
    assert_eq!(state.version(), Version::V2);
    assert_eq!(state.selected, "/sys/fs/cgroup");
    assert_eq!(state.prompt(), "root@memcg:/sys/fs/cgroup#");
    assert_eq!(state.history.len(), 2);
    assert!(state.lines.iter().any(|l| l.text.contains("reset")));
}

#[test]
fn invalid_inspector_write_changes_nothing() {
    let state = run(
        Rc::new(State::new(Version::V1)),
        &["mkdir /sys/fs/cgroup/memory/t"],
    )
    .reduce(Action::Select("/sys/fs/cgroup/memory/t".into()));
    let files = |s: &State| s.model.borrow().sim.list_files(&s.selected).unwrap();
    let before = files(&state);
    let state = state.reduce(Action::WriteFile {
        file: "memory.wmark_ratio".into(),
        value: "101".into(),
    });
    assert_eq!(
        state.write_error.as_ref().unwrap().message,
        "Invalid argument"
    );
    assert_eq!(files(&state), before);
    let state = state.reduce(Action::WriteFile {
        file: "memory.wmark_ratio".into(),
        value: "95".into(),
    });
    assert!(state.write_error.is_none());
    assert_eq!(
        state
            .model
            .borrow()
            .sim
            .read("/sys/fs/cgroup/memory/t/memory.wmark_ratio")
            .unwrap(),
        "95\n"
    );
}

#[test]
fn spawn_kill_and_respawn_from_the_workload_editor() {
    let state = run(
        Rc::new(State::new(Version::V2)),
        &["mkdir /sys/fs/cgroup/w"],
    )
    .reduce(Action::Select("/sys/fs/cgroup/w".into()));
    let state = state.reduce(Action::Spawn(Spec::default()));
    assert_eq!(state.snap.tasks.len(), 1);
    let pid = state.snap.tasks[0].pid;
    assert_eq!(state.specs.get(pid), Some(&Spec::default()));
    let spec = Spec {
        kind: "burst".into(),
        size: "64M".into(),
        ..Spec::default()
    };
    let state = state.reduce(Action::Respawn {
        pid,
        spec: spec.clone(),
    });
    let live: Vec<_> = state
        .snap
        .tasks
        .iter()
        .filter(|t| t.state != "killed")
        .collect();
    assert_eq!(live.len(), 1);
    assert_eq!(live[0].program, "burst");
    assert_eq!(state.specs.get(live[0].pid), Some(&spec));
    let pid = live[0].pid;
    let state = state.reduce(Action::Kill(pid));
    assert!(state.snap.tasks.iter().all(|t| t.state == "killed"));
}

#[test]
fn tour_two_stops_where_it_says() {
    let mut s = Rc::new(State::with_scenario(by_id("stalls").unwrap()));
    assert_eq!(s.tour.unwrap().step, 0);
    assert!(!s.playing);
    let node = |s: &State, name: &str| {
        s.snap
            .cgroups
            .iter()
            .find(|c| c.name == name)
            .unwrap()
            .clone()
    };
    s = s.reduce(Action::SetSpeed(10)).reduce(Action::TourNext);
    assert!(s.playing);
    let mut wall = 0.0;
    let mut stops = Vec::new();
    while s.now() < 10_000_000_000 && stops.len() < 4 {
        wall += 16.0;
        s = s.reduce(Action::Tick {
            dt_ms: 16.0,
            wall_ms: wall,
        });
        if !s.playing {
            let tour = s.tour.unwrap();
            stops.push((tour.step, s.now(), s.selected.clone()));
            match tour.step {
                1 => assert!(node(&s, "wmark95").work.starts_with("running")),
                2 => {
                    let c = node(&s, "wmark95");
                    assert!(c.usage < c.wmark_low.unwrap(), "{c:?}");
                }
                3 => assert!(node(&s, "ratio0").events[2] > 0),
                _ => {}
            }
            s = s.reduce(Action::TourNext);
        }
    }
    assert_eq!(stops.len(), 4, "{stops:?}");
    assert_eq!(stops[0].2, "/sys/fs/cgroup/wmark95");
    let s = play_until(s, 10_000_000_000, 16.0);
    let (r0, w95) = (node(&s, "ratio0"), node(&s, "wmark95"));
    assert!(r0.events[2] > 0 && r0.stall_ns > 0);
    assert_eq!(w95.events[2], 0);
    assert!(w95.worker_ns > 0);
    assert!(s.log.iter().any(|l| l.contains("work_chunk")));
}

#[test]
fn every_tour_reaches_its_stops_within_a_minute() {
    for (i, sc) in SCENARIOS.iter().enumerate() {
        if matches!(sc.id, "fleet" | "node") {
            continue;
        }
        let mut s = Rc::new(State::with_scenario(i)).reduce(Action::SetSpeed(20));
        let mut wall = 0.0;
        while s.tour.is_some() && s.now() < 60_000_000_000 {
            if !s.playing {
                s = s.reduce(Action::TourNext);
            }
            wall += 16.0;
            s = s.reduce(Action::Tick {
                dt_ms: 16.0,
                wall_ms: wall,
            });
        }
        assert!(s.tour.is_none(), "{}: stuck at {:?}", sc.id, s.tour);
    }
}

#[test]
fn scrubbing_matches_a_straight_run() {
    let i = by_id("stalls").unwrap();
    let s = Rc::new(State::with_scenario(i)).reduce(Action::TourClose);
    let s = play_until(s.reduce(Action::SetSpeed(10)), 6_000_000_000, 16.0);
    let s = s.reduce(Action::Pause);
    let end = s.now();
    let want = (*s.snap).clone();

    let mut straight = Simulator::new(SCENARIOS[i].version);
    for l in SCENARIOS[i].setup() {
        straight.exec(&l);
    }
    straight.run_until(end);
    assert_eq!(straight.snapshot(), want);

    let s = s.reduce(Action::Seek(2_500_000_000));
    assert_eq!(s.now(), 2_500_000_000);
    let mut mid = Simulator::new(SCENARIOS[i].version);
    for l in SCENARIOS[i].setup() {
        mid.exec(&l);
    }
    mid.run_until(2_500_000_000);
    assert_eq!(*s.snap, mid.snapshot());
    let s = s.reduce(Action::Seek(end));
    assert_eq!(*s.snap, want);
    // Reading after seeking back does not fork; writing does.
    let s = s.reduce(Action::Seek(1_000_000_000)).reduce(Action::Exec(
        "cat /sys/fs/cgroup/wmark95/memory.current".into(),
    ));
    assert_eq!(s.horizon(), end);
    let s = s.reduce(Action::Exec(
        "echo 90 > /sys/fs/cgroup/wmark95/memory.wmark_ratio".into(),
    ));
    assert_eq!(s.horizon(), 1_000_000_000);
}

#[test]
fn fleet_collapses_its_groups() {
    let s = State::with_scenario(by_id("fleet").unwrap());
    assert_eq!(s.snap.cgroups.len(), 201);
    assert_eq!(s.collapsed.len(), 10);
}

/// A clock that moves on 1 ms every time it is read.
fn ticking_clock() -> f64 {
    thread_local!(static NOW: std::cell::Cell<f64> = const { std::cell::Cell::new(0.0) });
    NOW.with(|n| {
        n.set(n.get() + 1.0);
        n.get()
    })
}

/// One 16 ms frame at the highest speed (16 s of virtual time asked for).
fn fast_frame(s: Rc<State>) -> Rc<State> {
    s.reduce(Action::TourClose)
        .reduce(Action::SetSpeed(SPEED_MAX))
        .reduce(Action::Play)
        .reduce(Action::Tick {
            dt_ms: 16.0,
            wall_ms: 16.0,
        })
}

#[test]
fn a_wall_clock_budget_cuts_frames_short_after_reset_and_reload() {
    let mut s = State::with_scenario(by_id("seed").unwrap());
    s.budget = Budget::wall(ticking_clock);
    let s = fast_frame(Rc::new(s));
    // The clock ran out after a few chunks of at most 1, 2, 4 ms.
    assert!(s.lagging);
    assert!(s.now() < 10_000_000, "{}", s.now());
    // The budget is the page's: a reset, a preset and a replay keep it.
    let s = fast_frame(
        s.reduce(Action::Pause)
            .reduce(Action::Reset(Version::V2))
            .reduce(Action::Exec("spawn /sys/fs/cgroup steady 1G".into())),
    );
    assert!(s.lagging && s.now() < 10_000_000, "{}", s.now());
    let s = fast_frame(s.reduce(Action::LoadScenario(by_id("stalls").unwrap())));
    assert!(s.lagging && s.now() < 10_000_000, "{}", s.now());
    let sc = s.model.borrow().sim.scenario().unwrap();
    let s = s.reduce(Action::Pause).reduce(Action::Open(Ok(sc), "link"));
    let s = s.reduce(Action::Tick {
        dt_ms: 16.0,
        wall_ms: 32.0,
    });
    assert!(s.replayed && s.loading.is_none());
    let s = fast_frame(s);
    assert!(s.lagging && s.now() < 20_000_000, "{}", s.now());
}

// The compare view (issue 14).

use crate::compare::Comparison;

fn stalls_compare() -> Rc<State> {
    let i = by_id("stalls").unwrap();
    Rc::new(State::with_scenario(i)).reduce(Action::OpenCompare(Ok(Comparison::default_for(i))))
}

fn cmp(s: &State) -> &Compare {
    s.compare.as_deref().expect("the compare view is open")
}

/// Plays the shared clock in frames of `dt` ms until virtual time `t`.
fn play_compare_until(mut s: Rc<State>, t: u64, dt: f64) -> Rc<State> {
    s = s.reduce(Action::Play);
    let mut wall = 0.0;
    while cmp(&s).now < t {
        wall += dt;
        s = s.reduce(Action::Tick {
            dt_ms: dt,
            wall_ms: wall,
        });
    }
    s.reduce(Action::Pause)
}

fn column(s: &State, run: usize, name: &str) -> u64 {
    cmp(s).runs[run].metrics.column(name).unwrap().0
}

#[test]
fn stalls_compares_ratio_0_and_95_at_time_0() {
    let s = stalls_compare();
    let c = cmp(&s);
    let labels: Vec<String> = c.def.runs.iter().map(|r| r.text()).collect();
    assert_eq!(labels, ["ratio=0", "ratio=95"]);
    assert_eq!(c.now, 0);
    assert_eq!(s.tour, None);
    for (i, ratio) in ["0", "95"].iter().enumerate() {
        let mut sim = c.runs[i].model.borrow().sim.clone();
        assert_eq!(
            sim.exec("cat /sys/fs/cgroup/svc/memory.wmark_ratio")
                .stdout
                .trim(),
            *ratio
        );
    }
}

#[test]
fn the_shared_clock_moves_every_run_and_ratio_0_stalls() {
    let s = stalls_compare().reduce(Action::SetSpeed(10));
    let s = play_compare_until(s, 8_000_000_000, 16.0);
    let c = cmp(&s);
    assert!(!s.playing);
    for r in &c.runs {
        assert_eq!(
            r.model.borrow().now(),
            c.now,
            "a pause leaves every run at one instant"
        );
        assert_eq!(r.metrics.runtime_ns, c.now);
    }
    assert!(column(&s, 0, "max_events") > 0, "ratio 0 hit memory.max");
    assert!(column(&s, 0, "direct_reclaim_ms") > column(&s, 1, "direct_reclaim_ms"));
    assert!(column(&s, 0, "p99_stall_us") > column(&s, 1, "p99_stall_us"));
    assert!(column(&s, 1, "worker_cpu_ms") > 0, "ratio 95's worker paid");
    assert_eq!(column(&s, 0, "worker_cpu_ms"), 0);
}

#[test]
fn seeking_moves_every_run_to_the_same_instant_exactly() {
    let s = play_compare_until(
        stalls_compare().reduce(Action::SetSpeed(10)),
        6_000_000_000,
        16.0,
    );
    let s = s.reduce(Action::Seek(5_000_000_000));
    let c = cmp(&s);
    assert_eq!(c.now, 5_000_000_000);
    // The seek replays: the same metrics as a fresh comparison run to 5 s.
    let mut fresh = Compare::new(c.def.clone()).unwrap();
    fresh.advance(5_000_000_000, Budget::EVENTS.with_ms(f64::MAX));
    fresh.sync();
    for (a, b) in c.runs.iter().zip(&fresh.runs) {
        assert_eq!(a.model.borrow().now(), 5_000_000_000);
        assert_eq!(*a.metrics, *b.metrics);
    }
    let s = s.reduce(Action::SeekBy(-1_000_000_000));
    assert!(cmp(&s)
        .runs
        .iter()
        .all(|r| r.model.borrow().now() == 4_000_000_000));
    let s = s.reduce(Action::Restart);
    assert_eq!(cmp(&s).now, 0);
}

#[test]
fn the_link_round_trips_and_bad_links_say_why() {
    let s = stalls_compare();
    let frag = cmp(&s).def.fragment();
    assert_eq!(frag, "cmp=stalls;ratio=0;ratio=95");
    assert_eq!(Comparison::parse(&frag).as_ref(), Ok(&cmp(&s).def));
    let s = s.reduce(Action::EditRun {
        index: 2,
        text: Some("ratio=50,kernel=alinux-4.19".into()),
    });
    let def = &cmp(&s).def;
    assert_eq!(def.runs.len(), 3);
    assert_eq!(
        def.fragment(),
        "cmp=stalls;ratio=0;ratio=95;ratio=50,kernel=alinux-4.19"
    );
    assert_eq!(Comparison::parse(&def.fragment()).as_ref(), Ok(def));
    // Reopening the link (the page's hashchange) restores it.
    let back = Rc::new(State::new(Version::V1)).reduce(Action::OpenCompare(Comparison::parse(
        &format!("#{}", def.fragment()),
    )));
    assert_eq!(&cmp(&back).def, def);
    for bad in [
        "cmp=stalls;ratio=0",
        "cmp=stalls;a=1;a=2;a=3;a=4;a=5",
        "cmp=nope;a=1;a=2",
        "cmp=stalls;1x=0;ratio=95",
        "cmp=stalls;ratio=0;kernel=win95",
        "cmp=stalls;ratio=0;ratio=9 5",
        "s=1.abc",
    ] {
        assert!(Comparison::parse(bad).is_err(), "{bad}");
    }
    let s = Rc::new(State::new(Version::V1))
        .reduce(Action::OpenCompare(Comparison::parse("cmp=stalls;ratio=0")));
    assert!(s.compare.is_none());
    assert!(s.notice.is_some());
    // A kernel without memory.wmark_ratio cannot run the stalls setup: the
    // run's error says which line.
    let s = Rc::new(State::new(Version::V1)).reduce(Action::OpenCompare(Comparison::parse(
        "cmp=stalls;ratio=0;ratio=95,kernel=linux-6.6",
    )));
    assert!(s.compare.is_none());
    let msg = format!("{:?}", s.notice);
    assert!(
        msg.contains("run 2 (ratio=95,kernel=linux-6.6): echo $ratio"),
        "{msg}"
    );
}

#[test]
fn runs_are_edited_added_and_removed() {
    let s = stalls_compare().reduce(Action::EditRun {
        index: 0,
        text: Some("ratio=80".into()),
    });
    assert_eq!(cmp(&s).def.runs[0].text(), "ratio=80");
    let mut sim = cmp(&s).runs[0].model.borrow().sim.clone();
    assert_eq!(
        sim.exec("cat /sys/fs/cgroup/svc/memory.wmark_ratio")
            .stdout
            .trim(),
        "80"
    );
    // Two runs at least: removing one of two does nothing.
    let s = s.reduce(Action::EditRun {
        index: 0,
        text: None,
    });
    assert_eq!(cmp(&s).def.runs.len(), 2);
    let s = (0..5).fold(s, |s, _| {
        let n = cmp(&s).def.runs.len();
        s.reduce(Action::EditRun {
            index: n,
            text: Some("ratio=50".into()),
        })
    });
    assert_eq!(cmp(&s).def.runs.len(), crate::compare::MAX_RUNS);
    let s = s.reduce(Action::EditRun {
        index: 1,
        text: None,
    });
    assert_eq!(cmp(&s).def.runs.len(), 3);
    assert_eq!(cmp(&s).runs.len(), 3);
    // A bad setting: a notice, the comparison stays.
    let before = cmp(&s).def.clone();
    let s = s.reduce(Action::EditRun {
        index: 0,
        text: Some("ratio".into()),
    });
    assert_eq!(cmp(&s).def, before);
    assert!(s.notice.is_some());
    // A setting the file refuses: the run's error, the comparison stays.
    let s = s.reduce(Action::EditRun {
        index: 0,
        text: Some("ratio=101".into()),
    });
    assert_eq!(cmp(&s).def, before);
    let msg = format!("{:?}", s.notice);
    assert!(msg.contains("run 1 (ratio=101)"), "{msg}");
}

#[test]
fn the_single_machine_waits_while_comparing() {
    let s = stalls_compare();
    let rev = s.snap.trace_len;
    let s = s.reduce(Action::Exec("mkdir /sys/fs/cgroup/x".into()));
    assert_eq!(s.snap.trace_len, rev);
    assert!(!s.history.contains(&"mkdir /sys/fs/cgroup/x".to_string()));
    let s = s.reduce(Action::CloseCompare);
    assert!(s.compare.is_none());
    assert!(s.snap.cgroups.iter().any(|c| c.path.ends_with("/wmark95")));
    // A link pasted while comparing opens it on one machine.
    let s = stalls_compare().reduce(Action::Open(
        Ok(memcg::scenario::Scenario::from_script(
            Version::V2,
            &["mkdir /sys/fs/cgroup/pasted"],
        )),
        "link",
    ));
    assert!(s.compare.is_none());
    assert!(s.loading.is_some());
    let s = stalls_compare().reduce(Action::LoadScenario(0));
    assert!(s.compare.is_none());
    assert_eq!(s.scenario, Some(0));
}

#[test]
fn table_cells_print_as_the_cli() {
    use crate::components::compare::{marks, payers};
    let s = play_compare_until(
        stalls_compare().reduce(Action::SetSpeed(10)),
        8_000_000_000,
        16.0,
    );
    let c = cmp(&s);
    let m = &c.runs[0].metrics;
    assert_eq!(
        m.shown("direct_reclaim_ms").unwrap(),
        memcg::metrics::fmt_fixed(m.machine.direct_reclaim_ns, 6, 3)
    );
    assert!(payers(m).starts_with("tasks 100%"), "{}", payers(m));
    assert!(
        payers(&c.runs[1].metrics).starts_with("worker"),
        "{}",
        payers(&c.runs[1].metrics)
    );
    assert_eq!(marks(&[3, 1, 2], Some(true)), ["worst", "best", ""]);
    assert_eq!(marks(&[3, 1], Some(false)), ["best", "worst"]);
    assert_eq!(marks(&[2, 2], Some(true)), ["", ""]);
    assert_eq!(marks(&[1, 2], None), ["", ""]);
}

#[test]
fn a_run_can_change_a_file_of_any_preset() {
    let i = by_id("parent").unwrap();
    let def = Comparison::parse("cmp=parent;;/parent/memory.wmark_ratio=0").unwrap();
    assert_eq!(def.runs[0], crate::compare::Run::default());
    assert_eq!(def.runs[1].text(), "/parent/memory.wmark_ratio=0");
    assert_eq!(
        Comparison::parse(&def.fragment()).as_ref(),
        Ok(&def),
        "{}",
        def.fragment()
    );
    let s = Rc::new(State::with_scenario(i)).reduce(Action::OpenCompare(Ok(def)));
    let read = |run: usize| {
        let mut sim = cmp(&s).runs[run].model.borrow().sim.clone();
        sim.exec("cat /sys/fs/cgroup/parent/memory.wmark_ratio")
            .stdout
            .trim()
            .to_string()
    };
    assert_eq!(read(0), "95");
    assert_eq!(read(1), "0");
    for bad in [
        "cmp=parent;;/parent/../x=1",
        "cmp=parent;;/parent/memory.max=1 G",
        "cmp=parent;;/parent/memory max=1",
    ] {
        assert!(Comparison::parse(bad).is_err(), "{bad}");
    }
    // A file the kernel refuses: the run says so.
    let s = Rc::new(State::new(Version::V2)).reduce(Action::OpenCompare(Comparison::parse(
        "cmp=parent;;/parent/memory.wmark_ratio=101",
    )));
    assert!(s.compare.is_none());
    let msg = format!("{:?}", s.notice);
    assert!(
        msg.contains("echo 101 > /sys/fs/cgroup/parent/memory.wmark_ratio"),
        "{msg}"
    );
}

/// Issue 14's bug: after `sleep 10s` in the console the scrubber, −1 s and
/// |◀ did nothing (the sleep was one edit, and a seek cannot enter one).
#[test]
fn seeking_back_into_a_console_sleep() {
    let s = run(
        Rc::new(State::new(Version::V2)),
        &[
            "mkdir /sys/fs/cgroup/a",
            "spawn /sys/fs/cgroup/a anon 64M --rate 16M/s --hold",
            "sleep 10s",
        ],
    );
    assert_eq!(s.now(), 10_000_000_000);
    let usage_at = |s: &State| {
        s.snap
            .cgroups
            .iter()
            .find(|c| c.path.ends_with("/a"))
            .unwrap()
            .usage
    };
    let at_10 = usage_at(&s);
    let s = s.reduce(Action::Seek(2_000_000_000));
    assert_eq!(s.now(), 2_000_000_000);
    assert!(usage_at(&s) < at_10);
    let s = s.reduce(Action::SeekBy(-1_000_000_000));
    assert_eq!(s.now(), 1_000_000_000);
    let s = s.reduce(Action::Seek(0));
    assert_eq!(s.now(), 0);
    // And forward again to where the sleep ended: the same state.
    let s = s.reduce(Action::Seek(10_000_000_000));
    assert_eq!(s.now(), 10_000_000_000);
    assert_eq!(usage_at(&s), at_10);
}

/// Issue 14: "Finish ▶" ends the tour where it stands; it used to start
/// playing again.
#[test]
fn finishing_a_tour_does_not_start_playing() {
    let mut s =
        Rc::new(State::with_scenario(by_id("stalls").unwrap())).reduce(Action::SetSpeed(20));
    let mut wall = 0.0;
    // Click through to the last stop.
    loop {
        let tour = s.tour.expect("the tour ends only at Finish");
        if !tour.waiting && tour.step + 1 == tour.scenario().tour.len() {
            break;
        }
        if !s.playing {
            s = s.reduce(Action::TourNext);
        }
        wall += 16.0;
        s = s.reduce(Action::Tick {
            dt_ms: 16.0,
            wall_ms: wall,
        });
        assert!(s.now() < 60_000_000_000, "stuck at {:?}", s.tour);
    }
    assert!(!s.playing, "a stop pauses");
    let now = s.now();
    let s = s.reduce(Action::TourNext);
    assert_eq!(s.tour, None);
    assert!(!s.playing, "Finish started playing");
    let s = s.reduce(Action::Tick {
        dt_ms: 16.0,
        wall_ms: wall + 16.0,
    });
    assert_eq!(s.now(), now);
}

/// Issue 14: an edit after seeking back drops the future; the page says so
/// when it happens (a read-only line, which keeps the future, does not).
#[test]
fn an_edit_in_the_past_says_it_dropped_the_future() {
    let s = run(
        Rc::new(State::new(Version::V2)),
        &["mkdir /sys/fs/cgroup/a", "spawn a anon 8M", "sleep 2s"],
    );
    assert_eq!(s.horizon(), 2_000_000_000);
    let s = s.reduce(Action::Seek(1_000_000_000));
    let s = run(s, &["cat /sys/fs/cgroup/a/memory.current"]);
    assert_eq!(s.notice, None);
    assert_eq!(s.horizon(), 2_000_000_000);
    let s = run(s, &["mkdir /sys/fs/cgroup/b"]);
    let text = s.notice.as_ref().map(|n| n.text.as_str()).unwrap_or("");
    assert!(
        text.contains("after t = 1.000 s was discarded") && text.contains("2.000 s"),
        "{text:?}"
    );
    assert_eq!(s.horizon(), s.now());
    // An inspector write in the past says it too; one at the horizon does not.
    let s = s
        .reduce(Action::DismissNotice)
        .reduce(Action::Select("/sys/fs/cgroup/a".into()));
    let s = s.reduce(Action::WriteFile {
        file: "memory.high".into(),
        value: "4M".into(),
    });
    assert_eq!(s.notice, None);
    let s = run(s, &["sleep 1s"]).reduce(Action::Seek(1_500_000_000));
    let s = s.reduce(Action::WriteFile {
        file: "memory.high".into(),
        value: "6M".into(),
    });
    let text = s.notice.as_ref().map(|n| n.text.as_str()).unwrap_or("");
    assert!(text.contains("after t = 1.500 s was discarded"), "{text:?}");
}

/// Issue 14: the version selector used to discard the machine without
/// asking. A machine with edits asks; Cancel keeps it; an empty one (or a
/// preset just loaded) switches at once.
#[test]
fn switching_the_version_asks_before_discarding_edits() {
    let s = Rc::new(State::new(Version::V1)).reduce(Action::AskVersion(Some(Version::V2)));
    assert_eq!((s.version(), s.confirm_version), (Version::V2, None));
    let s = Rc::new(State::with_scenario(by_id("stalls").unwrap()));
    let v = s.version();
    let other = if v == Version::V1 {
        Version::V2
    } else {
        Version::V1
    };
    assert_eq!(s.reduce(Action::AskVersion(Some(other))).version(), other);

    let s = run(
        Rc::new(State::new(Version::V2)),
        &["mkdir /sys/fs/cgroup/a"],
    );
    let s = s.reduce(Action::AskVersion(Some(Version::V1)));
    assert_eq!(s.version(), Version::V2, "switched without asking");
    assert_eq!(s.confirm_version, Some(Version::V1));
    let kept = s.clone().reduce(Action::AskVersion(None));
    assert_eq!(kept.confirm_version, None);
    assert!(kept
        .snap
        .cgroups
        .iter()
        .any(|c| c.path == "/sys/fs/cgroup/a"));
    // Time run counts too.
    let ran = run(Rc::new(State::new(Version::V2)), &["sleep 1s"]);
    let ran = ran.reduce(Action::AskVersion(Some(Version::V1)));
    assert_eq!(ran.confirm_version, Some(Version::V1));
    // "Switch and discard".
    let s = s.reduce(Action::Reset(Version::V1));
    assert_eq!((s.version(), s.confirm_version), (Version::V1, None));
}

/// Issue 14: the writes at t = 0 and an OOM kill were gone from the event
/// log's filters once per-page lines filled it ("(no events yet)"). The
/// rare lines stay, past the log's window and past the core's ring, and
/// across seeks; an edit in the past drops those of the dropped future.
#[test]
fn the_log_filters_find_writes_and_oom_kills_after_many_lines() {
    use crate::components::event_log::{shows, KINDS};
    let kind = |label: &str| KINDS.iter().find(|k| k.0 == label).unwrap().1;
    let found = |s: &State, label: &str| -> Vec<String> {
        log_lines(&s.log, &s.rare)
            .filter(|l| shows(l, kind(label), None, ""))
            .map(|l| l.to_string())
            .collect()
    };
    let s = run(
        Rc::new(State::new(Version::V2)),
        &[
            "mkdir /sys/fs/cgroup/a /sys/fs/cgroup/b",
            "echo 16M > /sys/fs/cgroup/a/memory.max",
            "echo 95 > /sys/fs/cgroup/a/memory.wmark_ratio",
            "echo 4M > /sys/fs/cgroup/b/memory.max",
            "echo 0 > /sys/fs/cgroup/b/memory.swap.max",
            "spawn b anon 8M",
            "spawn a anon 3G --ws 8M --rate 200M/s",
        ],
    );
    let s = play_until(s, 20_000_000_000, 16.0);
    let len = s.model.borrow().sim.trace_len();
    assert!(len > memcg::trace::TRACE_KEEP as u64, "only {len} lines");
    let writes = found(&s, "writes");
    assert_eq!(writes.len(), 4, "{writes:?}");
    assert!(writes[0].starts_with("     0.000000000"), "{writes:?}");
    assert!(!found(&s, "OOM and force").is_empty());
    // The log's own window holds none of them.
    assert!(!s.log.iter().any(|l| l.contains(" write ")));
    // A seek keeps them; an edit in the past drops the rare lines after it.
    let s = s.reduce(Action::Seek(15_000_000_000));
    assert_eq!(found(&s, "writes").len(), 4);
    let s = run(s, &["echo 20M > /sys/fs/cgroup/a/memory.max"]);
    let writes = found(&s, "writes");
    assert_eq!(writes.len(), 5, "{writes:?}");
    let later = s
        .rare
        .iter()
        .filter_map(|l| memcg::trace::parse_line(l))
        .filter(|l| l.time > 15_000_000_000)
        .count();
    assert_eq!(later, 0);
}

/// The node preset: while playing, a frame rebuilds the 1,000-cgroup
/// snapshot only every `BIG_TREE_REFRESH_MS` of wall time (it cost more
/// than the frame budget), and a pause brings it up to date.
#[test]
fn a_big_tree_redraws_ten_times_a_second_and_on_pause() {
    use super::play::{BIG_TREE, BIG_TREE_REFRESH_MS};
    let mut s = Rc::new(State::with_scenario(by_id("node").unwrap()));
    let mut wall = 0.0;
    while s.loading.is_some() {
        wall += 16.0;
        s = s.reduce(Action::Tick {
            dt_ms: 16.0,
            wall_ms: wall,
        });
    }
    assert!(s.snap.cgroups.len() > BIG_TREE);
    let model_now = |s: &State| s.model.borrow().now();
    let mut s = s.reduce(Action::TourClose).reduce(Action::Play);
    wall += BIG_TREE_REFRESH_MS;
    s = s.reduce(Action::Tick {
        dt_ms: 16.0,
        wall_ms: wall,
    });
    assert_eq!(s.now(), model_now(&s), "a due frame rebuilds it");
    assert!(!s.snap_stale);
    wall += 16.0;
    s = s.reduce(Action::Tick {
        dt_ms: 16.0,
        wall_ms: wall,
    });
    assert!(
        s.snap_stale && s.now() < model_now(&s),
        "the next frame does not"
    );
    wall += BIG_TREE_REFRESH_MS;
    s = s.reduce(Action::Tick {
        dt_ms: 16.0,
        wall_ms: wall,
    });
    assert_eq!(s.now(), model_now(&s));
    wall += 16.0;
    s = s.reduce(Action::Tick {
        dt_ms: 16.0,
        wall_ms: wall,
    });
    assert!(s.snap_stale);
    let s = s.reduce(Action::Pause);
    assert!(!s.snap_stale);
    assert_eq!(
        s.now(),
        model_now(&s),
        "a pause shows where the simulation is"
    );
}
