// ctc.cpp — best-path CTC decoding as in PaddleOCR's CTCLabelDecode.
#include "ctc.h"

#include <algorithm>
#include <stdexcept>

namespace kiln_ocr {

RecognizedText ctcGreedyDecode(const float* probs, int64_t timesteps, int64_t numClasses, const Charset& charset) {
  if (numClasses != static_cast<int64_t>(charset.numClasses())) {
    throw std::runtime_error("recognizer has " + std::to_string(numClasses) + " classes but the keys file gives " +
                             std::to_string(charset.numClasses()) + " (blank + keys + space)");
  }
  RecognizedText result;
  double scoreSum = 0.0;
  int64_t emitted = 0;
  int64_t previous = -1;
  for (int64_t t = 0; t < timesteps; ++t) {
    const float* row = probs + t * numClasses;
    const int64_t best = std::max_element(row, row + numClasses) - row;
    // A class repeated on consecutive steps is one character; a blank separates
    // genuinely doubled letters.
    if (best != 0 && best != previous) {
      result.text += charset.label(static_cast<size_t>(best));
      scoreSum += row[best];
      ++emitted;
    }
    previous = best;
  }
  result.score = emitted > 0 ? static_cast<float>(scoreSum / emitted) : 0.0f;
  return result;
}

}  // namespace kiln_ocr
