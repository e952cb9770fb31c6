// Template mining over failure summaries, in the spirit of the Drain log
// parser: a summary is tokenised and its variable parts masked (numbers, hex
// ids, UUIDs, paths, URLs, quoted strings, timestamps, e-mail addresses);
// summaries with the same token count and first token whose tokens agree in
// at least `similarity` of the positions share a pattern, whose template
// shows the positions that vary as <*>. Pure and deterministic: the triage
// actor and `arc triage classify` use this same code.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace arc {

// The masked tokens of a summary, e.g. "GET <URL> failed: HTTP <NUM> Bad Gateway".
std::vector<std::string> mask_tokens(const std::string& summary);

struct Pattern {
  std::string fingerprint;           // 16 hex digits; stable for the pattern's life
  std::vector<std::string> tokens;   // the template, <*> where summaries differ
  std::string text() const;          // tokens joined by spaces
};

class TemplateMiner {
 public:
  explicit TemplateMiner(double similarity = 0.5) : similarity_(similarity) {}

  // Adds a known pattern (e.g. loaded from failure_patterns).
  void add_pattern(const std::string& fingerprint, const std::string& template_text);
  // Assigns a summary to its pattern (created or generalised as needed) and
  // returns the pattern's index; pattern(i) stays valid until the next add.
  size_t add(const std::string& summary);
  const Pattern& pattern(size_t i) const { return patterns_[i]; }
  size_t size() const { return patterns_.size(); }

 private:
  double similarity_;
  std::vector<Pattern> patterns_;
  std::map<std::pair<size_t, std::string>, std::vector<size_t>> groups_;  // (length, first token)
};

// FNV-1a 64 of the text, as 16 hex digits.
std::string fingerprint_of(const std::string& text);

}  // namespace arc
