// charset.cpp — reading the keys file, one label per line.
#include "charset.h"

#include <fstream>
#include <stdexcept>

namespace kiln_ocr {

Charset Charset::load(const std::string& keysPath, bool useSpaceChar) {
  std::ifstream in(keysPath, std::ios::binary);
  if (!in) throw std::runtime_error(keysPath + ": cannot open keys file");
  Charset charset;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();  // tolerate CRLF files
    charset.labels_.push_back(line);
  }
  if (charset.labels_.empty()) throw std::runtime_error(keysPath + ": keys file is empty");
  if (useSpaceChar) charset.labels_.push_back(" ");
  return charset;
}

}  // namespace kiln_ocr
