// "637 failures, one power cord", replayed with a simulated clock: an
// operator bulk-closes 637 tasks within about an hour with hand-written,
// near-identical summaries; genuine failures of 3 kinds are spread over 48 h.
// Triage runs every 10 minutes of simulated time.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <random>

#include "core/time_text.hpp"
#include "storage/report.hpp"
#include "storage/schema.hpp"
#include "storage/triage.hpp"
#include "support/temp_dir.hpp"

namespace arc {
namespace {

millis at(const char* iso) { return *parse_iso_instant(iso); }
constexpr millis kMinute = 60'000, kHour = 60 * kMinute;

class TriageScenario : public ::testing::Test {
 protected:
  TriageScenario() : clock_(at("2026-04-01T00:00:00Z")) {
    OpenOptions oo;
    oo.synchronous = "normal";
    db_ = open_database(dir_.file("t.db"), oo);
    store_ = std::make_unique<TaskStore>(*db_, clock_);
  }
  struct Failure { millis at; std::string summary; };
  // Replays failures (sorted by time) with triage every 10 minutes, until `end`.
  void replay(std::vector<Failure> failures, millis end) {
    std::sort(failures.begin(), failures.end(), [](auto& a, auto& b) { return a.at < b.at; });
    size_t next = 0;
    for (millis t = clock_.now_ms(); t <= end; t += 10 * kMinute) {
      for (; next < failures.size() && failures[next].at <= t; ++next) {
        clock_.set(failures[next].at);
        in_transaction(*db_, [&] {
          TaskSpec s;
          s.subject = "work";
          int64_t id = store_->create(s, "test").id;
          ASSERT_TRUE(store_->close(id, TaskStatus::failed, failures[next].summary, "test").ok());
        });
      }
      clock_.set(t);
      in_transaction(*db_, [&] { return run_triage(*store_, cfg_); });
    }
  }
  int64_t count(const std::string& where) { return db_->scalar_int("SELECT count(*) FROM tasks WHERE " + where); }

  test::TempDir dir_;
  SimClock clock_;
  std::unique_ptr<Db> db_;
  std::unique_ptr<TaskStore> store_;
  TriageConfig cfg_;
  std::mt19937 rng_{42};
};

// What people type when they bulk-close after an outage: near-identical, not identical.
std::string human_summary(std::mt19937& rng, int i) {
  static const char* forms[] = {
      "failed by admin not processes",
      "stale: bulk triage after compute outage",
      "bulk closed after host lost power",
      "admin: killed, host went down",
      "compute outage - closing stale task %d",
      "Stale after outage (whoabuddy bulk triage)",
      "host down, task %d never finished",
      "marking failed: power loss on dispatch host",
      "killed during outage; see incident notes",
      "failed - bulk cleanup %d",
  };
  char buf[200];
  std::snprintf(buf, sizeof buf, forms[rng() % 10], 1000 + i);
  return buf;
}

TEST_F(TriageScenario, SixHundredThirtySevenFailuresOnePowerCord) {
  std::vector<Failure> f;
  millis outage = at("2026-04-02T14:00:00Z");
  for (int i = 0; i < 637; ++i) f.push_back({outage + static_cast<millis>(rng_() % 60) * kMinute + i, human_summary(rng_, i)});
  // Genuine failures over 48 h, of 3 kinds, away from the outage.
  int genuine = 0;
  for (millis t = at("2026-04-01T01:00:00Z"); t < at("2026-04-03T01:00:00Z"); t += 97 * kMinute) {
    if (t > outage - 3 * kHour && t < outage + 4 * kHour) continue;
    int k = genuine++ % 3;
    int n = static_cast<int>(rng_() % 90000);
    if (k == 0) f.push_back({t, "GET https://api.github.com/repos/arc/x/pulls/" + std::to_string(n) + " failed: HTTP 502 Bad Gateway"});
    if (k == 1) f.push_back({t, "git merge failed: CONFLICT (content): Merge conflict in src/mod" + std::to_string(n % 7) + "/file.ts"});
    if (k == 2) f.push_back({t, "transaction rejected: nonce too low (account nonce " + std::to_string(n) + ", tx nonce " + std::to_string(n - 3) + ")"});
  }
  replay(f, at("2026-04-03T06:00:00Z"));

  auto incidents = list_incidents(*db_, false, 0);
  ASSERT_EQ(incidents.size(), 1u);
  EXPECT_EQ(incidents[0].kind, "outage");
  EXPECT_EQ(incidents[0].failure_count, 637);
  EXPECT_NE(incidents[0].closed_at, 0);  // closed after the quiet period
  // Every failure is in the outage's window or has a pattern; none is both.
  std::string in_window = "finished_at BETWEEN " + std::to_string(incidents[0].window_start) + " AND " +
                          std::to_string(incidents[0].window_end);
  EXPECT_EQ(count("status = 'failed' AND " + in_window), 637);
  EXPECT_EQ(count("status = 'failed' AND " + in_window + " AND pattern_fingerprint IS NOT NULL"), 0);
  EXPECT_EQ(count("status = 'failed' AND NOT (" + in_window + ") AND pattern_fingerprint IS NULL"), 0);
  int64_t in_outage = db_->scalar_int("SELECT min(id) FROM tasks WHERE status = 'failed' AND " + in_window);
  EXPECT_EQ(store_->get(in_outage)->incident_id, incidents[0].id);  // `arc tasks show` names the outage
  EXPECT_EQ(count("source LIKE 'triage:pattern:%'"), 3);
  EXPECT_EQ(count("1"), static_cast<int64_t>(f.size()) + 3);  // no other task created
  auto report = build_report(*db_, at("2026-03-31T00:00:00Z"), clock_.now_ms());
  EXPECT_EQ(report.failed, 637 + genuine);
  EXPECT_EQ(report.failed_in_incidents, 637);
  EXPECT_DOUBLE_EQ(report.failure_rate_without_incidents, 1.0);  // only failures here: genuine / genuine
  EXPECT_EQ(report.top_patterns.size(), 3u);
  std::printf("power cord: %zu failures, 1 outage incident of %lld, %d genuine failures in 3 patterns, "
              "%lld investigations\n", f.size(), static_cast<long long>(incidents[0].failure_count), genuine,
              static_cast<long long>(count("source LIKE 'triage:pattern:%'")));
}

TEST_F(TriageScenario, BelowTheThresholdFivePatternsGiveFiveInvestigationsAndNoIncident) {
  std::vector<Failure> f;
  millis start = at("2026-04-01T10:00:00Z");
  for (int i = 0; i < 150; ++i) {
    millis t = start + i * 48'000;  // 150 in 2 hours
    int n = static_cast<int>(rng_() % 5000);
    switch (i % 5) {
      case 0: f.push_back({t, "killed at its timeout after " + std::to_string(60 * (1 + n % 30)) + " s"}); break;
      case 1: f.push_back({t, "PR #" + std::to_string(n) + " in arc/repo" + std::to_string(n % 3) + " is already closed; nothing to review"}); break;
      case 2: f.push_back({t, "dial tcp: lookup host" + std::to_string(n) + ".example.com on 127.0.0.53:53: no such host"}); break;
      case 3: f.push_back({t, "database is locked (SQLITE_BUSY) after " + std::to_string(n) + " ms"}); break;
      case 4: f.push_back({t, "npm test failed: " + std::to_string(n % 9 + 1) + " of 120 tests failed in lib/t" + std::to_string(n) + ".ts"}); break;
    }
  }
  replay(f, start + 6 * kHour);
  EXPECT_EQ(list_incidents(*db_, false, 0).size(), 0u);
  EXPECT_EQ(count("source LIKE 'triage:pattern:%'"), 5);
  EXPECT_EQ(db_->scalar_int("SELECT count(*) FROM failure_patterns"), 5);
}

TEST_F(TriageScenario, AnInvestigationIsReopenedOnlyIfThePatternRecursAfterItClosed) {
  auto fail_n = [&](millis from, int n) {
    std::vector<Failure> f;
    for (int i = 0; i < n; ++i) f.push_back({from + i * kMinute, "npm test failed: 3 of 9 tests failed in lib/x" + std::to_string(i) + ".ts"});
    return f;
  };
  millis t0 = at("2026-04-01T01:00:00Z");
  replay(fail_n(t0, 4), t0 + 3 * kHour);
  ASSERT_EQ(count("source LIKE 'triage:pattern:%'"), 1);
  replay(fail_n(t0 + 4 * kHour, 3), t0 + 7 * kHour);  // more while it is open: nothing new
  EXPECT_EQ(count("source LIKE 'triage:pattern:%'"), 1);
  int64_t inv = db_->scalar_int("SELECT id FROM tasks WHERE source LIKE 'triage:pattern:%'");
  ASSERT_TRUE(in_transaction(*db_, [&] { return store_->close(inv, TaskStatus::completed, "fixed the flaky test", "test"); }).ok());
  replay({}, t0 + 10 * kHour);  // closed, no recurrence: nothing new
  EXPECT_EQ(count("source LIKE 'triage:pattern:%'"), 1);
  replay(fail_n(t0 + 11 * kHour, 3), t0 + 15 * kHour);  // it recurs after the close
  EXPECT_EQ(count("source LIKE 'triage:pattern:%'"), 2);
}

// Outage membership is by window: a failure in a lull inside the outage
// belongs to it, one after it does not, and rescans (every 10 minutes while
// the outage goes on) never count a failure twice.
TEST_F(TriageScenario, AFailureInsideAnOutagesWindowBelongsToItAndIsCountedOnce) {
  std::vector<Failure> f;
  millis start = at("2026-04-01T10:00:00Z");
  for (int i = 0; i < 300; ++i) f.push_back({start + i * 6'000, "connection refused"});  // 300 in 30 min
  // A lull of 20 min (< quiet 30 min) with one failure in it, then the burst goes on.
  f.push_back({start + 40 * kMinute, "npm test failed: 1 of 9 tests failed in lib/x.ts"});
  for (int i = 0; i < 300; ++i) f.push_back({start + 50 * kMinute + i * 6'000, "connection refused"});
  // Long after the outage (past the quiet period): a lone failure of the same kind.
  f.push_back({start + 4 * kHour, "npm test failed: 1 of 9 tests failed in lib/y.ts"});
  replay(f, start + 8 * kHour);
  auto incidents = list_incidents(*db_, false, 0);
  ASSERT_EQ(incidents.size(), 1u);
  EXPECT_EQ(incidents[0].failure_count, 601);
  EXPECT_EQ(incidents[0].window_start, start);
  EXPECT_EQ(count("status = 'failed' AND pattern_fingerprint IS NOT NULL"), 1);  // only the later one
  int64_t lull = db_->scalar_int("SELECT id FROM tasks WHERE finished_at = " + std::to_string(start + 40 * kMinute));
  EXPECT_EQ(store_->get(lull)->incident_id, incidents[0].id);
  int64_t later = db_->scalar_int("SELECT id FROM tasks WHERE finished_at = " + std::to_string(start + 4 * kHour));
  EXPECT_EQ(store_->get(later)->incident_id, 0);
  EXPECT_EQ(build_report(*db_, 0, clock_.now_ms()).failed_in_incidents, 601);
}

// A flood: more failures within two windows than a scan reads. The scan
// reads the flood whole (a chunk must reach past two windows to make
// progress), so the scans end and every failure is in the outage.
TEST_F(TriageScenario, AFloodLargerThanAScanChunkStillMakesProgress) {
  cfg_.scan_chunk = 10;
  cfg_.outage_threshold = 20;
  std::vector<Failure> f;
  millis start = at("2026-04-01T10:00:00Z");
  for (int i = 0; i < 400; ++i) f.push_back({start + i * 1000, "connection refused"});  // 400 in 7 minutes
  replay(f, start + 10 * kMinute);
  int scans = 0;
  clock_.set(start + 3 * kHour);
  for (bool more = true; more && scans < 100; ++scans)
    more = in_transaction(*db_, [&] { return run_triage(*store_, cfg_); }).more;
  EXPECT_LT(scans, 100) << "triage rescans the same chunk forever";
  auto incidents = list_incidents(*db_, false, 0);
  ASSERT_EQ(incidents.size(), 1u);
  EXPECT_EQ(incidents[0].failure_count, 400);
  EXPECT_EQ(count("pattern_fingerprint IS NOT NULL"), 0);
}

}  // namespace
}  // namespace arc
