#include "frontends/onnx/proto_io.h"

#include <climits>
#include <filesystem>
#include <fstream>

#include "ir/error.h"

namespace kiln::onnx {

std::string readProtoFileBytes(const std::string& path, const char* kind) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    fail("{}: cannot read {}: {}", path, kind, ec ? ec.message() : "not a regular file");
  uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec) fail("{}: cannot read {}: {}", path, kind, ec.message());
  if (size == 0) fail("{}: not a valid {} (empty file)", path, kind);
  // protobuf cannot parse messages of 2 GiB or more; larger models must keep
  // their weights as external data.
  if (size >= static_cast<uintmax_t>(INT_MAX))
    fail("{}: not a valid {} ({} bytes; protobuf files must be under 2 GiB)", path, kind, size);
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("{}: cannot open {}", path, kind);
  std::string bytes(static_cast<size_t>(size), '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(size));
  if (static_cast<uintmax_t>(in.gcount()) != size) fail("{}: cannot read {} (short read)", path, kind);
  return bytes;
}

::onnx::ModelProto parseModelProto(const std::string& bytes, const std::string& label) {
  if (bytes.empty()) fail("{}: not a valid ONNX model (empty)", label);
  if (bytes.size() >= static_cast<size_t>(INT_MAX))
    fail("{}: not a valid ONNX model (protobuf messages must be under 2 GiB)", label);
  ::onnx::ModelProto model;
  if (!model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    fail("{}: not a valid ONNX model (protobuf parse failed; truncated or not a model file)",
         label);
  if (!model.has_graph() || model.ir_version() <= 0)
    fail("{}: not a valid ONNX model (no graph or IR version)", label);
  return model;
}

std::string modelDirOf(const std::string& path) {
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  return dir.empty() ? std::string(".") : dir.string();
}

std::string oneLine(const std::string& msg, size_t maxLen) {
  std::string out;
  bool space = false;
  for (char c : msg) {
    bool ws = c == ' ' || c == '\n' || c == '\t' || c == '\r';
    if (ws) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
    if (out.size() >= maxLen) return out + " ...";
  }
  return out;
}

}  // namespace kiln::onnx
