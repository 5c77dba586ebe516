// ort_session.js — loads ONNX Runtime (the oracle) from the repository's
// node_modules and opens sessions configured the same way for every tool.
'use strict';

const path = require('path');

const REPO_ROOT = path.resolve(__dirname, '..', '..');

function loadOrt() {
  const modulePath = path.join(REPO_ROOT, 'node_modules', 'onnxruntime-node');
  try {
    return require(modulePath);
  } catch (e) {
    throw new Error(`cannot load onnxruntime-node from ${modulePath} (run 'npm install' in ${REPO_ROOT}): ${e.message}`);
  }
}

// CPU execution provider, all graph optimizations, `threads` intra-op threads.
async function createSession(ort, modelPath, threads) {
  return ort.InferenceSession.create(modelPath, {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
  });
}

// Parses a positive integer option value, failing with a message naming the option.
function parseCount(option, text, min) {
  if (!/^\d+$/.test(text || '') || Number(text) < min) {
    throw new Error(`${option} expects an integer >= ${min}, got '${text}'`);
  }
  return Number(text);
}

module.exports = { loadOrt, createSession, parseCount };
