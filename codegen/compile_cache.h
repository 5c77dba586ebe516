// The persistent compile cache: compiled ModelImages (codegen/compiler.h) on
// disk, so a process that compiles a model another process compiled before
// loads its kernels instead (a cache hit skips shape specialization, the graph
// passes and LLVM; it only links the objects).
//
// Location: CompileOptions::cacheDir; the CLI defaults it to
// $XDG_CACHE_HOME/kiln, else $HOME/.cache/kiln (defaultCacheDir()).
// Key (cacheKey()): BLAKE3 of the graph (its text with every constant's bytes:
// graphDigest()), the graph pass pipeline, the -O level, the target CPU and
// features, the input shapes and KILN_VERSION (release and source state), so a
// change to any of them is a miss.
// Entry file KEY.kce: "KILNCACH", format version, payload size, BLAKE3 of the
// payload, then the payload (the key, the plan, the objects). An entry whose
// size, checksum, key or plan does not check out is deleted and reported as a
// miss, never loaded.
// Size: after a store, the least recently used entries (a hit refreshes an
// entry's time) are deleted while the directory holds more than maxBytes.
// Concurrency: an entry is written to a unique temporary file in the cache
// directory and renamed over KEY.kce, which is atomic; two processes that
// compile the same model at once both store complete entries, and a reader
// sees the old file, the new one or none — never a partial one.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "codegen/compiler.h"
#include "ir/graph.h"

namespace kiln::codegen {

// $XDG_CACHE_HOME/kiln, else $HOME/.cache/kiln; empty when neither is set.
std::string defaultCacheDir();

// Hex BLAKE3 of g's structure, attributes, types and constant bytes.
std::string graphDigest(const ir::Graph& g);

// KILN_VERSION of this build: the release and the source state it was built from.
const char* kilnVersion();

// Hex BLAKE3 of every key component (see above).
std::string cacheKey(const std::string& graphDigest, const std::string& pipeline, const CompileOptions& options,
                     const std::vector<std::vector<int64_t>>& inputShapes, std::string_view version = kilnVersion());

class CompileCache {
 public:
  static constexpr int64_t kDefaultMaxBytes = int64_t{2} << 30;
  explicit CompileCache(std::string dir, int64_t maxBytes = kDefaultMaxBytes)
      : dir_(std::move(dir)), maxBytes_(maxBytes) {}

  // The entry for `key`, or nullopt on a miss. A corrupt entry is deleted,
  // and why it was rejected is kept in lastRejection().
  std::optional<ModelImage> load(const std::string& key);
  // Writes the entry atomically; throws kiln::Error when the directory or the
  // file cannot be written.
  void store(const std::string& key, const ModelImage& image);

  std::string entryPath(const std::string& key) const;
  const std::string& lastRejection() const { return lastRejection_; }

 private:
  void prune() const;

  std::string dir_;
  int64_t maxBytes_;
  std::string lastRejection_;
};

}  // namespace kiln::codegen
