// Sensors with the real arcd: script sensors create tasks while dispatch is
// paused; a failing sensor's streak is visible and raises one health task;
// pause, resume and run-now from the CLI; the cadence survives a restart.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>

#include "storage/schema.hpp"
#include "support/daemon.hpp"
#include "support/temp_dir.hpp"
#include "support/wait_for.hpp"

namespace arc {
namespace {

using namespace std::chrono_literals;

struct SensorFixture {
  test::TempDir dir;
  std::string db = dir.file("arc.db"), config = dir.file("arc.toml");
  SensorFixture() {
    std::string s = ARC_TEST_SCRIPTS;
    std::ofstream(config) << "[arcd]\ndatabase = \"" << db << "\"\n"
                          << "[sensors.good]\ncommand = [\"" << s << "/sensor-good.sh\"]\ninterval_seconds = 1\nstartup_spread_seconds = 0\n"
                          << "[sensors.bad]\ncommand = [\"" << s << "/sensor-bad.sh\"]\ninterval_seconds = 1\nstartup_spread_seconds = 0\nfailure_threshold = 3\n"
                          << "[sensors.hourly]\ncommand = [\"" << s << "/sensor-good.sh\"]\ninterval_seconds = 3600\nstartup_spread_seconds = 0\n";
  }
  int64_t scalar(const std::string& sql) { return open_database(db)->scalar_int(sql); }
  int64_t runs(const std::string& name) { return scalar("SELECT runs FROM sensor_state WHERE name = '" + name + "'"); }
};

TEST(Sensors, ScriptSensorsRunWhileDispatchIsPausedAndFailuresAreCounted) {
  SensorFixture f;
  ASSERT_EQ(test::arc_cli(f.db, {"dispatch", "pause"}).exit_code, 0);
  test::Daemon arcd({"--config", f.config}, f.dir.file("arcd.log"));
  ASSERT_TRUE(arcd.wait_ready()) << arcd.log();
  ASSERT_TRUE(test::wait_for([&] { return f.runs("good") >= 3 && f.runs("bad") >= 3; }, 15s)) << arcd.log();
  // Tasks pile up while the gate is paused: the standing item only once (dedup by source).
  EXPECT_GE(f.scalar("SELECT count(*) FROM tasks WHERE source LIKE 'sensor:good:obs-%'"), 2);
  EXPECT_EQ(f.scalar("SELECT count(*) FROM tasks WHERE source = 'sensor:good:standing'"), 1);
  EXPECT_GE(f.scalar("SELECT deduplicated FROM sensor_state WHERE name = 'good'"), 2);
  EXPECT_EQ(f.scalar("SELECT count(*) FROM tasks WHERE status != 'pending'"), 0);
  EXPECT_NE(arcd.log().find("output line 2 skipped: not a JSON object"), std::string::npos);
  // The failing sensor: its streak is visible, and one health task is raised.
  auto list = nlohmann::json::parse(test::arc_cli(f.db, {"--config", f.config, "sensors", "list", "--json"}).out);
  nlohmann::json bad;
  for (auto& s : list)
    if (s["name"] == "bad") bad = s;
  EXPECT_GE(bad["streak"].get<int>(), 3);
  EXPECT_NE(bad["last_result"].get<std::string>().find("exited with status 1"), std::string::npos);
  EXPECT_EQ(bad["cadence"], "1s");
  EXPECT_EQ(f.scalar("SELECT count(*) FROM tasks WHERE source = 'health:sensor:bad'"), 1);
  // Pause and resume from the CLI.
  ASSERT_EQ(test::arc_cli(f.db, {"sensors", "pause", "--name", "good", "--reason", "noisy"}).exit_code, 0);
  // A run already under way may still finish: at most one more, then none.
  int64_t paused_at = f.runs("good");
  EXPECT_FALSE(test::wait_for([&] { return f.runs("good") > paused_at + 1; }, 3s));
  paused_at = f.runs("good");
  ASSERT_EQ(test::arc_cli(f.db, {"sensors", "resume", "--name", "good"}).exit_code, 0);
  EXPECT_TRUE(test::wait_for([&] { return f.runs("good") > paused_at; }, 5s));
  // Run-now for a sensor whose next run is an hour away.
  int64_t hourly = f.runs("hourly");
  ASSERT_EQ(test::arc_cli(f.db, {"sensors", "run", "--name", "hourly"}).exit_code, 0);
  EXPECT_TRUE(test::wait_for([&] { return f.runs("hourly") == hourly + 1; }, 5s));
  EXPECT_EQ(test::arc_cli(f.db, {"sensors", "run", "--name", "nope"}).exit_code, 2);
}

TEST(Sensors, ARestartDoesNotReFireASensorBeforeItsTime) {
  SensorFixture f;
  {
    test::Daemon arcd({"--config", f.config}, f.dir.file("arcd1.log"));
    ASSERT_TRUE(arcd.wait_ready());
    ASSERT_TRUE(test::wait_for([&] { return f.runs("hourly") == 1; }, 10s));
    EXPECT_EQ(arcd.terminate(), 0);
  }
  int64_t next = f.scalar("SELECT next_run_at FROM sensor_state WHERE name = 'hourly'");
  test::Daemon again({"--config", f.config}, f.dir.file("arcd2.log"));
  ASSERT_TRUE(again.wait_ready());
  // The other sensors run again at once; the hourly one waits for its hour.
  ASSERT_TRUE(test::wait_for([&] { return f.runs("good") >= 3; }, 10s));
  EXPECT_EQ(f.runs("hourly"), 1);
  EXPECT_EQ(f.scalar("SELECT next_run_at FROM sensor_state WHERE name = 'hourly'"), next);
}

}  // namespace
}  // namespace arc
