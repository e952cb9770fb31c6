// "19 hours dark", replayed with a simulated clock in well under a second.
//
// 03:00 UTC, 14 May: a run ends with Claude's "You've hit your limit · resets
// 5pm (America/Chicago)". Sensors keep queuing for 19.5 hours: PR reviews
// sharing the repo lock (and re-queued under the same source), arXiv digests
// (stale after 6 h), watch reports (stale after 2 h), health alerts with a
// 1-hour expiry. The real parsers, store, gate and resume preparation run;
// only executors and wall time are simulated: 2 slots, each run 7 minutes.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "core/claude_output.hpp"
#include "core/time_text.hpp"
#include "storage/dispatch_ops.hpp"
#include "storage/gate_store.hpp"
#include "storage/schema.hpp"
#include "support/temp_dir.hpp"

namespace arc {
namespace {

millis at(const char* iso) { return *parse_iso_instant(iso); }
constexpr millis kMinute = 60'000;

struct SimRun {
  int64_t task;
  millis started, ends;
  std::vector<std::string> locks;
};

// What `claude -p --output-format stream-json` prints when the quota is out.
ProcessResult rate_limited_run() {
  ProcessResult r;
  r.exit_code = 1;
  r.out = "{\"type\":\"system\",\"subtype\":\"init\",\"session_id\":\"s\"}\n"
          "{\"type\":\"result\",\"subtype\":\"success\",\"is_error\":true,"
          "\"result\":\"You've hit your limit \xC2\xB7 resets 5pm (America/Chicago)\",\"session_id\":\"s\"}\n";
  return r;
}

ProcessResult good_run() {
  ProcessResult r;
  r.exit_code = 0;
  r.out = "{\"type\":\"result\",\"subtype\":\"success\",\"is_error\":false,\"result\":\"done\","
          "\"total_cost_usd\":0.02,\"usage\":{\"input_tokens\":10,\"output_tokens\":5}}\n";
  return r;
}

TEST(Scenario, NineteenHoursDark) {
  test::TempDir dir;
  SimClock clock(at("2026-05-14T02:00:00Z"));
  OpenOptions oo;
  oo.synchronous = "normal";  // simulated time: durability is not what this test measures
  auto db = open_database(dir.file("dark.db"), oo);
  TaskStore store(*db, clock, RetryPolicy{60'000, 600'000});
  GateConfig gc;
  gc.resume_margin_ms = 0;
  gc.max_age_by_skill["arxiv"] = 6 * 60 * kMinute;
  gc.max_age_by_source["sensor:watch:"] = 2 * 60 * kMinute;
  const std::string owner = "sim-1";
  const millis quota_out = at("2026-05-14T03:00:00Z");
  const millis reset = at("2026-05-14T22:00:00Z");  // 5pm CDT
  const millis feed_end = quota_out + 19 * 60 * kMinute + 30 * kMinute;

  int created = 0, deduplicated = 0;
  auto add = [&](const std::string& subject, std::vector<std::string> skills, std::string source,
                 std::vector<std::string> locks, millis expires) {
    TaskSpec s;
    s.subject = subject;
    s.skills = std::move(skills);
    s.source = std::move(source);
    s.locks = std::move(locks);
    s.expires_at = expires;
    auto r = in_transaction(*db, [&] { return store.create(s, "sensor"); });
    (r.created ? created : deduplicated)++;
  };
  int feed_n = 0;
  auto feed = [&](millis now) {
    int n = feed_n++;
    add("review PR " + std::to_string(n % 5), {"review"}, "sensor:github:pr-" + std::to_string(n % 5),
        {"repo"}, 0);
    if (n % 4 == 0) add("arXiv digest " + std::to_string(n), {"arxiv"}, "", {}, 0);
    if (n % 2 == 0) add("watch report " + std::to_string(n), {"report"}, "sensor:watch:" + std::to_string(n), {}, 0);
    if (n % 3 == 0) add("health alert " + std::to_string(n), {"health"}, "", {}, now + 60 * kMinute);
  };

  std::vector<SimRun> running, done;
  std::vector<millis> claims;  // start time of every run
  int claims_tried_while_stopped = 0;
  millis next_feed = clock.now_ms();
  bool quota_hit = false;
  millis resumed_at = 0;
  // A long-running task is in flight when the quota runs out at 03:00.
  add("overnight report", {"report"}, "", {}, 0);

  for (int guard = 0; guard < 100'000; ++guard) {
    millis now = clock.now_ms();
    if (now >= next_feed && now <= feed_end) {
      feed(now);
      next_feed += 30 * kMinute;
    }
    // Runs ending now report their outcome to the store and the gate.
    for (size_t i = 0; i < running.size();) {
      if (running[i].ends > now) { ++i; continue; }
      bool limited = running[i].ends >= quota_out && running[i].ends < reset;
      ExecOutcome x = interpret_claude_output(limited ? rate_limited_run() : good_run());
      if (limited) quota_hit = true;
      TaskOutcome o{running[i].task, owner, x, 7 * kMinute};
      in_transaction(*db, [&] { return record_outcome(store, gc, o); });
      done.push_back(running[i]);
      running.erase(running.begin() + static_cast<long>(i));
    }
    // The queue's housekeeping (every 2 s in arcd) ages out expired tasks.
    in_transaction(*db, [&] { return store.expire_stale("queue"); });
    auto tick = in_transaction(*db, [&] { return apply_gate(*db, store, gc, GateCommand{}); });
    if (tick.change.changed && tick.change.to == GateMode::running) resumed_at = now;
    GateState g = load_gate(*db);
    // The loop claims whatever the gate says: the claim transaction itself
    // must refuse while the gate row is stopped (a dispatcher may hold an
    // "open" word that is already stale, as a worker does for 100 ms).
    if (running.size() < 2) {
      if (now > quota_out && now < reset) ++claims_tried_while_stopped;
      auto tasks = in_transaction(*db, [&] { return store.claim(owner, 2 - static_cast<int>(running.size()), 60 * kMinute); });
      for (auto& t : tasks) {
        running.push_back({t.id, now, now + 7 * kMinute, t.locks});
        claims.push_back(now);
      }
    }
    int64_t open = db->scalar_int("SELECT count(*) FROM tasks WHERE status IN ('pending','active')");
    if (now > feed_end && open == 0 && running.empty()) break;
    // Jump to the next event: a feed, the end of a run, or the gate's resume time.
    millis next = now + 60 * kMinute;
    if (next_feed <= feed_end) next = std::min(next, next_feed);
    for (auto& r : running) next = std::min(next, r.ends);
    if (g.state == GateMode::stopped_rate_limited) next = std::min(next, g.resume_at);
    if (may_claim(g) && open > 0 && running.size() < 2) next = std::min(next, now + kMinute);  // backoff retries
    clock.set(std::max(next, now + 1));
  }

  for (auto& t : store.list({TaskStatus::pending, 10, 0}))
    ADD_FAILURE() << "left pending: " << t.subject << " scheduled " << format_iso_utc(t.scheduled_for)
                  << " attempts " << t.attempts << " locks " << t.locks.size() << " now " << format_iso_utc(clock.now_ms());
  // Dispatch stopped at 03:00 and nothing was claimed until the reset.
  EXPECT_TRUE(quota_hit);
  EXPECT_GT(claims_tried_while_stopped, 0);
  for (millis c : claims) EXPECT_FALSE(c > quota_out && c < reset) << "claimed at " << format_iso_utc(c);
  // It resumed by itself at 22:00 UTC (5pm in Chicago), to the second.
  EXPECT_NEAR(static_cast<double>(resumed_at), static_cast<double>(reset), 1000.0) << format_iso_utc(resumed_at);
  EXPECT_EQ(db->scalar_int("SELECT count(*) FROM gate_events WHERE to_state = 'running'"), 1);
  // No task failed; every task is terminal; nothing was lost.
  EXPECT_EQ(db->scalar_int("SELECT count(*) FROM tasks WHERE status = 'failed'"), 0);
  EXPECT_EQ(db->scalar_int("SELECT count(*) FROM tasks WHERE status IN ('pending','active')"), 0);
  EXPECT_EQ(db->scalar_int("SELECT count(*) FROM tasks"), created);
  int64_t completed = db->scalar_int("SELECT count(*) FROM tasks WHERE status = 'completed'");
  int64_t expired = db->scalar_int("SELECT count(*) FROM tasks WHERE status = 'expired'");
  EXPECT_EQ(completed + expired, created);
  // Every task that was stale when dispatch resumed was expired, with a
  // reason, before the first claim after the resume. (Alerts queued after
  // the resume may expire later, in the normal way.)
  millis first_after = 0;
  for (millis c : claims)
    if (c >= reset && (!first_after || c < first_after)) first_after = c;
  auto q = db->prepare(
      "SELECT t.subject, t.status, t.summary, e.at FROM tasks t "
      "LEFT JOIN task_events e ON e.task_id = t.id AND e.to_status = 'expired' "
      "WHERE t.created_at < ?1 AND t.started_at IS NULL AND ("
      "  (t.expires_at IS NOT NULL AND t.expires_at <= ?1)"
      "  OR (t.skills LIKE '%arxiv%' AND t.created_at < ?1 - ?2)"
      "  OR (t.source LIKE 'sensor:watch:%' AND t.created_at < ?1 - ?3))");
  q.bind(1, reset).bind(2, 6 * 60 * kMinute).bind(3, 2 * 60 * kMinute);
  int stale_checked = 0;
  while (q.step()) {
    ++stale_checked;
    EXPECT_EQ(q.col_text(1), "expired") << q.col_text(0);
    EXPECT_FALSE(q.col_text(2).empty()) << q.col_text(0);
    EXPECT_LE(q.col_int(3), first_after) << q.col_text(0);
  }
  EXPECT_GT(stale_checked, 10);
  EXPECT_EQ(db->scalar_int("SELECT count(*) FROM tasks WHERE status = 'expired' AND subject LIKE 'arXiv%' "
                           "AND created_at >= " + std::to_string(reset - 6 * 60 * kMinute)), 0);
  // Tasks sharing the repo lock never overlapped.
  std::vector<SimRun> repo;
  for (auto& r : done)
    if (std::find(r.locks.begin(), r.locks.end(), "repo") != r.locks.end()) repo.push_back(r);
  std::sort(repo.begin(), repo.end(), [](const SimRun& a, const SimRun& b) { return a.started < b.started; });
  for (size_t i = 1; i < repo.size(); ++i) EXPECT_GE(repo[i].started, repo[i - 1].ends);
  EXPECT_GT(deduplicated, 0);  // PR reviews re-queued under their source were not duplicated
  // The rate-limited run was given back its attempt and ran again.
  auto overnight = store.get(1);
  EXPECT_EQ(overnight->status, TaskStatus::completed);
  EXPECT_EQ(overnight->attempts, 1);
  std::printf("19 hours dark: %d tasks created (%d deduplicated), %lld completed, %lld expired as stale, "
              "resumed at %s\n", created, deduplicated, static_cast<long long>(completed),
              static_cast<long long>(expired), format_iso_utc(resumed_at).c_str());
}

}  // namespace
}  // namespace arc
