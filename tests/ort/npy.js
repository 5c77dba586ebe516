// npy.js — a small reader/writer for NumPy .npy files (format versions 1.0-3.0,
// little-endian, C order), mapping each dtype to the ONNX Runtime tensor type name.
'use strict';

const fs = require('fs');

// numpy descr (without byte-order mark) -> ONNX Runtime type name and typed array.
const DTYPES = {
  f4: { ort: 'float32', array: Float32Array },
  f8: { ort: 'float64', array: Float64Array },
  i8: { ort: 'int64', array: BigInt64Array },
  u8: { ort: 'uint64', array: BigUint64Array },
  i4: { ort: 'int32', array: Int32Array },
  u4: { ort: 'uint32', array: Uint32Array },
  i2: { ort: 'int16', array: Int16Array },
  u2: { ort: 'uint16', array: Uint16Array },
  i1: { ort: 'int8', array: Int8Array },
  u1: { ort: 'uint8', array: Uint8Array },
  b1: { ort: 'bool', array: Uint8Array },
};

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // "\x93NUMPY"

function parseHeader(text, file) {
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(text);
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text);
  const shape = /'shape'\s*:\s*\(([^)]*)\)/.exec(text);
  if (!descr || !fortran || !shape) throw new Error(`${file}: malformed .npy header: ${text.trim()}`);
  if (fortran[1] === 'True') throw new Error(`${file}: Fortran-order arrays are not supported`);
  const dims = shape[1].split(',').map((s) => s.trim()).filter((s) => s.length > 0).map((s) => {
    if (!/^\d+$/.test(s)) throw new Error(`${file}: bad dimension '${s}' in .npy shape`);
    return Number(s);
  });
  return { descr: descr[1], dims };
}

// Returns { type, dims, data } where `type` is the ONNX Runtime type name and
// `data` a typed array (bool as Uint8Array of 0/1).
function readNpy(file) {
  const buf = fs.readFileSync(file);
  if (buf.length < 10 || !buf.subarray(0, 6).equals(MAGIC)) throw new Error(`${file}: not a .npy file`);
  const major = buf[6];
  let headerLen;
  let offset;
  if (major === 1) {
    headerLen = buf.readUInt16LE(8);
    offset = 10;
  } else if (major === 2 || major === 3) {
    if (buf.length < 12) throw new Error(`${file}: truncated .npy header`);
    headerLen = buf.readUInt32LE(8);
    offset = 12;
  } else {
    throw new Error(`${file}: unsupported .npy version ${major}`);
  }
  if (offset + headerLen > buf.length) throw new Error(`${file}: truncated .npy header`);
  const { descr, dims } = parseHeader(buf.toString('latin1', offset, offset + headerLen), file);
  const order = descr[0];
  const code = descr.slice(1);
  const dt = DTYPES[code];
  if (!dt) throw new Error(`${file}: unsupported dtype '${descr}'`);
  const itemSize = dt.array.BYTES_PER_ELEMENT;
  if (order === '>' && itemSize > 1) throw new Error(`${file}: big-endian arrays are not supported`);
  const count = dims.reduce((a, b) => a * b, 1);
  const start = offset + headerLen;
  if (buf.length - start < count * itemSize) {
    throw new Error(`${file}: data holds ${buf.length - start} bytes, shape needs ${count * itemSize}`);
  }
  // Copy into a fresh, aligned ArrayBuffer (the file buffer's offset may be unaligned).
  const bytes = new Uint8Array(count * itemSize);
  bytes.set(buf.subarray(start, start + count * itemSize));
  const data = new dt.array(bytes.buffer);
  return { type: dt.ort, dims, data };
}

function descrFor(type) {
  for (const [code, dt] of Object.entries(DTYPES)) {
    if (dt.ort === type) return (dt.array.BYTES_PER_ELEMENT === 1 ? '|' : '<') + code;
  }
  throw new Error(`cannot write tensor of type '${type}' to .npy`);
}

function writeNpy(file, type, dims, data) {
  const shape = dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
  let header = `{'descr': '${descrFor(type)}', 'fortran_order': False, 'shape': ${shape}, }`;
  // Pad with spaces so that magic + version + length + header + '\n' is a multiple of 64.
  const total = MAGIC.length + 2 + 2 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const prefix = Buffer.alloc(10);
  MAGIC.copy(prefix, 0);
  prefix[6] = 1;
  prefix[7] = 0;
  prefix.writeUInt16LE(header.length, 8);
  let body;
  if (type === 'bool') {
    body = Buffer.from(Uint8Array.from(data, (v) => (v ? 1 : 0)));
  } else {
    body = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  }
  fs.writeFileSync(file, Buffer.concat([prefix, Buffer.from(header, 'latin1'), body]));
}

// The same rule as `kiln run`: characters outside [A-Za-z0-9_.-] become '_'.
function sanitizeName(name) {
  return name.replace(/[^A-Za-z0-9_.-]/g, '_');
}

module.exports = { readNpy, writeNpy, sanitizeName };
