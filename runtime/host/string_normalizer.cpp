// StringNormalizer-10: drops the stopwords from a [C] or [1, C] string tensor
// (compared exactly, or after lower-casing both when is_case_sensitive = 0),
// then applies case_change_action (LOWER, UPPER or NONE) to what is left.
// The output is [C'] or [1, C']; when every string is dropped it is [1] or
// [1, 1] holding one empty string, as the spec says. Case mapping is Unicode's
// simple one (runtime/host/string_case.h), which every locale but the Turkic
// ones (tr, az: dotted and dotless i) uses; those are unsupported.
#include <cctype>
#include <unordered_set>

#include "ir/error.h"
#include "runtime/host/host_call.h"
#include "runtime/host/string_case.h"

namespace kiln::runtime {

namespace {

// The language part of a locale name: "en" for "en_US.UTF-8", lower case.
std::string localeLanguage(const std::string& locale) {
  std::string lang;
  for (char c : locale) {
    if (c == '_' || c == '-' || c == '.' || c == '@') break;
    lang += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return lang;
}

std::vector<std::string> stopwordsOf(const HostCall& call) {
  auto it = call.node.attrs.all().find("stopwords");
  if (it == call.node.attrs.all().end()) return {};
  if (const auto* v = std::get_if<std::vector<std::string>>(&it->second)) return *v;
  if (const auto* v = std::get_if<std::string>(&it->second)) return {*v};
  fail("{}: attribute 'stopwords' must be a list of strings", call.where());
}

}  // namespace

std::vector<Value> runHostStringNormalizer(const HostCall& call) {
  const ir::Attributes& a = call.node.attrs;
  const std::string action = a.getString("case_change_action", "NONE");
  if (action != "NONE" && action != "LOWER" && action != "UPPER")
    fail("{}: case_change_action must be LOWER, UPPER or NONE, got '{}'", call.where(), action);
  const int64_t caseSensitive = a.getInt("is_case_sensitive", 0);
  if (caseSensitive != 0 && caseSensitive != 1)
    fail("{}: is_case_sensitive must be 0 or 1, got {}", call.where(), caseSensitive);
  const std::string locale = a.getString("locale", "");
  const std::string lang = localeLanguage(locale);
  if (lang == "tr" || lang == "az")
    fail("{}: unsupported locale '{}' (its case mapping of i differs from the default)", call.where(), locale);

  const Tensor& x = call.tensor(0);
  if (x.dtype() != DType::String)
    fail("{}: the input must be a string tensor, got {}", call.where(), dtypeName(x.dtype()));
  const std::vector<int64_t>& shape = x.shape();
  const bool twoDims = shape.size() == 2;
  if (!(shape.size() == 1 || (twoDims && shape[0] == 1)))
    fail("{}: the input must have shape [C] or [1, C], got {}", call.where(), shapeToString(shape));

  std::unordered_set<std::string> stopwords;
  for (const std::string& w : stopwordsOf(call)) stopwords.insert(caseSensitive ? w : utf8Lower(w));

  std::vector<std::string> kept;
  const std::string* in = x.data<std::string>();
  for (int64_t i = 0; i < x.numElements(); ++i) {
    const std::string& s = in[i];
    if (!stopwords.empty() && stopwords.count(caseSensitive ? s : utf8Lower(s))) continue;
    kept.push_back(action == "LOWER" ? utf8Lower(s) : action == "UPPER" ? utf8Upper(s) : s);
  }
  if (kept.empty()) kept.emplace_back();  // everything dropped: one empty string

  const auto count = static_cast<int64_t>(kept.size());
  Tensor out(DType::String, twoDims ? std::vector<int64_t>{1, count} : std::vector<int64_t>{count});
  std::move(kept.begin(), kept.end(), out.data<std::string>());
  return {Value(std::move(out))};
}

}  // namespace kiln::runtime
