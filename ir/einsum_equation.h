// The parsed form of an Einsum equation (ONNX Einsum, opset 12, with numpy's
// einsum conventions), shared by the shape rule and the kernel emitter.
//
// Every operand dim and output dim gets a label id. Letters keep their ASCII
// order ('A'..'Z' are 0..25, 'a'..'z' are 26..51); the dims an ellipsis "..."
// stands for are labels kEllipsisLabel + j, numbered over the broadcast
// ellipsis shape (all operands' ellipsis dims right-aligned, as numpy
// broadcasting aligns them). A label repeated within one operand takes that
// operand's diagonal; labels absent from the output are summed over.
//
// Implicit mode (no "->"): the output is the broadcast ellipsis dims followed
// by the letters that occur exactly once in the whole equation, in ASCII order.
// In explicit mode, ellipsis dims that the output does not name are summed over.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace kiln::ir {

struct EinsumEquation {
  static constexpr int kEllipsisLabel = 52;

  std::vector<std::vector<int>> inputs;  // one label per operand dim
  std::vector<int> output;               // one label per output dim
  int ellipsisDims = 0;                  // rank of the broadcast ellipsis shape

  // Every label used, ascending.
  std::vector<int> allLabels() const;
  // Labels summed over (used by some operand, absent from the output), ascending.
  std::vector<int> contractedLabels() const;
};

// Parses `equation` for operands of the given ranks. Whitespace is ignored.
// Throws kiln::Error (without naming a node) for malformed equations or a
// mismatch with the operand ranks.
EinsumEquation parseEinsumEquation(const std::string& equation, const std::vector<int64_t>& ranks);

// "a", "Z", or "...0" for an ellipsis label; for messages.
std::string einsumLabelName(int label);

}  // namespace kiln::ir
