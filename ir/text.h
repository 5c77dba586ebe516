// Kiln's textual IR: how graphs are written to .kir files, read back by
// `kiln opt`, and checked by lit/FileCheck tests.
//
// The form round-trips exactly: printGraph(parseGraph(printGraph(g))) equals
// printGraph(g) byte for byte, and parseGraph(printGraph(g)) has the same
// values, types, constant bytes, attributes, node order, names and opsets as g.
// Value ids are renumbered in definition order (inputs, constants, node
// outputs), so they match g's only when g numbered its values that way.
//
// Grammar (`//` starts a comment that runs to the end of the line):
//
//   file      := 'kiln.graph' STRING [opsets] ['blobs' STRING] '{' stmt* '}'
//   opsets    := 'opsets' '{' [STRING '=' INT (',' STRING '=' INT)*] '}'
//   stmt      := 'input' value ':' type
//              | 'const' value ':' type '=' constval
//              | value (',' value)* '=' OPNAME '(' [operand (',' operand)*] ')'
//                    [attrs] ['captures' INT] ['name' STRING] ':' type (',' type)*
//              | 'output' value
//   value     := '%' NAME | '%' STRING       NAME = [A-Za-z0-9_.]+
//   operand   := value | '_'                 '_' = absent optional input
//   type      := DTYPE '[' [dim (',' dim)*] ']' | DTYPE '[' '*' ']'
//              | 'seq' '<' type '>' | 'opt' '<' type '>'
//   dim       := INT | SYMBOL | STRING | '?'  '[*]' = rank unknown, '[]' = scalar
//   constval  := dense | 'blob' '(' INT ',' INT ')'   byte offset, byte length
//              | 'elided'                   printed for reading only; never parses
//   dense     := 'dense' '<' '[' [elem (',' elem)*] ']' '>'   row-major, flat
//   attrs     := '{' [attr (',' attr)*] '}'
//   attr      := (SYMBOL | STRING) '=' attrval
//   attrval   := INT | FLOAT | STRING | list | dense ':' type | file
//                (file: a control-flow node's subgraph, printed nested and indented)
//   list      := '[' elem (',' elem)* ']' | '[' ']' ':' ('ints'|'floats'|'strings')
//   FLOAT     := decimal with '.' or exponent | 'inf' | '-inf' | 'nan' '(' HEX ')'
//
// DTYPE is dtypeName() (f32, f16, bf16, f64, i8..i64, u8..u64, bool, str, undef).
// SYMBOL = [A-Za-z_][A-Za-z0-9_.]*; other symbols and attribute names are quoted.
// Floats print as the shortest decimal that reads back to the same bits; NaNs
// print their raw bits in the element's width (`nan(0x7fc00000)` for f32) so
// payloads and sign survive; bare `nan` reads as the default quiet NaN. Bool
// elements print as true/false. Strings escape '"', '\\', control bytes and
// bytes that are not valid UTF-8 (`\n`, `\t`, `\xHH`).
//
// Large constants live in a side file ("blobs"): raw little-endian bytes, each
// blob starting at a 64-byte aligned offset; the text refers to them by byte
// offset and length. String constants and tensor attributes are always inline.
//
// Names that are empty or repeat an earlier name are printed under a fresh
// name (`%v12`, `%x_1`), so the text always has one definition per name.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ir/graph.h"

namespace kiln::ir {

struct PrintOptions {
  // Constants with more elements than this are written out of line into the
  // side file (when sidePath is set) and referenced by byte offset/length;
  // smaller ones inline.
  int64_t inlineElementLimit = 16;
  std::string sidePath;        // e.g. "model.kir.bin"; empty = everything inline
  std::string sideNameInText;  // how the text refers to the side file (usually its basename)
  // Large constants print as `elided` (a dump for reading, as mlir-opt's
  // elided resources; the parser rejects it). Takes precedence over sidePath.
  bool elideLargeConstants = false;
};

// Prints g; when constants go to opts.sidePath that file is (re)written.
// Never throws for a malformed graph (it is a debugging aid): invalid value ids
// print as names that will not parse back. Throws kiln::Error only when the
// side file cannot be written.
std::string printGraph(const Graph& g, const PrintOptions& opts = {});

// Parses text; `baseDir` resolves the side file name. Throws kiln::Error with
// "LINE:COL: message" on any syntax or semantic error. The result passes
// verifyGraph (ir/verifier.h).
Graph parseGraph(std::string_view text, const std::string& baseDir = ".");

// Reads and parses a .kir file; the side file is looked up next to it. Errors
// read "PATH:LINE:COL: message".
Graph parseGraphFile(const std::string& path);

// "f32[1,3,?,W]", "i64[]", "f32[*]".
std::string printType(const TensorType& t);
// A value's full type: printType, wrapped as "seq<...>" / "opt<...>" for ONNX
// sequence and optional values ("opt<seq<f32[?]>>").
std::string printValueType(const Value& v);

}  // namespace kiln::ir
