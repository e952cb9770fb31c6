// Tracing with the real arcd and arc-trace: a task created by a sensor,
// dispatched, failed and triaged appears in `arc-trace show --task` in
// causal order; `arc trace on|off` switches tracing at run time.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

#include "storage/schema.hpp"
#include "support/daemon.hpp"
#include "support/temp_dir.hpp"
#include "support/wait_for.hpp"

namespace arc {
namespace {

using namespace std::chrono_literals;

ProcessResult arc_trace(std::vector<std::string> args) {
  ProcessSpec s;
  s.argv = {ARC_TRACE_BIN};
  s.argv.insert(s.argv.end(), args.begin(), args.end());
  s.timeout_ms = 30'000;
  return run_process(s);
}

struct TraceFixture {
  test::TempDir dir;
  std::string db = dir.file("arc.db"), config = dir.file("arc.toml"), trace = dir.file("trace.jsonl");
  // Two tasks from one sensor run; both fail once and for all; two failures
  // make an outage here, whose summary task triage creates.
  TraceFixture() {
    std::ofstream(config)
        << "[arcd]\ndatabase = \"" << db << "\"\nslots = 2\n"
        << "[triage]\nburst = 1\noutage_threshold = 2\nincident_summary_task = true\n"
        << "[gate]\nfailure_threshold = 0\n"
        << "[skills.fail]\ncommand = [\"/bin/sh\", \"-c\", \"echo boom >&2; exit 3\"]\n"
        << "[skills.idle]\ncommand = [\"/bin/true\"]\n"
        << "[sensors.inbox]\ncommand = [\"/bin/sh\", \"-c\", \"echo '{\\\"subject\\\":\\\"a\\\",\\\"source\\\":\\\"in:a\\\","
           "\\\"skills\\\":[\\\"fail\\\"],\\\"max_attempts\\\":1}'; echo '{\\\"subject\\\":\\\"b\\\",\\\"source\\\":"
           "\\\"in:b\\\",\\\"skills\\\":[\\\"fail\\\"],\\\"max_attempts\\\":1}'\"]\n"
        << "interval_seconds = 3600\nstartup_spread_seconds = 0\n";
  }
  int64_t scalar(const std::string& sql) { return open_database(db)->scalar_int(sql); }
};

TEST(Trace, ASensorTasksWholeLifeInCausalOrder) {
  TraceFixture f;
  {
    test::Daemon arcd({"--config", f.config, "--trace", f.trace}, f.dir.file("arcd.log"));
    ASSERT_TRUE(arcd.wait_ready()) << arcd.log();
    ASSERT_TRUE(test::wait_for([&] { return f.scalar("SELECT count(*) FROM tasks WHERE source LIKE 'triage:incident:%'") == 1; }, 15s))
        << arcd.log();
    // The incident can come from the scan of the first failure; the second
    // failure's own scan follows it. Both are in the trace before the stop.
    for (int task : {1, 2})
      ASSERT_TRUE(test::wait_for(
          [&] {
            auto r = arc_trace({"--file", f.trace, "show", "--task", std::to_string(task)});
            return r.out.find("triage -> persistence") != std::string::npos;
          },
          15s, 100ms))
          << "task " << task << "'s failure never reached a triage scan\n" << arcd.log();
    ASSERT_EQ(arcd.terminate(), 0) << arcd.log();  // flushes the trace
  }
  std::string life;
  bool triaged_into_incident = false;
  for (int task : {1, 2}) {
    auto r = arc_trace({"--file", f.trace, "show", "--task", std::to_string(task)});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    // In time order: created by the sensor, claimed, run, failed, told to triage.
    size_t at = 0;
    for (const char* step : {"sensor:inbox -> persistence", "task.created   task " , "task.claimed",
                             "exec.start", "exec.done", "dispatcher -> queue", "task.finished", "failed",
                             "dispatcher -> triage", "triage -> persistence"}) {
      size_t pos = r.out.find(step, at);
      ASSERT_NE(pos, std::string::npos) << "task " << task << ": '" << step << "' missing or out of order:\n" << r.out;
      at = pos;
    }
    // The causal tree: the triage scan hangs under the failure's finish.
    EXPECT_NE(r.out.find("causal tree"), std::string::npos);
    if (r.out.find("Outage incident") != std::string::npos) triaged_into_incident = true;
    life += r.out;
  }
  EXPECT_TRUE(triaged_into_incident) << "triage's incident task is not in either life:\n" << life;
  // Stats and the Chrome export of the same trace.
  auto st = arc_trace({"--file", f.trace, "stats"});
  ASSERT_EQ(st.exit_code, 0) << st.err;
  EXPECT_NE(st.out.find("dispatcher -> queue"), std::string::npos) << st.out;
  auto chrome = arc_trace({"--file", f.trace, "export", "--format", "chrome"});
  ASSERT_EQ(chrome.exit_code, 0) << chrome.err;
  EXPECT_FALSE(nlohmann::json::parse(chrome.out, nullptr, false).is_discarded());
  auto foreign = arc_trace({"--file", f.config, "stats"});
  EXPECT_EQ(foreign.exit_code, 2);
  EXPECT_NE(foreign.err.find("not an arc trace file"), std::string::npos) << foreign.err;
}

TEST(Trace, SwitchedOnAndOffAtRunTime) {
  TraceFixture f;
  test::Daemon arcd({"--config", f.config}, f.dir.file("arcd.log"));
  ASSERT_TRUE(arcd.wait_ready()) << arcd.log();
  EXPECT_FALSE(std::filesystem::exists(f.trace));
  ASSERT_EQ(test::arc_cli(f.db, {"trace", "on", "--file", f.trace}).exit_code, 0);
  ASSERT_TRUE(test::wait_for([&] { return arcd.log().find("tracing on, writing " + f.trace) != std::string::npos; }, 5s))
      << arcd.log();
  auto r = test::arc_cli(f.db, {"tasks", "add", "--subject", "traced", "--skills", "idle"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_TRUE(test::wait_for([&] {
    return arc_trace({"--file", f.trace, "tail", "--type", "task.finished"}).out.find("completed") != std::string::npos;
  }, 10s)) << arcd.log();
  ASSERT_EQ(test::arc_cli(f.db, {"trace", "off"}).exit_code, 0);
  ASSERT_TRUE(test::wait_for([&] { return arcd.log().find("tracing off") != std::string::npos; }, 5s)) << arcd.log();
  r = test::arc_cli(f.db, {"tasks", "add", "--subject", "not traced", "--skills", "idle"});
  ASSERT_TRUE(test::wait_for([&] { return f.scalar("SELECT count(*) FROM tasks WHERE subject = 'not traced' AND status = 'completed'") == 1; }, 10s));
  // Not the file's size: a late drain of events from before the switch may
  // still add to it. No event of the task that ran with tracing off is in it.
  int64_t quiet = f.scalar("SELECT id FROM tasks WHERE subject = 'not traced'");
  std::ifstream in(f.trace);
  int lines = 0;
  for (std::string line; std::getline(in, line); ++lines)
    EXPECT_EQ(line.find(",\"task\":" + std::to_string(quiet) + ","), std::string::npos) << "written with tracing off: " << line;
  EXPECT_GT(lines, 0);
}

// A switch left from before arcd started does not override --trace; the same
// word written again later is acted on.
TEST(Trace, AStaleOffDoesNotOverrideTheFlagButALaterOneDoes) {
  TraceFixture f;
  ASSERT_EQ(test::arc_cli(f.db, {"trace", "off"}).exit_code, 0);  // long before this arcd
  test::Daemon arcd({"--config", f.config, "--trace", f.trace}, f.dir.file("arcd.log"));
  ASSERT_TRUE(arcd.wait_ready()) << arcd.log();
  // It stays on past the tracer's first look at the switch (it looks every second).
  EXPECT_FALSE(test::wait_for([&] { return arcd.log().find("tracing off") != std::string::npos; }, 2500ms))
      << arcd.log();
  ASSERT_EQ(test::arc_cli(f.db, {"trace", "off"}).exit_code, 0);  // "off" again, now
  EXPECT_TRUE(test::wait_for([&] { return arcd.log().find("tracing off") != std::string::npos; }, 5s)) << arcd.log();
}

}  // namespace
}  // namespace arc
