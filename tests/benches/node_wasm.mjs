// The node benchmark in wasm under Node.js, without wasm-bindgen: the bare
// exports of tests/examples/node_wasm.rs, built with the wasm builds'
// size-tuned release profile:
//   cargo build --profile release --target wasm32-unknown-unknown -p memcg-tests --example node_wasm
//   node tests/benches/node_wasm.mjs [SECS]
// Prints simulated seconds per wall second and the trace hash (the native
// bench prints the same hash for the same run).
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';

const target = process.env.CARGO_TARGET_DIR ?? new URL('../../target', import.meta.url).pathname;
const file = `${target}/wasm32-unknown-unknown/release/examples/node_wasm.wasm`;
const secs = Number(process.argv[2] ?? 60);
const { instance } = await WebAssembly.instantiate(await readFile(file), {});
const x = instance.exports;
const t0 = performance.now();
const cgroups = x.node_build(1000, 3000);
const built = (performance.now() - t0) / 1000;
const t1 = performance.now();
const events = x.node_run(secs);
const wall = (performance.now() - t1) / 1000;
const hash = (x.node_hash_hi() >>> 0).toString(16).padStart(8, '0') + (x.node_hash_lo() >>> 0).toString(16).padStart(8, '0');
console.log(`node (wasm, Node ${process.version}): ${cgroups} cgroups, 3000 tasks; built in ${built.toFixed(2)} s`);
console.log(`node (wasm): ${secs} s virtual in ${wall.toFixed(2)} s wall = ${(secs / wall).toFixed(2)} simulated s per wall s; ${events} events, ${(wall * 1e9 / events).toFixed(0)} ns each; trace hash 0x${hash}`);
