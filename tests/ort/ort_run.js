#!/usr/bin/env node
// ort_run.js — runs a model with ONNX Runtime (CPU EP) on .npy inputs and writes
// every output as OUTDIR/<name>.npy, the same layout `kiln run` writes, so the two
// can be compared file by file.
//
//   node tests/ort/ort_run.js MODEL.onnx -i NAME=FILE.npy ... -o OUTDIR [--threads N]
//
// Exit status: 0 ok, 1 usage error, 2 the model or an input could not be used.
'use strict';

const fs = require('fs');
const path = require('path');
const { readNpy, writeNpy, sanitizeName } = require('./npy');
const { loadOrt, createSession, parseCount } = require('./ort_session');

const USAGE = 'usage: ort_run.js MODEL.onnx -i NAME=FILE.npy ... -o OUTDIR [--threads N]';

class UsageError extends Error {}

function parseArgs(argv) {
  const args = { model: null, inputs: [], outDir: null, threads: 1 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new UsageError(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '-i' || a === '--input') {
      const spec = value();
      const eq = spec.indexOf('=');
      if (eq <= 0) throw new UsageError(`input '${spec}' is not NAME=FILE`);
      args.inputs.push({ name: spec.slice(0, eq), file: spec.slice(eq + 1) });
    } else if (a === '-o' || a === '--output-dir') {
      args.outDir = value();
    } else if (a === '--threads') {
      args.threads = parseCount('--threads', value(), 1);
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
  if (args.outDir === null) throw new UsageError('no output directory given (-o)');
  return args;
}

async function main() {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`ort_run: ${e.message}\n${USAGE}`);
    return 1;
  }
  const ort = loadOrt();
  const session = await createSession(ort, args.model, args.threads);
  const feeds = {};
  for (const { name, file } of args.inputs) {
    if (!session.inputNames.includes(name)) {
      throw new Error(`model has no input '${name}' (inputs: ${session.inputNames.join(', ')})`);
    }
    if (name in feeds) throw new Error(`input '${name}' given twice`);
    const t = readNpy(file);
    feeds[name] = new ort.Tensor(t.type, t.data, t.dims);
  }
  const missing = session.inputNames.filter((n) => !(n in feeds));
  if (missing.length > 0) throw new Error(`missing inputs: ${missing.join(', ')}`);

  const results = await session.run(feeds);
  fs.mkdirSync(args.outDir, { recursive: true });
  for (const name of session.outputNames) {
    const t = results[name];
    writeNpy(path.join(args.outDir, `${sanitizeName(name)}.npy`), t.type, t.dims, t.data);
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`ort_run: ${e.message.split('\n')[0]}`);
    process.exit(2);
  },
);
