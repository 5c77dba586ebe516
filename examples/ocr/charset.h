// charset.h — the recognizer's class labels, read from a PaddleOCR keys file.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace kiln_ocr {

// Class 0 is the CTC blank; class i (1-based) is line i of the keys file; with
// `useSpaceChar` a space is the last class (PaddleOCR's use_space_char).
class Charset {
 public:
  static Charset load(const std::string& keysPath, bool useSpaceChar);

  // Number of classes including the blank.
  size_t numClasses() const { return labels_.size() + 1; }
  // The UTF-8 text of class `index`, 1 <= index < numClasses().
  const std::string& label(size_t index) const { return labels_[index - 1]; }

 private:
  std::vector<std::string> labels_;
};

}  // namespace kiln_ocr
