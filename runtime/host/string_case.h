// Locale-independent simple case mapping of UTF-8 strings (Unicode's
// one-to-one UnicodeData mappings, as the default locale applies them) for
// StringNormalizer: ASCII, Latin-1, Latin Extended-A and Additional, Greek,
// Cyrillic, Armenian and fullwidth Latin letters. Other code points, and bytes
// that are not well-formed UTF-8, are kept as they are.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace kiln::runtime {

uint32_t simpleLower(uint32_t cp);
uint32_t simpleUpper(uint32_t cp);
std::string utf8Lower(std::string_view s);
std::string utf8Upper(std::string_view s);

}  // namespace kiln::runtime
