// The gate with the real arcd: a stand-in claude replays a rejected
// rate_limit_event that resets 5 s later; dispatch stops and resumes by itself within 2 s of the
// reset, with no task failed. `arc dispatch pause|resume` from the CLI.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

#include "core/time_text.hpp"
#include "storage/gate_store.hpp"
#include "storage/schema.hpp"
#include "support/daemon.hpp"
#include "support/gate_history.hpp"
#include "support/temp_dir.hpp"
#include "support/wait_for.hpp"

namespace arc {
namespace {

using namespace std::chrono_literals;

int64_t scalar(const std::string& db, const std::string& sql) { return open_database(db)->scalar_int(sql); }

TEST(GateIntegration, RateLimitStopsDispatchAndItResumesByItselfAtTheReset) {
  test::TempDir dir;
  std::string db = dir.file("arc.db"), config = dir.file("arc.toml");
  std::ofstream(config) << "[arcd]\ndatabase = \"" << db << "\"\nslots = 1\npoll_ms = 50\n"
                        << "[gate]\nresume_margin_seconds = 0\n"
                        << "[skills.claude]\ncommand = [\"" << ARC_TEST_SCRIPTS << "/fake-claude.sh\", \""
                        << dir.path() << "\"]\nformat = \"claude\"\n";
  test::Daemon arcd({"--config", config}, dir.file("arcd.log"));
  ASSERT_TRUE(arcd.wait_ready()) << arcd.log();
  for (int i = 0; i < 3; ++i)
    ASSERT_EQ(test::arc_cli(db, {"tasks", "add", "--subject", "t" + std::to_string(i)}).exit_code, 0);
  ASSERT_TRUE(test::wait_for([&] { return std::ifstream(dir.file("reset_at")).good(); }, 10s));
  int64_t reset_s = 0;
  ASSERT_TRUE(test::wait_for([&] { std::ifstream(dir.file("reset_at")) >> reset_s; return reset_s > 0; }, 2s));
  millis reset = reset_s * 1000;
  ASSERT_TRUE(test::wait_for([&] { return load_gate(*open_database(db)).state == GateMode::stopped_rate_limited; }, 5s));
  auto status = nlohmann::json::parse(test::arc_cli(db, {"dispatch", "status", "--json"}).out);
  EXPECT_EQ(status["state"], "stopped_rate_limited");
  EXPECT_EQ(status["resume_at"]["utc"], format_iso_utc(reset));
  EXPECT_GE(status["waiting"]["pending"].get<int>(), 2);
  ASSERT_TRUE(test::wait_for([&] { return scalar(db, "SELECT count(*) FROM tasks WHERE status='completed'") == 3; }, 20s))
      << arcd.log();
  millis resumed = scalar(db, "SELECT at FROM gate_events WHERE to_state = 'running'");
  EXPECT_GE(resumed, reset);
  EXPECT_LT(resumed - reset, 2000) << "resumed " << resumed - reset << " ms after the reset";
  // Nothing ran while the gate was stopped: no claim between the gate's stop
  // and its reopening, and no run started then (support/gate_history.hpp:
  // from the event history, which keeps every claim, not tasks.started_at,
  // which the next claim overwrites).
  {
    auto d = open_database(db);
    auto closures = test::gate_closures(*d);
    ASSERT_EQ(closures.size(), 1u) << "the gate should have stopped once";
    auto& stop = closures[0];
    EXPECT_EQ(stop.state, "stopped_rate_limited");
    // Checked before the reopening: if the gate never reopened, the window
    // stays open and every claim since the stop counts.
    // Two tasks waited through the stop (see "waiting" above): a gate that let
    // claims through would have claimed them in it.
    auto ran = test::claimed_or_started_while_closed(*d, stop);
    EXPECT_TRUE(ran.empty()) << "claimed or started while the gate was stopped:" << test::lines(ran);
    EXPECT_NE(stop.reopened_feed_id, 0) << "the gate never reopened";
    EXPECT_EQ(stop.reopened_at, resumed);
    // Every run was claimed once (the claims above see them all).
    EXPECT_EQ(scalar(db, "SELECT count(*) FROM task_events WHERE from_status = 'pending' AND to_status = 'active'"),
              scalar(db, "SELECT count(*) FROM runs"));
  }
  // No task failed.
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM tasks WHERE status = 'failed'"), 0);
  EXPECT_EQ(scalar(db, "SELECT max(attempts) FROM tasks"), 1);  // the limited run did not count
  // Each success is tests/data/claude/success.jsonl: 9,900 tokens in over two models.
  EXPECT_EQ(scalar(db, "SELECT sum(tokens_in) FROM tasks"), 3 * 9900);
}

TEST(GateIntegration, PauseAndResumeFromTheCli) {
  test::TempDir dir;
  std::string db = dir.file("arc.db");
  std::string config = dir.file("arc.toml");
  std::ofstream(config) << "[arcd]\ndatabase = \"" << db << "\"\npoll_ms = 50\n"
                        << "[skills.quick]\ncommand = [\"" << ARC_TEST_SCRIPTS << "/quick.sh\"]\n";
  test::Daemon arcd({"--config", config}, dir.file("arcd.log"));
  ASSERT_TRUE(arcd.wait_ready());
  auto pause = test::arc_cli(db, {"dispatch", "pause", "--reason", "maintenance"});
  ASSERT_EQ(pause.exit_code, 0) << pause.err;
  EXPECT_NE(pause.out.find("running -> paused"), std::string::npos) << pause.out;
  // The claim transaction itself checks the gate row: held at once.
  ASSERT_EQ(test::arc_cli(db, {"tasks", "add", "--subject", "held"}).exit_code, 0);
  // Held: give the dispatcher several poll intervals to (wrongly) claim it.
  EXPECT_FALSE(test::wait_for([&] { return scalar(db, "SELECT count(*) FROM tasks WHERE status != 'pending'") > 0; }, 1500ms));
  auto status = nlohmann::json::parse(test::arc_cli(db, {"dispatch", "status", "--json"}).out);
  EXPECT_EQ(status["state"], "paused");
  EXPECT_NE(status["reason"].get<std::string>().find("maintenance"), std::string::npos);
  ASSERT_EQ(test::arc_cli(db, {"dispatch", "resume"}).exit_code, 0);
  EXPECT_TRUE(test::wait_for([&] { return scalar(db, "SELECT count(*) FROM tasks WHERE status = 'completed'") == 1; }, 5s));
  auto bad = test::arc_cli(db, {"dispatch", "frobnicate"});
  EXPECT_EQ(bad.exit_code, 2);
}

// Found by the dashboard's end-to-end test: a stop that came while the
// dispatcher waited for the gate's word on a paused gate waited out the whole
// grace period (30 s), as the "no" never told the drain the claim was over.
TEST(GateIntegration, AStopWhileTheGateIsAskedEndsWithoutWaitingOutTheGrace) {
  test::TempDir dir;
  std::string db = dir.file("arc.db"), hold = dir.file("hold-gate");
  std::ofstream(dir.file("arc.toml")) << "[arcd]\ndatabase = \"" << db << "\"\npoll_ms = 50\nshutdown_grace_seconds = 60\n";
  ASSERT_EQ(test::arc_cli(db, {"dispatch", "pause"}).exit_code, 0);  // paused before arcd starts: its gate says no
  std::ofstream(hold) << "";
  test::Daemon arcd({"--config", dir.file("arc.toml")}, dir.file("arcd.log"),
                    {{"ARC_FAULTS", "hang.gate=while:" + hold}});
  ASSERT_TRUE(arcd.wait_ready());
  ASSERT_TRUE(test::wait_for([&] { return arcd.log().find("hang.gate: blocking") != std::string::npos; }, 5s));
  kill(arcd.pid(), SIGTERM);  // the dispatcher's may_claim is in flight
  ASSERT_TRUE(test::wait_for([&] { return arcd.log().find("dispatcher: draining") != std::string::npos; }, 5s))
      << arcd.log();
  auto t0 = std::chrono::steady_clock::now();
  std::filesystem::remove(hold);  // the gate answers: closed
  EXPECT_EQ(arcd.wait_exit(), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 10s) << arcd.log();
}

}  // namespace
}  // namespace arc
