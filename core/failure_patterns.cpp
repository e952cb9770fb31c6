#include "core/failure_patterns.hpp"

#include <cctype>
#include <cstdio>
#include <string_view>

namespace arc {
namespace {

const std::string kAny = "<*>";

bool is_hex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool all_of(const std::string& s, bool (*pred)(char)) {
  if (s.empty()) return false;
  for (char c : s)
    if (!pred(c)) return false;
  return true;
}

bool looks_uuid(const std::string& s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !is_hex(s[i])) return false;
  }
  return true;
}

bool looks_ip(const std::string& s) {
  // 127.0.0.53 or 127.0.0.53:53
  int dots = 0, digits = 0;
  for (char c : s) {
    if (c == '.') ++dots;
    else if (is_digit(c)) ++digits;
    else if (c != ':') return false;
  }
  return dots == 3 && digits >= 4;
}

bool looks_timestamp(const std::string& s) {
  // 2026-05-14, 2026-05-14T03:00:00Z, 03:00:00, 2026/05/14
  if (s.size() < 8) return false;
  int digits = 0, seps = 0;
  for (char c : s) {
    if (is_digit(c)) ++digits;
    else if (c == '-' || c == ':' || c == 'T' || c == 'Z' || c == '.' || c == '+' || c == '/') ++seps;
    else return false;
  }
  return digits >= 6 && seps >= 2 && (s.find(':') != std::string::npos || s.find('-') != std::string::npos);
}

bool looks_number(const std::string& s) {
  bool digit = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (is_digit(c)) digit = true;
    else if (!((c == '.' || c == ',' || c == '_') && i > 0) && !((c == '-' || c == '+') && i == 0)) return false;
  }
  return digit;
}

bool looks_hex_id(const std::string& s) {
  if (s.size() < 7 || !all_of(s, is_hex)) return false;
  bool digit = false, letter = false;
  for (char c : s) (is_digit(c) ? digit : letter) = true;
  return digit && (letter || s.size() >= 12);
}

// Masks one token's core (punctuation around it is kept by the caller).
std::string mask_core(const std::string& t) {
  if (t.empty()) return t;
  if (looks_uuid(t)) return "<UUID>";
  if (looks_ip(t)) return "<IP>";
  if (looks_timestamp(t)) return "<TS>";
  if (looks_number(t)) return "<NUM>";
  if (looks_hex_id(t)) return "<HEX>";
  if (t.find('@') != std::string::npos && t.find('.') != std::string::npos) return "<EMAIL>";
  if (t.find('/') != std::string::npos || (t.size() > 1 && t[0] == '~')) return "<PATH>";
  // Long alphanumeric ids (wallet addresses, tokens): letters and digits, 20+ long.
  bool has_digit = false;
  for (char c : t) has_digit = has_digit || is_digit(c);
  if (t.size() >= 20 && has_digit && all_of(t, [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }))
    return "<ID>";
  // Digits inside a word ("pr-123", "#42", "v2"): mask each digit run.
  if (!has_digit) return t;
  std::string out;
  for (size_t i = 0; i < t.size();) {
    if (is_digit(t[i])) {
      while (i < t.size() && is_digit(t[i])) ++i;
      out += "<NUM>";
    } else {
      out += t[i++];
    }
  }
  return out;
}

std::string mask_word(const std::string& w) {
  static constexpr std::string_view kOpen = "([{<\"'", kClose = ")]}>,;:.!?\"'";
  size_t b = 0, e = w.size();
  while (b < e && kOpen.find(w[b]) != std::string_view::npos) ++b;
  while (e > b && kClose.find(w[e - 1]) != std::string_view::npos) --e;
  if (b == 0 && e == w.size()) return mask_core(w);  // the common case: no punctuation to keep
  return w.substr(0, b) + mask_core(w.substr(b, e - b)) + w.substr(e);
}

}  // namespace

std::vector<std::string> mask_tokens(const std::string& summary) {
  std::vector<std::string> out;
  const std::string& s = summary;
  size_t i = 0, n = std::min<size_t>(s.size(), 4000);
  while (i < n) {
    while (i < n && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    if (i >= n) break;
    // A quoted string is one token, whatever it holds.
    if (s[i] == '"' || s[i] == '\'') {
      size_t close = s.find(s[i], i + 1);
      bool word_boundary = close != std::string::npos && close <= n && close - i <= 200 &&
                           (close + 1 >= n || !std::isalnum(static_cast<unsigned char>(s[close + 1])));
      if (word_boundary) {
        size_t e = close + 1;
        while (e < n && !std::isspace(static_cast<unsigned char>(s[e]))) ++e;
        out.push_back("<STR>" + s.substr(close + 1, e - close - 1));
        i = e;
        continue;
      }
    }
    size_t e = i;
    while (e < n && !std::isspace(static_cast<unsigned char>(s[e]))) ++e;
    std::string word = s.substr(i, e - i);
    i = e;
    auto scheme = word.find("://");
    if (scheme != std::string::npos && scheme > 0 && scheme < 10) out.push_back("<URL>");
    else out.push_back(mask_word(word));
  }
  return out;
}

std::string Pattern::text() const {
  std::string t;
  for (size_t i = 0; i < tokens.size(); ++i) t += (i ? " " : "") + tokens[i];
  return t;
}

std::string fingerprint_of(const std::string& text) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

void TemplateMiner::add_pattern(const std::string& fingerprint, const std::string& template_text) {
  Pattern p;
  p.fingerprint = fingerprint;
  size_t i = 0;
  while (i < template_text.size()) {
    size_t e = template_text.find(' ', i);
    if (e == std::string::npos) e = template_text.size();
    if (e > i) p.tokens.push_back(template_text.substr(i, e - i));
    i = e + 1;
  }
  if (p.tokens.empty()) return;
  groups_[{p.tokens.size(), p.tokens[0]}].push_back(patterns_.size());
  patterns_.push_back(std::move(p));
}

size_t TemplateMiner::add(const std::string& summary) {
  auto tokens = mask_tokens(summary);
  if (tokens.empty()) tokens.push_back("<EMPTY>");
  auto& group = groups_[{tokens.size(), tokens[0]}];
  size_t best = SIZE_MAX;
  double best_score = -1;
  for (size_t idx : group) {
    const auto& t = patterns_[idx].tokens;
    size_t same = 0;
    for (size_t k = 0; k < t.size(); ++k) same += t[k] == tokens[k] || t[k] == kAny;
    double score = static_cast<double>(same) / static_cast<double>(t.size());
    if (score > best_score) best_score = score, best = idx;
  }
  if (best != SIZE_MAX && best_score >= similarity_) {
    auto& t = patterns_[best].tokens;
    for (size_t k = 0; k < t.size(); ++k)
      if (t[k] != tokens[k]) t[k] = kAny;
    return best;
  }
  Pattern p;
  p.tokens = std::move(tokens);
  p.fingerprint = fingerprint_of(p.text());
  group.push_back(patterns_.size());
  patterns_.push_back(std::move(p));
  return patterns_.size() - 1;
}

}  // namespace arc
