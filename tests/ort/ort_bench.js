#!/usr/bin/env node
// ort_bench.js — measures ONNX Runtime (CPU EP) latency on seeded random inputs,
// the baseline that `kiln bench` is compared with.
//
//   node tests/ort/ort_bench.js MODEL.onnx [--shape NAME=1x3x640x640]... [--threads N]
//                               [--warmup N] [--iters N] [--json]
//
// A --shape is needed for every input whose dims are not all static in the model.
'use strict';

const path = require('path');
const { loadOrt, createSession, parseCount } = require('./ort_session');

const USAGE =
  'usage: ort_bench.js MODEL.onnx [--shape NAME=D0xD1x...]... [--threads N] [--warmup N] [--iters N] [--json]';

class UsageError extends Error {}

function parseShape(spec) {
  const eq = spec.lastIndexOf('=');
  if (eq <= 0) throw new UsageError(`shape '${spec}' is not NAME=D0xD1x...`);
  const text = spec.slice(eq + 1);
  const dims = text === '' ? [] : text.split('x').map((d) => {
    if (!/^\d+$/.test(d)) throw new UsageError(`shape '${spec}': '${d}' is not a dimension`);
    return Number(d);
  });
  return { name: spec.slice(0, eq), dims };
}

function parseArgs(argv) {
  const args = { model: null, shapes: {}, threads: 1, warmup: 3, iters: 20, json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new UsageError(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--shape') {
      const { name, dims } = parseShape(value());
      args.shapes[name] = dims;
    } else if (a === '--threads') {
      args.threads = parseCount('--threads', value(), 1);
    } else if (a === '--warmup') {
      args.warmup = parseCount('--warmup', value(), 0);
    } else if (a === '--iters') {
      args.iters = parseCount('--iters', value(), 1);
    } else if (a === '--json') {
      args.json = true;
    } else if (a === '-h' || a === '--help') {
      console.log(USAGE);
      process.exit(0);
    } else if (a.startsWith('-')) {
      throw new UsageError(`unknown option ${a}`);
    } else if (args.model === null) {
      args.model = a;
    } else {
      throw new UsageError(`unexpected argument ${a}`);
    }
  }
  if (args.model === null) throw new UsageError('no model given');
  return args;
}

// mulberry32: a tiny seeded generator, so every run feeds the same inputs.
function makeRandom(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Floats uniform in [-1, 1); integers in [0, 4) so index-like inputs stay in range.
function randomTensor(ort, type, dims, random) {
  const count = dims.reduce((a, b) => a * b, 1);
  switch (type) {
    case 'float32':
    case 'float64': {
      const data = type === 'float32' ? new Float32Array(count) : new Float64Array(count);
      for (let i = 0; i < count; i++) data[i] = random() * 2 - 1;
      return new ort.Tensor(type, data, dims);
    }
    case 'int64': {
      const data = new BigInt64Array(count);
      for (let i = 0; i < count; i++) data[i] = BigInt(Math.floor(random() * 4));
      return new ort.Tensor(type, data, dims);
    }
    case 'int32':
    case 'int8':
    case 'uint8': {
      const Array_ = { int32: Int32Array, int8: Int8Array, uint8: Uint8Array }[type];
      const data = new Array_(count);
      for (let i = 0; i < count; i++) data[i] = Math.floor(random() * 4);
      return new ort.Tensor(type, data, dims);
    }
    case 'bool': {
      const data = new Uint8Array(count);
      for (let i = 0; i < count; i++) data[i] = random() < 0.5 ? 1 : 0;
      return new ort.Tensor(type, data, dims);
    }
    default:
      throw new Error(`cannot generate random inputs of type ${type}`);
  }
}

function inputDims(meta, shapes) {
  if (meta.name in shapes) {
    const dims = shapes[meta.name];
    if (meta.shape.length !== 0 && dims.length !== meta.shape.length) {
      throw new Error(`--shape ${meta.name}: rank ${dims.length}, the model says ${meta.shape.length}`);
    }
    meta.shape.forEach((d, k) => {
      if (typeof d === 'number' && d !== dims[k]) {
        throw new Error(`--shape ${meta.name}: dim ${k} is ${dims[k]}, the model fixes it to ${d}`);
      }
    });
    return dims;
  }
  if (meta.shape.every((d) => typeof d === 'number')) return meta.shape.slice();
  throw new Error(`input '${meta.name}' has dynamic dims ${JSON.stringify(meta.shape)}; give --shape ${meta.name}=...`);
}

function percentile(sorted, p) {
  // Nearest-rank percentile.
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

async function main() {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`ort_bench: ${e.message}\n${USAGE}`);
    return 1;
  }
  const ort = loadOrt();
  const session = await createSession(ort, args.model, args.threads);
  for (const name of Object.keys(args.shapes)) {
    if (!session.inputNames.includes(name)) throw new Error(`model has no input '${name}'`);
  }
  const random = makeRandom(12345);
  const feeds = {};
  for (const meta of session.inputMetadata) {
    if (!meta.isTensor) throw new Error(`input '${meta.name}' is not a tensor`);
    feeds[meta.name] = randomTensor(ort, meta.type, inputDims(meta, args.shapes), random);
  }

  for (let i = 0; i < args.warmup; i++) await session.run(feeds);
  const times = [];
  for (let i = 0; i < args.iters; i++) {
    const start = process.hrtime.bigint();
    await session.run(feeds);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  const latency = { min: times[0], median: percentile(times, 50), p90: percentile(times, 90) };
  if (args.json) {
    console.log(JSON.stringify({ model: args.model, threads: args.threads, iters: args.iters, latency_ms: latency }));
  } else {
    const f = (x) => x.toFixed(3);
    console.log(`${path.basename(args.model)}: threads ${args.threads}, ${args.iters} iters: ` +
      `min ${f(latency.min)} ms, median ${f(latency.median)} ms, p90 ${f(latency.p90)} ms`);
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`ort_bench: ${e.message.split('\n')[0]}`);
    process.exit(2);
  },
);
