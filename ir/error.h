// Kiln's error type. Every failure a user can cause (a malformed model, an
// unsupported op, a bad input tensor, invalid textual IR) is reported by
// throwing kiln::Error with a one-line message naming the node, op or tensor.
// The CLI maps Error to exit status 2 (usage errors are exit 1).
#pragma once

#include <fmt/format.h>

#include <stdexcept>
#include <string>

namespace kiln {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& msg) : std::runtime_error(msg) {}
};

template <typename... Args>
[[noreturn]] void fail(fmt::format_string<Args...> f, Args&&... args) {
  throw Error(fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace kiln
