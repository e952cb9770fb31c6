// The real Claude Code CLI (npm @anthropic-ai/claude-code, pinned by
// scripts/claude-code.sh, which scripts/test.sh runs and whose binary it
// names in $ARC_CLAUDE_CODE). It runs here offline and not logged in.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <regex>
#include <set>

#include "core/claude_plan.hpp"
#include "core/config.hpp"
#include "storage/gate_store.hpp"
#include "storage/schema.hpp"
#include "support/daemon.hpp"
#include "support/temp_dir.hpp"
#include "support/wait_for.hpp"

namespace arc {
namespace {

using namespace std::chrono_literals;

std::string claude_code() {
  const char* bin = std::getenv("ARC_CLAUDE_CODE");
  if (!bin || !*bin) {
    ADD_FAILURE() << "ARC_CLAUDE_CODE is not set: run the tests with scripts/test.sh, which installs the pinned "
                     "Claude Code CLI (scripts/claude-code.sh) and sets it";
    return "";
  }
  return bin;
}

TEST(ClaudeCode, EveryFlagArcdPassesIsOneTheInstalledCliLists) {
  std::string bin = claude_code();
  if (bin.empty()) return;
  test::TempDir home;
  ProcessSpec help;
  help.argv = {bin, "--help"};
  help.env = {"HOME=" + home.path()};
  auto r = run_process(help);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::set<std::string> listed;
  std::regex flag("--[a-z][a-z0-9-]*");
  for (std::sregex_iterator it(r.out.begin(), r.out.end(), flag), end; it != end; ++it) listed.insert(it->str());
  ASSERT_GT(listed.size(), 20u) << r.out;
  // Every flag of every model's plan (opus has the budget cap and the fallback).
  Config cfg = parse_config("[claude]\n", "t.toml");
  for (const char* model : {"opus", "sonnet", "haiku"}) {
    Task t;
    t.model = model;
    for (auto& a : plan_claude_run(t, cfg.claude, "UTC", 0).argv)
      if (a.rfind("--", 0) == 0) EXPECT_TRUE(listed.count(a)) << a << " is not in `claude --help` of " << bin;
  }
}

TEST(ClaudeCode, NotLoggedInFiveQueuedTasksStopTheGateAtTheFirstRunAndNoneFails) {
  std::string bin = claude_code();
  if (bin.empty()) return;
  test::TempDir dir;
  std::string db = dir.file("arc.db"), config = dir.file("arc.toml"), home = dir.file("home");
  std::filesystem::create_directories(home);
  // A fresh HOME holds no login; no key in the environment either.
  std::ofstream(config) << "[arcd]\ndatabase = \"" << db << "\"\nslots = 1\npoll_ms = 50\n"
                        << "[agent]\nroot = \"" << ARC_SOURCE_DIR << "/examples/agent\"\n"
                        << "[claude]\nbinary = \"" << bin << "\"\n"
                        << "env = { HOME = \"" << home << "\", DISABLE_AUTOUPDATER = \"1\" }\n";
  test::Daemon arcd({"--config", config}, dir.file("arcd.log"), {{"ANTHROPIC_API_KEY", ""}});
  ASSERT_TRUE(arcd.wait_ready()) << arcd.log();
  for (int i = 0; i < 5; ++i)
    ASSERT_EQ(test::arc_cli(db, {"tasks", "add", "--subject", "task " + std::to_string(i)}).exit_code, 0);
  ASSERT_TRUE(test::wait_for([&] { return load_gate(*open_database(db)).state == GateMode::stopped_failures; }, 60s))
      << arcd.log();
  auto gate = load_gate(*open_database(db));
  EXPECT_NE(gate.reason.find("Not logged in"), std::string::npos) << gate.reason;
  EXPECT_NE(gate.reason.find("claude /login"), std::string::npos) << gate.reason;
  EXPECT_EQ(gate.error_class, GateCause::systemic);
  auto q = open_database(db);
  EXPECT_EQ(q->scalar_int("SELECT count(*) FROM runs"), 1);  // the first run only
  EXPECT_EQ(q->scalar_int("SELECT count(*) FROM tasks WHERE status = 'failed'"), 0);
  EXPECT_EQ(q->scalar_int("SELECT count(*) FROM tasks WHERE status = 'pending' AND attempts = 0"), 5);
  EXPECT_EQ(q->scalar_int("SELECT count(*) FROM runs WHERE outcome = 'systemic' AND failure_class = 'not_logged_in'"), 1);
}

}  // namespace
}  // namespace arc
