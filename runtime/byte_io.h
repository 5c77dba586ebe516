// Little-endian binary writing and bounds-checked reading, for the compiled
// model plan (runtime/model_plan.h) and compile-cache entries. A reader never
// reads past its span: every length it is given is checked against what is
// left, and a short or malformed buffer throws kiln::Error naming `what`.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

#include "ir/error.h"

namespace kiln::runtime {

class ByteWriter {
 public:
  template <typename T>
  void put(T v) {
    static_assert(std::is_trivially_copyable_v<T>);
    bytes_.append(reinterpret_cast<const char*>(&v), sizeof(T));
  }
  void putBytes(const void* data, size_t n) { bytes_.append(static_cast<const char*>(data), n); }
  // A u64 length, then the bytes.
  void putString(std::string_view s) {
    put<uint64_t>(s.size());
    bytes_.append(s);
  }
  const std::string& bytes() const { return bytes_; }
  std::string take() { return std::move(bytes_); }

 private:
  std::string bytes_;
};

class ByteReader {
 public:
  ByteReader(std::span<const uint8_t> bytes, std::string what) : bytes_(bytes), what_(std::move(what)) {}

  template <typename T>
  T get() {
    static_assert(std::is_trivially_copyable_v<T>);
    T v;
    std::memcpy(&v, take(sizeof(T)), sizeof(T));
    return v;
  }
  // A count that must lie in [0, max]: guards the allocations it sizes.
  uint64_t getCount(uint64_t max, const char* field) {
    uint64_t n = get<uint64_t>();
    if (n > max) fail("{} is corrupt: {} = {} exceeds {}", what_, field, n, max);
    return n;
  }
  std::span<const uint8_t> getBytes(uint64_t n) { return {take(n), static_cast<size_t>(n)}; }
  std::string getString() {
    uint64_t n = getCount(remaining(), "string length");
    const uint8_t* p = take(n);
    return std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(n));
  }
  size_t remaining() const { return bytes_.size() - pos_; }
  const std::string& what() const { return what_; }

 private:
  const uint8_t* take(uint64_t n) {
    if (n > remaining()) fail("{} is truncated: needs {} more bytes at offset {}, has {}", what_, n, pos_, remaining());
    const uint8_t* p = bytes_.data() + pos_;
    pos_ += static_cast<size_t>(n);
    return p;
  }

  std::span<const uint8_t> bytes_;
  size_t pos_ = 0;
  std::string what_;
};

}  // namespace kiln::runtime
