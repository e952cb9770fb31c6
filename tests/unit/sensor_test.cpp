// Sensors: cadence across restarts (simulated clock), guard windows, script
// output, and the recording of runs (dedup, streaks, health alerts).
#include <gtest/gtest.h>

#include <set>

#include "core/sensor_output.hpp"
#include "core/sensor_schedule.hpp"
#include "core/time_text.hpp"
#include "storage/gate_store.hpp"
#include "storage/schema.hpp"
#include "storage/sensor_store.hpp"
#include "support/temp_dir.hpp"

namespace arc {
namespace {

millis at(const char* iso) { return *parse_iso_instant(iso); }
constexpr millis kMinute = 60'000;

TEST(SensorCadence, ARestartDoesNotReFireBeforeItsTime) {
  SensorCadence c;
  c.interval_ms = 10 * kMinute;
  millis now = at("2026-05-14T03:00:00Z");
  EXPECT_EQ(first_run_after_start("inbox", now, now + 7 * kMinute, c), now + 7 * kMinute);
}

TEST(SensorCadence, RunsMissedWhileDownCoalesceIntoOneCatchUp) {
  SensorCadence c;
  c.interval_ms = 10 * kMinute;
  c.startup_spread_ms = 30'000;
  millis now = at("2026-05-14T22:00:00Z");
  // Down for 19 hours: 114 runs missed, one catch-up, soon.
  millis first = first_run_after_start("inbox", now, now - 19 * 60 * kMinute, c);
  EXPECT_GE(first, now);
  EXPECT_LT(first, now + 30'000);
  // After it, the normal cadence: one run per interval (+ jitter), no backlog.
  millis second = next_run_after("inbox", first, 1, c);
  EXPECT_EQ(second, first + 10 * kMinute);
}

TEST(SensorCadence, StartUpSpreadsFirstRunsAndJitterStaysInBounds) {
  SensorCadence c;
  c.interval_ms = 5 * kMinute;
  c.jitter_ms = 20'000;
  c.startup_spread_ms = 30'000;
  millis now = 1'000'000'000'000;
  std::set<millis> seconds;
  for (int i = 0; i < 10; ++i) {
    millis t = first_run_after_start("sensor-" + std::to_string(i), now, 0, c);
    EXPECT_GE(t, now);
    EXPECT_LT(t, now + 30'000);
    seconds.insert((t - now) / 1000);
  }
  EXPECT_GE(seconds.size(), 6u);  // not all in the same second
  for (int64_t n = 1; n < 50; ++n) {
    millis t = next_run_after("x", now, n, c);
    EXPECT_GE(t, now + c.interval_ms);
    EXPECT_LE(t, now + c.interval_ms + c.jitter_ms);
  }
}

TEST(SensorGuards, ClockWindowAcrossMidnightInAZone) {
  GuardWindow g;
  g.kind = GuardWindow::clock;
  g.from_minute = parse_clock_minutes("22:00");
  g.to_minute = parse_clock_minutes("06:00");
  g.zone = "America/Chicago";
  // 23:30 in Chicago (CDT) = 04:30Z: paused until 06:00 CDT = 11:00Z.
  auto v = check_guards({g}, at("2026-05-15T04:30:00Z"));
  EXPECT_TRUE(v.paused);
  EXPECT_EQ(format_iso_utc(v.until), "2026-05-15T11:00:00.000Z");
  EXPECT_NE(v.why.find("22:00-06:00 America/Chicago"), std::string::npos);
  EXPECT_FALSE(check_guards({g}, at("2026-05-15T12:00:00Z")).paused);  // 07:00 CDT
}

TEST(SensorGuards, DatesAndCounters) {
  GuardWindow d;
  d.kind = GuardWindow::dates;
  d.from_date = "2026-12-24";
  d.to_date = "2026-12-26";
  auto v = check_guards({d}, at("2026-12-25T10:00:00Z"));
  EXPECT_TRUE(v.paused);
  EXPECT_EQ(format_iso_utc(v.until), "2026-12-27T00:00:00.000Z");
  EXPECT_FALSE(check_guards({d}, at("2026-12-27T00:00:01Z")).paused);
  GuardWindow c;
  c.kind = GuardWindow::counter;
  c.counter_from = 943050;
  c.counter_to = 943500;
  EXPECT_TRUE(check_guards({c}, 0, true, 943100).paused);
  EXPECT_FALSE(check_guards({c}, 0, true, 943501).paused);
  EXPECT_FALSE(check_guards({c}, 0, false, 0).paused);  // not evaluated without the counter
  GuardWindow bad = d;
  bad.zone = "Nowhere/Land";
  EXPECT_FALSE(check_guards({bad}, at("2026-12-25T10:00:00Z")).error.empty());
}

TEST(SensorOutput, MalformedLinesAreSkippedWithTheirNumbersAndTheRestKept) {
  millis now = at("2026-05-14T03:00:00Z");
  std::string out =
      "{\"subject\":\"review PR 7\",\"priority\":2,\"skills\":[\"review\"],\"source\":\"pr-7\",\"locks\":[\"repo\"]}\n"
      "not json at all\n"
      "\n"
      "{\"subject\":\"digest\",\"max_age\":\"6h\",\"scheduled_for\":\"+10m\"}\n"
      "{\"subject\":\"\"}\n"
      "{\"subject\":\"x\",\"priority\":\"high\"}\n"
      "{\"subject\":\"x\",\"colour\":\"red\"}\n"
      "{\"subject\":\"alert\",\"source\":\"health:disk\",\"expires_at\":\"2026-05-14T04:00:00Z\"}\n";
  auto r = parse_sensor_output(out, now, "sensor:inbox:");
  ASSERT_EQ(r.specs.size(), 3u);
  EXPECT_EQ(r.specs[0].source, "sensor:inbox:pr-7");
  EXPECT_EQ(r.specs[0].locks, std::vector<std::string>{"repo"});
  EXPECT_EQ(r.specs[1].scheduled_for, now + 10 * kMinute);
  EXPECT_EQ(r.specs[1].expires_at, now + 10 * kMinute + 6 * 60 * kMinute);
  EXPECT_EQ(r.specs[2].source, "health:disk");  // a full source is kept
  ASSERT_EQ(r.errors.size(), 4u);
  EXPECT_EQ(r.errors[0].line, 2);
  EXPECT_EQ(r.errors[1].line, 5);
  EXPECT_NE(r.errors[1].why.find("subject"), std::string::npos);
  EXPECT_NE(r.errors[2].why.find("priority"), std::string::npos);
  EXPECT_NE(r.errors[3].why.find("colour"), std::string::npos);
}

class SensorStoreTest : public ::testing::Test {
 protected:
  SensorStoreTest() : clock_(at("2026-05-14T03:00:00Z")), db_(open_database(dir_.file("s.db"))), store_(*db_, clock_) {}
  SensorRunSummary run(SensorRun r) {
    return in_transaction(*db_, [&] { return record_sensor_run(store_, r); });
  }
  SensorRun script(bool ok, std::vector<std::string> sources) {
    SensorRun r;
    r.name = "inbox";
    r.kind = "script";
    r.ok = ok;
    r.result = ok ? "ok" : "exited with status 1";
    for (auto& s : sources) {
      TaskSpec spec;
      spec.subject = "msg " + s;
      spec.source = "sensor:inbox:" + s;
      r.specs.push_back(spec);
    }
    return r;
  }
  test::TempDir dir_;
  SimClock clock_;
  std::unique_ptr<Db> db_;
  TaskStore store_;
};

TEST_F(SensorStoreTest, DedupWhileOpenIsRecordedAndANewTaskOnceTheOldFinished) {
  EXPECT_EQ(run(script(true, {"m1", "m2"})).created, 2);
  auto again = run(script(true, {"m1", "m2", "m3"}));
  EXPECT_EQ(again.created, 1);
  EXPECT_EQ(again.deduplicated, 2);
  EXPECT_EQ(load_sensor(*db_, "inbox").deduplicated, 2);
  int64_t m1 = db_->scalar_int("SELECT id FROM tasks WHERE source = 'sensor:inbox:m1'");
  ASSERT_TRUE(in_transaction(*db_, [&] { return store_.close(m1, TaskStatus::completed, "done", "test"); }).ok());
  EXPECT_EQ(run(script(true, {"m1"})).created, 1);
}

TEST_F(SensorStoreTest, AFailureStreakIsVisibleAndRaisesOneHealthTask) {
  for (int i = 0; i < 5; ++i) run(script(false, {}));
  auto row = load_sensor(*db_, "inbox");
  EXPECT_EQ(row.streak, 5);
  EXPECT_EQ(row.failures, 5);
  EXPECT_EQ(db_->scalar_int("SELECT count(*) FROM tasks WHERE source = 'health:sensor:inbox'"), 1);
  run(script(true, {}));
  EXPECT_EQ(load_sensor(*db_, "inbox").streak, 0);
}

TEST_F(SensorStoreTest, SensorsKeepCreatingTasksWhileTheGateIsStopped) {
  in_transaction(*db_, [&] { return apply_gate(*db_, store_, GateConfig{}, {GateOp::pause, RunOutcome::completed, "maintenance"}); });
  EXPECT_EQ(run(script(true, {"a", "b"})).created, 2);
  EXPECT_EQ(db_->scalar_int("SELECT count(*) FROM tasks WHERE status = 'pending'"), 2);
}

TEST_F(SensorStoreTest, HealthChecksAlertOncePerCondition) {
  in_transaction(*db_, [&] { return apply_gate(*db_, store_, GateConfig{}, {GateOp::pause, RunOutcome::completed, ""}); });
  clock_.advance(2 * 60 * kMinute);
  SensorRun h;
  h.name = "health";
  h.kind = "health";
  h.gate_stopped_alert_ms = 60 * kMinute;
  h.queue_depth_alert = 1000;
  h.disk_free_percent_alert = 0;
  EXPECT_EQ(run(h).created, 1);
  EXPECT_EQ(run(h).deduplicated, 1);  // still open: not repeated
  EXPECT_EQ(db_->scalar_int("SELECT count(*) FROM tasks WHERE source = 'health:gate-stopped'"), 1);
}

TEST_F(SensorStoreTest, StaleTasksSensorExpiresOnlyWhileTheGateRuns) {
  TaskSpec s;
  s.subject = "late";
  s.expires_at = clock_.now_ms() + kMinute;
  in_transaction(*db_, [&] { return store_.create(s, "t"); });
  clock_.advance(2 * kMinute);
  SensorRun st;
  st.name = "stale";
  st.kind = "stale-tasks";
  EXPECT_EQ(run(st).expired, 1);
}

}  // namespace
}  // namespace arc
