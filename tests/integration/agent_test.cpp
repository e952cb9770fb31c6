// The agent on the real arcd and arc, with the stand-in `claude`
// (examples/agent/bin/claude) replaying Claude Code's stream-json
// transcripts (tests/data/claude): a run gets its prompt from the agent's
// home, closes its own task with `arc tasks close --id`, and its cost is
// kept; rate-limit events stop the gate only when rejected; the budget;
// a session that lingers after closing its task is stopped after the grace.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <signal.h>

#include <fstream>
#include <regex>

#include "core/time_text.hpp"
#include "storage/gate_store.hpp"
#include "storage/schema.hpp"
#include "support/daemon.hpp"
#include "support/temp_dir.hpp"
#include "support/wait_for.hpp"

namespace arc {
namespace {

using namespace std::chrono_literals;
const std::string kSource = ARC_SOURCE_DIR;

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// An arcd whose agent is tests/data/agent-home and whose claude is the stand-in.
struct AgentRig {
  test::TempDir dir;
  std::string db = dir.file("arc.db"), config = dir.file("arc.toml");
  std::unique_ptr<test::Daemon> arcd;

  void start(const std::string& transcript, const std::string& extra_env = "", const std::string& extra = "") {
    std::ofstream(config) << "[arcd]\ndatabase = \"" << db << "\"\nslots = 1\npoll_ms = 50\nlease_seconds = 3\n"
                          << "[gate]\nresume_margin_seconds = 0\n"
                          << "[agent]\nroot = \"" << kSource << "/tests/data/agent-home\"\n"
                          << "[claude]\nbinary = \"" << kSource << "/examples/agent/bin/claude\"\n"
                          << "env = { STAND_IN_TRANSCRIPT = \"" << transcript << "\", STAND_IN_LOG = \"" << dir.path()
                          << "/runs\"" << extra_env << " }\n"
                          << extra;
    arcd = std::make_unique<test::Daemon>(std::vector<std::string>{"--config", config}, dir.file("arcd.log"));
    ASSERT_TRUE(arcd->wait_ready()) << arcd->log();
  }
  int64_t add(std::vector<std::string> args) {
    args.insert(args.begin(), {"tasks", "add", "--json"});
    auto r = test::arc_cli(db, args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return nlohmann::json::parse(r.out, nullptr, false).value("id", int64_t{0});
  }
  int64_t scalar(const std::string& sql) { return open_database(db)->scalar_int(sql); }
  std::string status_of(int64_t id) {
    auto q = open_database(db);
    auto s = q->prepare("SELECT status FROM tasks WHERE id = ?");
    s.bind(1, id);
    return s.step() ? s.col_text(0) : "";
  }
  bool wait_status(int64_t id, const std::string& want, std::chrono::milliseconds t = 15s) {
    return test::wait_for([&] { return status_of(id) == want; }, t);
  }
  // A transcript from tests/data/claude with resetsAt moved to `reset` (unix s).
  std::string transcript_resetting(const std::string& name, int64_t reset) {
    std::string text = std::regex_replace(read(kSource + "/tests/data/claude/" + name),
                                          std::regex("\"resetsAt\":[0-9]+"), "\"resetsAt\":" + std::to_string(reset));
    std::string path = dir.file(name);
    std::ofstream(path) << text;
    return path;
  }
};

TEST(Agent, ARunGetsItsPromptClosesItsOwnTaskAndItsCostIsKept) {
  AgentRig rig;
  rig.start(kSource + "/examples/agent/bin/transcript.jsonl");
  int64_t parent = rig.add({"--subject", "Keep the engine healthy", "--scheduled-for", "+1h"});
  int64_t id = rig.add({"--subject", "Review PR 7", "--skills", "pr-review", "--parent", std::to_string(parent),
                        "--description", "Look at the locking change."});
  ASSERT_TRUE(rig.wait_status(id, "completed")) << rig.arcd->log();
  // Closed by its agent first; the run's end (and cost) is recorded when the process ends.
  ASSERT_TRUE(test::wait_for([&] { return rig.scalar("SELECT count(*) FROM runs") == 1; }, 10s)) << rig.arcd->log();
  auto task = nlohmann::json::parse(test::arc_cli(rig.db, {"tasks", "show", "--id", std::to_string(id), "--json"}).out);
  // The agent's word stands: the stand-in closed its task with `arc tasks close --id N`.
  EXPECT_NE(task["summary"].get<std::string>().find("the stand-in does no work"), std::string::npos) << task.dump();
  bool closed_by_agent = false;
  for (auto& e : task["events"]) closed_by_agent |= e["actor"] == "agent" && e["to"] == "completed";
  EXPECT_TRUE(closed_by_agent) << task.dump();
  EXPECT_DOUBLE_EQ(task["cost_usd"].get<double>(), 0.07395);
  auto runs = nlohmann::json::parse(test::arc_cli(rig.db, {"runs", "--task", std::to_string(id), "--json"}).out);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0]["executor"], "claude");
  EXPECT_EQ(runs[0]["model"], "claude-sonnet-5");
  EXPECT_EQ(runs[0]["cache_read_tokens"], 8000);
  EXPECT_EQ(runs[0]["turns"], 4);
  ASSERT_EQ(runs[0]["skills"].size(), 1u);
  EXPECT_EQ(runs[0]["skills"][0]["name"], "pr-review");
  EXPECT_EQ(runs[0]["skills"][0]["sha256"].get<std::string>().size(), 64u);
  // It ran in the agent's home, told where the database and config are.
  std::string env = read(rig.dir.file("runs/env-" + std::to_string(id)));
  EXPECT_NE(env.find("ARC_DB=" + rig.db), std::string::npos) << env;
  EXPECT_NE(env.find("ARC_CONFIG=" + rig.config), std::string::npos) << env;
  EXPECT_EQ(read(rig.dir.file("runs/cwd-" + std::to_string(id))), kSource + "/tests/data/agent-home\n");
  // The prompt it got is what `arc tasks prompt` prints (but the clock line).
  auto drop_time = [](std::string p) { return std::regex_replace(p, std::regex("# Current Time\n[^\n]*\n"), ""); };
  auto shown = test::arc_cli(rig.db, {"--config", rig.config, "tasks", "prompt", std::to_string(id)});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  std::string got = read(rig.dir.file("runs/prompt-" + std::to_string(id)));
  EXPECT_EQ(drop_time(shown.out), drop_time(got) + "\n");
  EXPECT_NE(got.find("# Skill: pr-review"), std::string::npos);
  EXPECT_NE(got.find("  #" + std::to_string(parent) + ": Keep the engine healthy (pending)"), std::string::npos) << got;
  EXPECT_NE(got.find("arc tasks close --id " + std::to_string(id)), std::string::npos);
}

TEST(Agent, AllowedRateLimitEventsThenAnOrdinaryFailureStopNothing) {
  AgentRig rig;
  rig.start(kSource + "/tests/data/claude/allowed-then-max-turns.jsonl");
  int64_t id = rig.add({"--subject", "too long a job"});
  ASSERT_TRUE(rig.wait_status(id, "failed")) << rig.arcd->log();
  // The gate counts the failure in its own write, just after the task's.
  EXPECT_TRUE(test::wait_for([&] { return load_gate(*open_database(rig.db)).consecutive_failures == 1; }, 5s))
      << "consecutive failures " << load_gate(*open_database(rig.db)).consecutive_failures;
  auto gate = load_gate(*open_database(rig.db));
  EXPECT_EQ(gate.state, GateMode::running);
  EXPECT_EQ(gate.consecutive_failures, 1);
  auto runs = nlohmann::json::parse(test::arc_cli(rig.db, {"runs", "--json"}).out);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_NE(runs[0]["rate_limit"].get<std::string>().find("allowed five_hour"), std::string::npos);
  EXPECT_EQ(runs[0]["failure_class"], "task_failed");
}

TEST(Agent, ARejectedLimitStopsTheGateUntilItsResetsAtAndCostsNoAttempt) {
  for (auto [file, ahead] : {std::pair<const char*, int64_t>{"rejected-five-hour.jsonl", 3600},
                             std::pair<const char*, int64_t>{"rejected-seven-day.jsonl", 3 * 86400}}) {
    AgentRig rig;
    int64_t reset = system_clock().now_ms() / 1000 + ahead;
    rig.start(rig.transcript_resetting(file, reset));
    int64_t id = rig.add({"--subject", "anything"});
    ASSERT_TRUE(test::wait_for([&] { return load_gate(*open_database(rig.db)).state == GateMode::stopped_rate_limited; }, 15s))
        << rig.arcd->log();
    auto gate = load_gate(*open_database(rig.db));
    EXPECT_EQ(gate.resume_at, reset * 1000) << file << ": " << gate.reason;
    EXPECT_TRUE(rig.wait_status(id, "pending", 5s));
    EXPECT_EQ(rig.scalar("SELECT attempts FROM tasks WHERE id = " + std::to_string(id)), 0);
    auto status = nlohmann::json::parse(test::arc_cli(rig.db, {"status", "--json"}).out);
    EXPECT_EQ(status["gate"]["state"], "stopped_rate_limited");
    EXPECT_GT(status["gate"]["resume_in_ms"].get<int64_t>(), (ahead - 60) * 1000);
  }
}

TEST(Agent, NotLoggedInStopsTheGateAtTheFirstRunAndNoTaskFails) {
  AgentRig rig;
  rig.start(kSource + "/tests/data/claude/not-logged-in.jsonl");
  for (int i = 0; i < 5; ++i) rig.add({"--subject", "task " + std::to_string(i)});
  ASSERT_TRUE(test::wait_for([&] { return load_gate(*open_database(rig.db)).state == GateMode::stopped_failures; }, 15s))
      << rig.arcd->log();
  auto gate = load_gate(*open_database(rig.db));
  EXPECT_NE(gate.reason.find("claude /login"), std::string::npos) << gate.reason;
  EXPECT_NE(gate.reason.find("arc dispatch reset"), std::string::npos) << gate.reason;
  // One run reached the stand-in; none of the five failed or spent an attempt.
  EXPECT_FALSE(test::wait_for([&] { return rig.scalar("SELECT count(*) FROM runs") > 1; }, 1s));
  EXPECT_EQ(rig.scalar("SELECT count(*) FROM tasks WHERE status = 'pending' AND attempts = 0"), 5);
  auto human = test::arc_cli(rig.db, {"status"});
  EXPECT_NE(human.out.find("dispatch: stopped_failures"), std::string::npos) << human.out;
  EXPECT_NE(human.out.find("claude /login"), std::string::npos) << human.out;
}

TEST(Agent, OverTheDailyBudgetOnlyUrgentTasksRun) {
  AgentRig rig;
  rig.start(kSource + "/examples/agent/bin/transcript.jsonl", "", "[budget]\ndaily_usd = 0.05\n");
  int64_t first = rig.add({"--subject", "spends the day's budget"});
  ASSERT_TRUE(test::wait_for([&] { return rig.scalar("SELECT count(*) FROM runs") == 1; }, 15s)) << rig.arcd->log();
  EXPECT_EQ(rig.status_of(first), "completed");
  int64_t routine = rig.add({"--subject", "routine report", "--priority", "5"});
  int64_t urgent = rig.add({"--subject", "urgent alert", "--priority", "2"});
  ASSERT_TRUE(test::wait_for([&] { return rig.scalar("SELECT count(*) FROM runs") == 2; }, 15s)) << rig.arcd->log();
  EXPECT_EQ(rig.status_of(urgent), "completed");
  EXPECT_FALSE(test::wait_for([&] { return rig.status_of(routine) != "pending"; }, 1s));
  auto gate = nlohmann::json::parse(test::arc_cli(rig.db, {"--config", rig.config, "dispatch", "status", "--json"}).out);
  EXPECT_TRUE(gate["budget"]["reached"].get<bool>()) << gate.dump();
  EXPECT_NEAR(gate["budget"]["spent_today_usd"].get<double>(), 2 * 0.07395, 1e-9);
}

TEST(Agent, ASessionThatLingersAfterClosingItsTaskIsStoppedAfterTheGrace) {
  AgentRig rig;
  rig.start(kSource + "/examples/agent/bin/transcript.jsonl", ", STAND_IN_LINGER = \"60\"",
            "self_close_grace_seconds = 1\nkill_grace_seconds = 1\n");
  int64_t id = rig.add({"--subject", "closes, then lingers"});
  ASSERT_TRUE(rig.wait_status(id, "completed")) << rig.arcd->log();
  // Stopped a grace and a lease renewal (1 s apart here) later: the run is recorded.
  ASSERT_TRUE(test::wait_for([&] { return rig.scalar("SELECT count(*) FROM runs") == 1; }, 10s)) << rig.arcd->log();
  EXPECT_LT(rig.scalar("SELECT duration_ms FROM runs"), 8000);
  EXPECT_EQ(rig.status_of(id), "completed");
  EXPECT_EQ(rig.scalar("SELECT count(*) FROM tasks WHERE lease_owner IS NOT NULL"), 0);
  // Nothing of the session is left: its process group (the stand-in and its `sleep`) is gone.
  pid_t group = static_cast<pid_t>(std::stol(read(rig.dir.file("runs/pid-" + std::to_string(id)))));
  EXPECT_TRUE(test::wait_for([&] { return kill(-group, 0) != 0; }, 2s));
}

}  // namespace
}  // namespace arc
