#include "ir/einsum_equation.h"

#include <algorithm>
#include <map>
#include <set>

#include "ir/error.h"

namespace kiln::ir {

namespace {

int letterLabel(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return 26 + (c - 'a');
  return -1;
}

// One term of the equation: letters with at most one "...". `ellipsisAt` is
// the number of letters before the ellipsis, or -1 when there is none.
struct Term {
  std::vector<int> letters;
  int ellipsisAt = -1;
};

Term parseTerm(const std::string& s, const std::string& equation) {
  Term t;
  for (size_t i = 0; i < s.size();) {
    char c = s[i];
    if (c == '.') {
      if (s.compare(i, 3, "...") != 0) fail("einsum equation '{}': '.' outside an ellipsis '...'", equation);
      if (t.ellipsisAt >= 0) fail("einsum equation '{}': a term has two ellipses", equation);
      t.ellipsisAt = static_cast<int>(t.letters.size());
      i += 3;
      continue;
    }
    int label = letterLabel(c);
    if (label < 0) fail("einsum equation '{}': invalid character '{}'", equation, c);
    t.letters.push_back(label);
    ++i;
  }
  return t;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> parts(1);
  for (char c : s) {
    if (c == sep) parts.emplace_back();
    else parts.back() += c;
  }
  return parts;
}

}  // namespace

std::vector<int> EinsumEquation::allLabels() const {
  std::set<int> labels;
  for (const auto& in : inputs) labels.insert(in.begin(), in.end());
  labels.insert(output.begin(), output.end());
  return {labels.begin(), labels.end()};
}

std::vector<int> EinsumEquation::contractedLabels() const {
  std::vector<int> out;
  for (int label : allLabels())
    if (std::find(output.begin(), output.end(), label) == output.end()) out.push_back(label);
  return out;
}

std::string einsumLabelName(int label) {
  if (label >= EinsumEquation::kEllipsisLabel) return "..." + std::to_string(label - EinsumEquation::kEllipsisLabel);
  if (label < 26) return std::string(1, static_cast<char>('A' + label));
  return std::string(1, static_cast<char>('a' + (label - 26)));
}

EinsumEquation parseEinsumEquation(const std::string& equation, const std::vector<int64_t>& ranks) {
  std::string eq;
  for (char c : equation)
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') eq += c;
  size_t arrow = eq.find("->");
  bool explicitOutput = arrow != std::string::npos;
  std::string lhs = explicitOutput ? eq.substr(0, arrow) : eq;
  std::string rhs = explicitOutput ? eq.substr(arrow + 2) : std::string();
  if (rhs.find("->") != std::string::npos || rhs.find(',') != std::string::npos)
    fail("einsum equation '{}': the output must be a single term", equation);
  if (lhs.find('-') != std::string::npos || lhs.find('>') != std::string::npos)
    fail("einsum equation '{}': misplaced '->'", equation);

  std::vector<std::string> terms = split(lhs, ',');
  if (terms.size() != ranks.size())
    fail("einsum equation '{}' has {} operand term(s) but the node has {} input(s)", equation, terms.size(),
         ranks.size());

  EinsumEquation result;
  std::vector<Term> parsed;
  std::vector<int64_t> ellipsisRanks;
  for (size_t k = 0; k < terms.size(); ++k) {
    Term t = parseTerm(terms[k], equation);
    auto letters = static_cast<int64_t>(t.letters.size());
    int64_t rank = ranks[k];
    if (t.ellipsisAt < 0 && letters != rank)
      fail("einsum equation '{}': term {} names {} dim(s) but input {} has rank {}", equation, k, letters, k,
           rank);
    if (t.ellipsisAt >= 0 && letters > rank)
      fail("einsum equation '{}': term {} names {} dim(s) but input {} has rank {}", equation, k, letters, k,
           rank);
    int64_t e = t.ellipsisAt >= 0 ? rank - letters : 0;
    ellipsisRanks.push_back(e);
    result.ellipsisDims = std::max(result.ellipsisDims, static_cast<int>(e));
    parsed.push_back(std::move(t));
  }

  // Operand labels; ellipsis dims right-aligned into the broadcast ellipsis shape.
  std::map<int, int> letterCount;
  for (size_t k = 0; k < parsed.size(); ++k) {
    const Term& t = parsed[k];
    std::vector<int> labels;
    for (size_t i = 0; i <= t.letters.size(); ++i) {
      if (static_cast<int>(i) == t.ellipsisAt) {
        int64_t e = ellipsisRanks[k];
        for (int64_t j = 0; j < e; ++j)
          labels.push_back(EinsumEquation::kEllipsisLabel + static_cast<int>(result.ellipsisDims - e + j));
      }
      if (i < t.letters.size()) {
        labels.push_back(t.letters[i]);
        ++letterCount[t.letters[i]];
      }
    }
    result.inputs.push_back(std::move(labels));
  }

  if (!explicitOutput) {
    for (int j = 0; j < result.ellipsisDims; ++j) result.output.push_back(EinsumEquation::kEllipsisLabel + j);
    for (const auto& [label, count] : letterCount)
      if (count == 1) result.output.push_back(label);
    return result;
  }

  Term out = parseTerm(rhs, equation);
  std::set<int> seen;
  for (size_t i = 0; i <= out.letters.size(); ++i) {
    if (static_cast<int>(i) == out.ellipsisAt) {
      for (int j = 0; j < result.ellipsisDims; ++j) result.output.push_back(EinsumEquation::kEllipsisLabel + j);
    }
    if (i == out.letters.size()) break;
    int label = out.letters[i];
    if (!letterCount.count(label))
      fail("einsum equation '{}': output label '{}' names no input dim", equation, einsumLabelName(label));
    if (!seen.insert(label).second)
      fail("einsum equation '{}': output label '{}' is repeated", equation, einsumLabelName(label));
    result.output.push_back(label);
  }
  return result;
}

}  // namespace kiln::ir
