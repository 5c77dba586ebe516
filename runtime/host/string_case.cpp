#include "runtime/host/string_case.h"

#include <iterator>

namespace kiln::runtime {

namespace {

// A range of letters that map by a constant offset.
struct Block {
  uint32_t first, last;
  int32_t delta;
};

// Upper -> lower.
constexpr Block kLowerBlocks[] = {
    {0x41, 0x5A, 32},      {0xC0, 0xD6, 32},      {0xD8, 0xDE, 32},      {0x130, 0x130, 0x69 - 0x130},
    {0x178, 0x178, 0xFF - 0x178}, {0x386, 0x386, 38}, {0x388, 0x38A, 37}, {0x38C, 0x38C, 64},
    {0x38E, 0x38F, 63},    {0x391, 0x3A1, 32},    {0x3A3, 0x3AB, 32},    {0x400, 0x40F, 80},
    {0x410, 0x42F, 32},    {0x4C0, 0x4C0, 15},    {0x531, 0x556, 48},    {0x1E9E, 0x1E9E, 0xDF - 0x1E9E},
    {0xFF21, 0xFF3A, 32},
};

// Lower -> upper.
constexpr Block kUpperBlocks[] = {
    {0x61, 0x7A, -32},     {0xB5, 0xB5, 0x39C - 0xB5}, {0xE0, 0xF6, -32},  {0xF8, 0xFE, -32},
    {0xFF, 0xFF, 0x178 - 0xFF}, {0x131, 0x131, 0x49 - 0x131}, {0x17F, 0x17F, 0x53 - 0x17F},
    {0x3AC, 0x3AC, -38},   {0x3AD, 0x3AF, -37},   {0x3B1, 0x3C1, -32},   {0x3C2, 0x3C2, -31},
    {0x3C3, 0x3CB, -32},   {0x3CC, 0x3CC, -64},   {0x3CD, 0x3CE, -63},   {0x430, 0x44F, -32},
    {0x450, 0x45F, -80},   {0x4CF, 0x4CF, -15},   {0x561, 0x586, -48},   {0xFF41, 0xFF5A, -32},
};

// Ranges of alternating pairs: upper case at first, first + 2, ...; lower case one above.
constexpr Block kPairs[] = {
    {0x100, 0x12F, 1},   {0x132, 0x137, 1},   {0x139, 0x148, 1},   {0x14A, 0x177, 1}, {0x179, 0x17E, 1},
    {0x3D8, 0x3EF, 1},   {0x460, 0x481, 1},   {0x48A, 0x4BF, 1},   {0x4C1, 0x4CE, 1}, {0x4D0, 0x52F, 1},
    {0x1E00, 0x1E95, 1}, {0x1EA0, 0x1EFF, 1},
};

uint32_t mapBlocks(uint32_t cp, const Block* begin, const Block* end) {
  for (const Block* b = begin; b != end; ++b)
    if (cp >= b->first && cp <= b->last) return static_cast<uint32_t>(static_cast<int32_t>(cp) + b->delta);
  return cp;
}

// Length of the well-formed UTF-8 sequence at s[i] and its code point; 0 when malformed.
size_t decode(std::string_view s, size_t i, uint32_t& cp) {
  auto byte = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  uint8_t b0 = byte(i);
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  }
  size_t n = b0 >= 0xF0 && b0 <= 0xF4 ? 4 : b0 >= 0xE0 ? 3 : b0 >= 0xC2 && b0 <= 0xDF ? 2 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  cp = b0 & (n == 2 ? 0x1Fu : n == 3 ? 0x0Fu : 0x07u);
  for (size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3Fu);
  }
  // Overlong forms, surrogates and values past U+10FFFF are malformed.
  if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return n;
}

void encode(uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

template <typename Map>
std::string mapUtf8(std::string_view s, Map map) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    uint32_t cp = 0;
    size_t n = decode(s, i, cp);
    if (n == 0) {
      out += s[i++];  // not UTF-8: the byte as it is
      continue;
    }
    encode(map(cp), out);
    i += n;
  }
  return out;
}

}  // namespace

uint32_t simpleLower(uint32_t cp) {
  for (const Block& p : kPairs)
    if (cp >= p.first && cp <= p.last) return (cp - p.first) % 2 == 0 ? cp + 1 : cp;
  return mapBlocks(cp, std::begin(kLowerBlocks), std::end(kLowerBlocks));
}

uint32_t simpleUpper(uint32_t cp) {
  for (const Block& p : kPairs)
    if (cp >= p.first && cp <= p.last) return (cp - p.first) % 2 == 1 ? cp - 1 : cp;
  return mapBlocks(cp, std::begin(kUpperBlocks), std::end(kUpperBlocks));
}

std::string utf8Lower(std::string_view s) { return mapUtf8(s, simpleLower); }
std::string utf8Upper(std::string_view s) { return mapUtf8(s, simpleUpper); }

}  // namespace kiln::runtime
