#include "codegen/compile_cache.h"

#include <fmt/format.h>
#include <llvm/Support/BLAKE3.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "ir/text.h"
#include "kiln_version.h"
#include "runtime/byte_io.h"

namespace kiln::codegen {

namespace {
namespace fs = std::filesystem;

constexpr char kMagic[8] = {'K', 'I', 'L', 'N', 'C', 'A', 'C', 'H'};
constexpr uint32_t kFormatVersion = 1;
constexpr size_t kHeaderBytes = sizeof(kMagic) + 4 + 4 + 8 + 32;
constexpr uint64_t kMaxObjects = uint64_t{1} << 20;

using Digest = std::array<uint8_t, 32>;

std::string hex(const Digest& d) {
  std::string s;
  for (uint8_t b : d) s += fmt::format("{:02x}", b);
  return s;
}

void hashBytes(llvm::BLAKE3& h, const void* data, size_t n) {
  h.update(llvm::ArrayRef<uint8_t>(static_cast<const uint8_t*>(data), n));
}

// Length-prefixed, so adjacent fields cannot run into each other.
void hashField(llvm::BLAKE3& h, std::string_view s) {
  uint64_t n = s.size();
  hashBytes(h, &n, sizeof n);
  hashBytes(h, s.data(), s.size());
}

// Constant bytes of g and of its subgraphs (the text elides large ones).
void hashConstants(llvm::BLAKE3& h, const ir::Graph& g) {
  for (const ir::Value& v : g.values)
    if (v.constant) hashField(h, std::string_view(reinterpret_cast<const char*>(v.constant->bytes.data()), v.constant->bytes.size()));
  for (const ir::Node& n : g.nodes)
    for (const auto& [name, attr] : n.attrs.all())
      if (const auto* sub = std::get_if<ir::GraphPtr>(&attr); sub && *sub) hashConstants(h, **sub);
}

Digest payloadDigest(std::span<const uint8_t> payload) {
  llvm::BLAKE3 h;
  h.update(llvm::ArrayRef<uint8_t>(payload.data(), payload.size()));
  return h.final();
}

std::string uniqueSuffix() {
  static std::atomic<uint64_t> counter{0};
  return fmt::format("{}.{}", ::getpid(), counter.fetch_add(1));
}
}  // namespace

std::string defaultCacheDir() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) return (fs::path(xdg) / "kiln").string();
  if (const char* home = std::getenv("HOME"); home && *home) return (fs::path(home) / ".cache" / "kiln").string();
  return {};
}

std::string graphDigest(const ir::Graph& g) {
  ir::PrintOptions print;
  print.elideLargeConstants = true;
  llvm::BLAKE3 h;
  hashField(h, ir::printGraph(g, print));
  hashConstants(h, g);
  return hex(h.final());
}

const char* kilnVersion() { return KILN_VERSION; }

std::string cacheKey(const std::string& graphDigest, const std::string& pipeline, const CompileOptions& options,
                     const std::vector<std::vector<int64_t>>& inputShapes, std::string_view version) {
  llvm::BLAKE3 h;
  hashField(h, version);
  hashField(h, graphDigest);
  hashField(h, pipeline);
  hashField(h, std::to_string(options.optLevel));
  hashField(h, options.target.triple);
  hashField(h, options.target.cpu);
  hashField(h, options.target.features);
  for (const auto& shape : inputShapes) hashField(h, runtime::shapeToString(shape) + ";");
  return hex(h.final());
}

std::string CompileCache::entryPath(const std::string& key) const { return (fs::path(dir_) / (key + ".kce")).string(); }

std::optional<ModelImage> CompileCache::load(const std::string& key) {
  lastRejection_.clear();
  std::string path = entryPath(key);
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  try {
    std::span<const uint8_t> all(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    runtime::ByteReader header(all.first(std::min(all.size(), kHeaderBytes)), "compile cache entry " + path);
    std::span<const uint8_t> magic = header.getBytes(sizeof kMagic);
    if (!std::equal(magic.begin(), magic.end(), kMagic)) fail("{} is not a Kiln cache entry", path);
    if (header.get<uint32_t>() != kFormatVersion) fail("{} has another cache format version", path);
    header.get<uint32_t>();
    uint64_t size = header.get<uint64_t>();
    Digest expected;
    std::span<const uint8_t> sum = header.getBytes(expected.size());
    std::copy(sum.begin(), sum.end(), expected.begin());
    if (size != all.size() - kHeaderBytes)
      fail("{} is truncated: payload of {} bytes, header says {}", path, all.size() - kHeaderBytes, size);
    std::span<const uint8_t> payload = all.subspan(kHeaderBytes);
    if (payloadDigest(payload) != expected) fail("{} is corrupt: checksum mismatch", path);

    runtime::ByteReader r(payload, "compile cache entry " + path);
    if (r.getString() != key) fail("{} holds another key", path);
    uint64_t planSize = r.getCount(r.remaining(), "plan size");
    ModelImage image;
    image.plan = runtime::decodePlan(r.getBytes(planSize), "plan in " + path);
    image.objects.resize(r.getCount(kMaxObjects, "object count"));
    for (std::string& o : image.objects) o = r.getString();
    if (r.remaining() != 0) fail("{} has {} trailing bytes", path, r.remaining());
    std::error_code ignored;
    fs::last_write_time(path, fs::file_time_type::clock::now(), ignored);  // recently used: pruned last
    return image;
  } catch (const Error& e) {
    lastRejection_ = e.what();
    std::error_code ignored;
    fs::remove(path, ignored);
    return std::nullopt;
  }
}

void CompileCache::store(const std::string& key, const ModelImage& image) {
  runtime::ByteWriter payload;
  payload.putString(key);
  payload.putString(runtime::encodePlan(image.plan));
  payload.put<uint64_t>(image.objects.size());
  for (const std::string& o : image.objects) payload.putString(o);
  const std::string& p = payload.bytes();

  runtime::ByteWriter header;
  header.putBytes(kMagic, sizeof kMagic);
  header.put<uint32_t>(kFormatVersion);
  header.put<uint32_t>(0);
  header.put<uint64_t>(p.size());
  Digest d = payloadDigest({reinterpret_cast<const uint8_t*>(p.data()), p.size()});
  header.putBytes(d.data(), d.size());

  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) fail("cannot create compile cache directory '{}': {}", dir_, ec.message());
  std::string final = entryPath(key);
  std::string temp = final + ".tmp." + uniqueSuffix();
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out.write(header.bytes().data(), static_cast<std::streamsize>(header.bytes().size()));
    out.write(p.data(), static_cast<std::streamsize>(p.size()));
    out.close();
    if (!out) {
      fs::remove(temp, ec);
      fail("cannot write compile cache entry '{}'", temp);
    }
  }
  fs::rename(temp, final, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(temp, ignored);
    fail("cannot move compile cache entry into place at '{}': {}", final, ec.message());
  }
  prune();
}

void CompileCache::prune() const {
  struct Entry {
    fs::file_time_type time;
    uintmax_t size;
    fs::path path;
  };
  std::vector<Entry> entries;
  uintmax_t total = 0;
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(dir_, ec)) {
    if (e.path().extension() != ".kce") continue;
    std::error_code ignored;
    Entry entry{e.last_write_time(ignored), e.file_size(ignored), e.path()};
    total += entry.size;
    entries.push_back(std::move(entry));
  }
  if (total <= static_cast<uintmax_t>(maxBytes_)) return;
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.time < b.time; });
  for (const Entry& e : entries) {
    if (total <= static_cast<uintmax_t>(maxBytes_)) break;
    std::error_code ignored;
    if (fs::remove(e.path, ignored)) total -= e.size;
  }
}

}  // namespace kiln::codegen
