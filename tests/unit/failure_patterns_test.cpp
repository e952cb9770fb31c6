// Template mining: masking, grouping, and its accuracy on a labelled set of
// 330 realistic failure summaries (tests/data/failure_summaries.tsv).
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>

#include "core/failure_patterns.hpp"

namespace arc {
namespace {

std::string joined(const std::string& s) {
  std::string out;
  for (auto& t : mask_tokens(s)) out += (out.empty() ? "" : " ") + t;
  return out;
}

TEST(FailurePatterns, MasksTheVariableParts) {
  EXPECT_EQ(joined("GET https://api.github.com/repos/x/pulls?page=2 failed: HTTP 502 Bad Gateway"),
            "GET <URL> failed: HTTP <NUM> Bad Gateway");
  EXPECT_EQ(joined("token 94180e0e-f88f-5ce4-b4d9-621519499175 expired at 2026-10-10T22:04:51Z"),
            "token <UUID> expired at <TS>");
  EXPECT_EQ(joined("conflict at commit 4fa3b2c9d1e0 in src/a/b.ts"), "conflict at commit <HEX> in <PATH>");
  EXPECT_EQ(joined("query 'zero knowledge proofs' returned 0"), "query <STR> returned <NUM>");
  EXPECT_EQ(joined("PR #2283 (nonce 17, tx-99) by ops@example.com"), "PR #<NUM> (nonce <NUM>, tx-<NUM>) by <EMAIL>");
}

TEST(FailurePatterns, GroupsAndGeneralises) {
  TemplateMiner m;
  size_t a = m.add("PR #12 in a/b is already closed; nothing to review");
  size_t b = m.add("PR #977 in c/d is already closed; nothing to review");
  size_t c = m.add("dial tcp: lookup api.github.com on 127.0.0.53:53: no such host");
  size_t d = m.add("dial tcp: lookup hooks.slack.com on 127.0.0.53:53: no such host");
  EXPECT_EQ(a, b);
  EXPECT_EQ(c, d);
  EXPECT_NE(a, c);
  EXPECT_EQ(m.pattern(c).text(), "dial tcp: lookup <*> on <IP>: no such host");
  // The fingerprint is the first template's and survives generalisation.
  EXPECT_EQ(m.pattern(c).fingerprint, fingerprint_of("dial tcp: lookup api.github.com on <IP>: no such host"));
}

TEST(FailurePatterns, KnownPatternsAreReused) {
  TemplateMiner m;
  m.add_pattern("00000000000000aa", "npm test failed: <NUM> of <NUM> tests failed in <PATH>");
  size_t i = m.add("npm test failed: 3 of 40 tests failed in lib/x.ts");
  EXPECT_EQ(m.pattern(i).fingerprint, "00000000000000aa");
  EXPECT_EQ(m.size(), 1u);
}

TEST(FailurePatterns, GroupingAccuracyOnTheLabelledSetIsAtLeast95Percent) {
  std::ifstream in(std::string(ARC_SOURCE_DIR) + "/tests/data/failure_summaries.tsv");
  ASSERT_TRUE(in.good());
  std::vector<std::pair<std::string, std::string>> rows;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    auto tab = line.find('\t');
    rows.emplace_back(line.substr(0, tab), line.substr(tab + 1));
  }
  ASSERT_GE(rows.size(), 300u);
  TemplateMiner m;
  std::vector<std::string> predicted;
  std::vector<size_t> idx;
  for (auto& [label, text] : rows) idx.push_back(m.add(text));
  for (size_t i : idx) predicted.push_back(m.pattern(i).fingerprint);
  // Grouping accuracy (as for Drain): a summary is right when its predicted
  // group holds exactly the summaries of its true group.
  std::map<std::string, std::set<size_t>> by_label, by_pred;
  for (size_t i = 0; i < rows.size(); ++i) {
    by_label[rows[i].first].insert(i);
    by_pred[predicted[i]].insert(i);
  }
  size_t right = 0;
  for (size_t i = 0; i < rows.size(); ++i) right += by_label[rows[i].first] == by_pred[predicted[i]];
  double accuracy = static_cast<double>(right) / static_cast<double>(rows.size());
  std::printf("triage clustering: %zu summaries, %zu true patterns, %zu found, grouping accuracy %.3f\n",
              rows.size(), by_label.size(), by_pred.size(), accuracy);
  for (auto& [fp, members] : by_pred)
    if (members.size() < 3) std::printf("  small group %s: %s\n", fp.c_str(), rows[*members.begin()].second.c_str());
  EXPECT_GE(accuracy, 0.95);
}

}  // namespace
}  // namespace arc
