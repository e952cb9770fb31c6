#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>

#include "core/process.hpp"
#include "support/temp_dir.hpp"
#include "support/wait_for.hpp"

namespace arc {
namespace {

ProcessSpec sh(const std::string& script, millis timeout = 10'000) {
  ProcessSpec s;
  s.argv = {"/bin/sh", "-c", script};
  s.timeout_ms = timeout;
  s.kill_grace_ms = 300;
  return s;
}

TEST(Process, CapturesStdoutStderrAndExitCode) {
  auto r = run_process(sh("echo out; echo err >&2; exit 4"));
  EXPECT_FALSE(r.spawn_failed);
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_EQ(r.out, "out\n");
  EXPECT_EQ(r.err, "err\n");
}

TEST(Process, FeedsStdinAndEnvironment) {
  auto s = sh("cat; echo \"$ARC_X\"");
  s.stdin_data = std::string(200'000, 'a');  // more than a pipe buffer
  s.env = {"ARC_X=hello"};
  auto r = run_process(s);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, std::string(200'000, 'a') + "hello\n");
}

TEST(Process, AChildThatDoesNotReadItsStdinDoesNotKillUs) {
  // SIGPIPE is at its default here (it kills): run_process must not raise it.
  signal(SIGPIPE, SIG_DFL);
  ProcessSpec s;
  s.argv = {"/bin/true"};
  s.stdin_data = std::string(1 << 20, 'x');
  for (int i = 0; i < 20; ++i) EXPECT_EQ(run_process(s).exit_code, 0);
}

TEST(Process, ArgvIsNotAShellString) {
  ProcessSpec s;
  s.argv = {"/bin/echo", "$(touch /tmp/arc-should-not-exist)", ";", "ls"};
  auto r = run_process(s);
  EXPECT_EQ(r.out, "$(touch /tmp/arc-should-not-exist) ; ls\n");
}

TEST(Process, TimeoutKillsTheWholeProcessGroup) {
  test::TempDir dir;
  std::string pidfile = dir.file("child.pid");
  // The executor starts a grandchild that ignores SIGTERM, then hangs.
  auto r = run_process(sh("sh -c 'trap \"\" TERM; sleep 60' & echo $! > " + pidfile + "; sleep 60", 500));
  EXPECT_TRUE(r.timed_out);
  std::ifstream in(pidfile);
  pid_t grandchild = 0;
  in >> grandchild;
  ASSERT_GT(grandchild, 0);
  EXPECT_TRUE(test::wait_for([&] { return kill(grandchild, 0) != 0; }, std::chrono::seconds(5)));
  EXPECT_LT(r.duration_ms, 5'000);
}

TEST(Process, OutputIsCappedButTheProcessIsNotBlocked) {
  auto s = sh("head -c 3000000 /dev/zero | tr '\\0' x; echo; echo tail >&2");
  s.output_cap_bytes = 1000;
  auto r = run_process(s);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.size(), 1000u);
  EXPECT_TRUE(r.out_truncated);
  EXPECT_EQ(r.err, "tail\n");
}

TEST(Process, MissingCommandIsASpawnFailureWithTheReason) {
  ProcessSpec s;
  s.argv = {"/nonexistent/executor"};
  auto r = run_process(s);
  EXPECT_TRUE(r.spawn_failed);
  EXPECT_NE(r.spawn_error.find("/nonexistent/executor"), std::string::npos);
  EXPECT_NE(r.spawn_error.find("No such file"), std::string::npos);
}

TEST(Process, CancelStopsTheRun) {
  std::atomic<bool> cancel{true};
  auto r = run_process(sh("sleep 30"), &cancel);
  EXPECT_TRUE(r.cancelled);
  EXPECT_FALSE(r.timed_out);
  EXPECT_LT(r.duration_ms, 5'000);
}

}  // namespace
}  // namespace arc
