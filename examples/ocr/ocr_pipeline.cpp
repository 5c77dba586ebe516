// ocr_pipeline.cpp — the PaddleOCR system flow: det -> boxes -> crops -> (cls) -> rec.
#include "ocr_pipeline.h"

#include <stdexcept>
#include <utility>

#include "preprocess.h"

namespace kiln_ocr {

namespace {

std::string shapeString(const std::vector<int64_t>& shape) {
  std::string s;
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? "x" : "") + std::to_string(shape[i]);
  return s.empty() ? "scalar" : s;
}

}  // namespace

OcrPipeline::OcrPipeline(KilnModel det, KilnModel rec, std::unique_ptr<KilnModel> cls, Charset charset,
                         OcrOptions options)
    : det_(std::move(det)), rec_(std::move(rec)), cls_(std::move(cls)), charset_(std::move(charset)),
      options_(options) {}

std::vector<TextBox> OcrPipeline::detect(const Image& image) const {
  const FloatTensor input = detectionInput(image, options_.detLimitSideLen);
  const FloatTensor prob = det_.run(input);
  // The map must have the resized image's size: 1 x 1 x H x W.
  const int64_t height = input.shape[2], width = input.shape[3];
  if (prob.shape != std::vector<int64_t>{1, 1, height, width}) {
    throw std::runtime_error("detector output has shape " + shapeString(prob.shape) + ", expected " +
                             shapeString({1, 1, height, width}));
  }
  std::vector<TextBox> boxes = findTextBoxes(prob.data.data(), static_cast<int>(height), static_cast<int>(width),
                                             image.height, image.width, options_.det);
  sortReadingOrder(boxes);
  return boxes;
}

bool OcrPipeline::isUpsideDown(const Image& line) const {
  const FloatTensor scores = cls_->run(textLineInput(line, options_.clsHeight, options_.clsWidth));
  // Two classes: 0 = upright, 1 = rotated by 180 degrees.
  if (scores.shape != std::vector<int64_t>{1, 2}) {
    throw std::runtime_error("classifier output has shape " + shapeString(scores.shape) + ", expected 1x2");
  }
  return scores.data[1] > scores.data[0] && scores.data[1] > options_.clsThreshold;
}

RecognizedText OcrPipeline::recognize(const Image& line) const {
  const FloatTensor probs = rec_.run(textLineInput(line, options_.recHeight, options_.recWidth));
  // 1 x timesteps x classes.
  if (probs.shape.size() != 3 || probs.shape[0] != 1) {
    throw std::runtime_error("recognizer output has shape " + shapeString(probs.shape) +
                             ", expected 1 x timesteps x classes");
  }
  return ctcGreedyDecode(probs.data.data(), probs.shape[1], probs.shape[2], charset_);
}

std::vector<RecognizedText> OcrPipeline::read(const Image& image) const {
  std::vector<RecognizedText> lines;
  for (const TextBox& box : detect(image)) {
    Image line = crop(image, box.rect);
    if (cls_ && isUpsideDown(line)) line = rotate180(line);
    RecognizedText text = recognize(line);
    if (!text.text.empty() && text.score >= options_.dropScore) lines.push_back(std::move(text));
  }
  return lines;
}

}  // namespace kiln_ocr
