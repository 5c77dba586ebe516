// ocr_pipeline.h — detection, optional orientation classification, recognition.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "charset.h"
#include "ctc.h"
#include "det_postprocess.h"
#include "image.h"
#include "kiln_model.h"

namespace kiln_ocr {

struct OcrOptions {
  int detLimitSideLen = 960;  // the detector sees at most this many pixels per side
  DetPostprocessOptions det;
  // Fixed recognizer/classifier input shapes, so each model is compiled once.
  int recHeight = 48, recWidth = 320;
  int clsHeight = 48, clsWidth = 192;
  float clsThreshold = 0.9f;  // confidence needed to turn a line upside down
  float dropScore = 0.5f;     // lines recognized with less confidence are dropped
};

class OcrPipeline {
 public:
  // `cls` may be null: lines are then assumed upright.
  OcrPipeline(KilnModel det, KilnModel rec, std::unique_ptr<KilnModel> cls, Charset charset,
              OcrOptions options = {});

  // The text lines found in `image`, in reading order.
  std::vector<RecognizedText> read(const Image& image) const;

 private:
  std::vector<TextBox> detect(const Image& image) const;
  bool isUpsideDown(const Image& line) const;
  RecognizedText recognize(const Image& line) const;

  KilnModel det_, rec_;
  std::unique_ptr<KilnModel> cls_;
  Charset charset_;
  OcrOptions options_;
};

}  // namespace kiln_ocr
