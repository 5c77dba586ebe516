// ctc.h — greedy CTC decoding of the recognizer's per-timestep class scores.
#pragma once

#include <cstdint>
#include <string>

#include "charset.h"

namespace kiln_ocr {

struct RecognizedText {
  std::string text;
  float score = 0.0f;  // mean probability of the emitted characters
};

// `probs` holds timesteps x numClasses probabilities. Takes the best class per
// timestep, merges repeats, drops blanks (class 0).
RecognizedText ctcGreedyDecode(const float* probs, int64_t timesteps, int64_t numClasses, const Charset& charset);

}  // namespace kiln_ocr
