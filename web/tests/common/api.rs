// Shared by api_node.rs and api_browser.rs: the JS API's behaviour.

use memcg_web::api::JsSimulator;
use wasm_bindgen::{JsCast, JsValue};

fn get(v: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(v, &JsValue::from_str(key)).expect("property")
}

pub fn seed_example_through_exec() {
    let mut sim = JsSimulator::new(JsValue::from_str("v1")).unwrap();
    let mut out = String::new();
    for line in [
        "mkdir /sys/fs/cgroup/memory/test/",
        "echo 1G > /sys/fs/cgroup/memory/test/memory.limit_in_bytes",
        "echo 95 > /sys/fs/cgroup/memory/test/memory.wmark_ratio",
        "cat /sys/fs/cgroup/memory/test/memory.wmark_scale_factor",
        "cat /sys/fs/cgroup/memory/test/memory.wmark_high",
        "cat /sys/fs/cgroup/memory/test/memory.wmark_low",
    ] {
        let r = sim.exec(line).unwrap();
        assert_eq!(get(&r, "status").as_f64(), Some(0.0), "{line}");
        out.push_str(&get(&r, "stdout").as_string().unwrap());
    }
    assert_eq!(out, "50\n1020051456\n1014685696\n");
}

pub fn invalid_write_throws_einval() {
    let mut sim = JsSimulator::new(JsValue::UNDEFINED).unwrap();
    sim.exec("mkdir /sys/fs/cgroup/memory/t").unwrap();
    let err = sim
        .write("/sys/fs/cgroup/memory/t/memory.wmark_ratio", "101")
        .unwrap_err();
    assert!(err.is_instance_of::<js_sys::Error>(), "a real Error");
    assert_eq!(get(&err, "errno").as_string().as_deref(), Some("EINVAL"));
    assert_eq!(get(&err, "code").as_f64(), Some(22.0));
    let msg = get(&err, "message").as_string().unwrap();
    assert!(
        msg.ends_with("memory.wmark_ratio: Invalid argument"),
        "{msg}"
    );
    // Nothing changed; reads of a missing file throw ENOENT.
    assert_eq!(
        sim.read("/sys/fs/cgroup/memory/t/memory.wmark_ratio")
            .unwrap(),
        "0\n"
    );
    let err = sim
        .read("/sys/fs/cgroup/memory/memory.wmark_high")
        .unwrap_err();
    assert_eq!(get(&err, "errno").as_string().as_deref(), Some("ENOENT"));
    let err = JsSimulator::new(JsValue::from_str("v9")).err().unwrap();
    assert_eq!(get(&err, "errno").as_string().as_deref(), Some("EINVAL"));
    assert!(sim.run_until(f64::NAN).is_err());
    assert!(sim.run_until(-1.0).is_err());
}

/// The documented shape of `snapshot()` (README, TypeScript `Snapshot`).
pub fn snapshot_shape() {
    let mut sim = JsSimulator::new(JsValue::from_str("v2")).unwrap();
    for l in [
        "mkdir /sys/fs/cgroup/svc",
        "echo 256M > /sys/fs/cgroup/svc/memory.max",
        "echo 95 > /sys/fs/cgroup/svc/memory.wmark_ratio",
        "spawn /sys/fs/cgroup/svc anon 300M --ws 32M --rate 200M/s",
    ] {
        sim.exec(l).unwrap();
    }
    sim.run_until(2e9).unwrap();
    assert_eq!(sim.now(), 2e9);
    let snap = sim.snapshot().unwrap();
    let keys = |v: &JsValue| -> Vec<String> {
        js_sys::Object::keys(&js_sys::Object::from(v.clone()))
            .iter()
            .map(|k| k.as_string().unwrap())
            .collect()
    };
    assert_eq!(
        keys(&snap),
        [
            "now",
            "version",
            "cgroups",
            "tasks",
            "trace_len",
            "trace_hash"
        ]
    );
    assert_eq!(get(&snap, "version").as_string().as_deref(), Some("V2"));
    let cgroups = js_sys::Array::from(&get(&snap, "cgroups"));
    assert_eq!(cgroups.length(), 2);
    let svc = cgroups.get(1);
    assert_eq!(
        keys(&svc),
        [
            "path",
            "name",
            "depth",
            "has_memory",
            "usage",
            "anon",
            "file",
            "max",
            "high",
            "wmark_high",
            "wmark_low",
            "wmark_ratio",
            "low",
            "work",
            "events",
            "worker_ns",
            "stall_ns",
            "refaults",
            "pgscan_direct",
            "pgscan_kswapd"
        ]
    );
    assert_eq!(
        get(&svc, "path").as_string().as_deref(),
        Some("/sys/fs/cgroup/svc")
    );
    assert_eq!(get(&svc, "max").as_f64(), Some(268435456.0));
    assert!(get(&svc, "high").is_null(), "max is null");
    assert!(get(&svc, "worker_ns").as_f64().unwrap() > 0.0);
    let tasks = js_sys::Array::from(&get(&snap, "tasks"));
    let t = tasks.get(0);
    assert_eq!(
        keys(&t),
        [
            "pid", "cgroup", "program", "state", "rss", "faults", "stall_ns", "p50_ns", "p99_ns",
            "max_ns"
        ]
    );
    assert_eq!(
        get(&snap, "trace_hash").as_string().unwrap(),
        sim.trace_hash()
    );
    assert_eq!(sim.trace_hash().len(), 16);
    assert!(sim.trace().contains("work_queued"));
}

pub fn link_reproduces_the_trace() {
    let mut sim = JsSimulator::new(JsValue::from_str("v2")).unwrap();
    for l in [
        "mkdir /sys/fs/cgroup/a",
        "echo 64M > /sys/fs/cgroup/a/memory.max",
        "echo 95 > /sys/fs/cgroup/a/memory.wmark_ratio",
        "spawn /sys/fs/cgroup/a burst 40M",
    ] {
        sim.exec(l).unwrap();
    }
    sim.run_until(1.5e9).unwrap();
    let frag = sim.to_fragment().unwrap();
    assert!(frag.starts_with("s=1."));
    let mut again = JsSimulator::new(JsValue::from_str(&format!("#{frag}"))).unwrap();
    assert_eq!(again.trace_hash(), sim.trace_hash());
    let mut from_obj = JsSimulator::new(sim.scenario().unwrap()).unwrap();
    assert_eq!(from_obj.trace_hash(), sim.trace_hash());
    sim.run_until(3e9).unwrap();
    again.run_until(3e9).unwrap();
    from_obj.run_until(3e9).unwrap();
    assert_eq!(again.trace_hash(), sim.trace_hash());
    assert_eq!(from_obj.trace_hash(), sim.trace_hash());
    let err = JsSimulator::new(JsValue::from_str("#s=1.AAAA"))
        .err()
        .unwrap();
    assert_eq!(get(&err, "errno").as_string().as_deref(), Some("EINVAL"));
    // A preset by name.
    let preset = JsSimulator::new(JsValue::from_str("seed")).unwrap();
    assert_eq!(
        preset
            .read("/sys/fs/cgroup/memory/test/memory.wmark_high")
            .unwrap(),
        "1020051456\n"
    );
}
