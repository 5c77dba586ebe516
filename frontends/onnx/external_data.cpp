#include "frontends/onnx/external_data.h"

#include <charconv>
#include <filesystem>
#include <fstream>
#include <optional>

#include "ir/error.h"

namespace kiln::onnx {

namespace fs = std::filesystem;

namespace {

uint64_t parseByteCount(const std::string& text, const char* key, const std::string& tensorName) {
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || text.empty())
    fail("tensor '{}': external data {} '{}' is not a non-negative integer", tensorName, key, text);
  return v;
}

// True when `inner` lies within `dir` (both canonical), compared by path component.
bool isWithin(const fs::path& inner, const fs::path& dir) {
  auto d = dir.begin(), i = inner.begin();
  for (; d != dir.end(); ++d, ++i)
    if (i == inner.end() || *d != *i) return false;
  return true;
}

// Resolves `location` inside `modelDir`, refusing anything that could name a
// file elsewhere.
fs::path resolveLocation(const std::string& location, const std::string& modelDir,
                         const std::string& tensorName) {
  if (location.empty() || location.find('\0') != std::string::npos)
    fail("tensor '{}': external data location is empty or malformed", tensorName);
  fs::path rel(location);
  if (rel.is_absolute() || rel.has_root_name() || rel.has_root_directory())
    fail("tensor '{}': external data location '{}' must be relative to the model's directory",
         tensorName, location);
  for (const fs::path& part : rel)
    if (part == "..")
      fail("tensor '{}': external data location '{}' must not contain '..'", tensorName, location);
  if (modelDir.empty())
    fail("tensor '{}': has external data '{}' but the model was loaded without a directory",
         tensorName, location);
  std::error_code ec;
  fs::path dir = fs::canonical(modelDir, ec);
  if (ec) fail("tensor '{}': model directory '{}': {}", tensorName, modelDir, ec.message());
  fs::path file = fs::canonical(dir / rel, ec);
  if (ec)
    fail("tensor '{}': cannot open external data file '{}': {}", tensorName, location, ec.message());
  // canonical() resolved every symlink; the target must still be inside the model's directory.
  if (!isWithin(file, dir))
    fail("tensor '{}': external data location '{}' resolves outside the model's directory",
         tensorName, location);
  if (!fs::is_regular_file(file, ec))
    fail("tensor '{}': external data location '{}' is not a regular file", tensorName, location);
  return file;
}

}  // namespace

std::vector<uint8_t> readExternalData(const ::onnx::TensorProto& tensor, const std::string& modelDir,
                                      const std::string& tensorName, uint64_t expectedBytes) {
  std::optional<std::string> location;
  uint64_t offset = 0;
  std::optional<uint64_t> length;
  for (const auto& entry : tensor.external_data()) {
    if (entry.key() == "location") {
      if (location) fail("tensor '{}': external data has two 'location' entries", tensorName);
      location = entry.value();
    } else if (entry.key() == "offset") {
      offset = parseByteCount(entry.value(), "offset", tensorName);
    } else if (entry.key() == "length") {
      length = parseByteCount(entry.value(), "length", tensorName);
    }
    // "checksum" and unknown keys carry nothing needed to read the data.
  }
  if (!location) fail("tensor '{}': external data has no 'location'", tensorName);
  fs::path file = resolveLocation(*location, modelDir, tensorName);

  std::error_code ec;
  uint64_t fileSize = fs::file_size(file, ec);
  if (ec) fail("tensor '{}': cannot stat external data '{}': {}", tensorName, *location, ec.message());
  if (offset > fileSize)
    fail("tensor '{}': external data offset {} is past the end of '{}' ({} bytes)", tensorName,
         offset, *location, fileSize);
  uint64_t len = length.value_or(fileSize - offset);
  if (len > fileSize - offset)
    fail("tensor '{}': external data [{}, {}+{}) runs past the end of '{}' ({} bytes)", tensorName,
         offset, offset, len, *location, fileSize);
  if (len != expectedBytes)
    fail("tensor '{}': external data holds {} bytes but its dims and type need {}", tensorName, len,
         expectedBytes);

  std::ifstream in(file, std::ios::binary);
  if (!in) fail("tensor '{}': cannot open external data '{}'", tensorName, *location);
  std::vector<uint8_t> bytes(static_cast<size_t>(len));
  in.seekg(static_cast<std::streamoff>(offset));
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(len));
  if (!in) fail("tensor '{}': short read from external data '{}'", tensorName, *location);
  return bytes;
}

}  // namespace kiln::onnx
