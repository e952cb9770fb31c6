#include <gtest/gtest.h>

#include "core/executor_launch.hpp"
#include "core/executor_output.hpp"

namespace arc {
namespace {

ProcessResult exited(int code, std::string out, std::string err = "") {
  ProcessResult r;
  r.exit_code = code;
  r.out = std::move(out);
  r.err = std::move(err);
  return r;
}

TEST(ExecutorOutput, ExitZeroWithoutJsonCompletesWithTheLastLine) {
  auto o = interpret_arc_output(exited(0, "line one\nall done\n\n"));
  EXPECT_EQ(o.outcome(), RunOutcome::completed);
  EXPECT_EQ(o.summary, "all done");
}

TEST(ExecutorOutput, ResultLineGivesSummaryCostAndTokens) {
  auto o = interpret_arc_output(exited(0, "log\n{\"summary\":\"ok\",\"cost_usd\":0.25,\"api_cost_usd\":0.5,"
                                          "\"tokens_in\":100,\"tokens_out\":20}\n"));
  EXPECT_EQ(o.outcome(), RunOutcome::completed);
  EXPECT_EQ(o.summary, "ok");
  EXPECT_DOUBLE_EQ(o.cost_usd, 0.25);
  EXPECT_DOUBLE_EQ(o.api_cost_usd, 0.5);
  EXPECT_EQ(o.tokens_in, 100);
  EXPECT_EQ(o.tokens_out, 20);
}

TEST(ExecutorOutput, ExplicitFailedIsFinal) {
  auto o = interpret_arc_output(exited(0, "{\"status\":\"failed\",\"summary\":\"PR is closed\"}"));
  EXPECT_EQ(o.outcome(), RunOutcome::failed);
  EXPECT_EQ(o.failure_class, FailureClass::task_failed);
  EXPECT_FALSE(o.retryable);
}

TEST(ExecutorOutput, NonZeroExitIsARetryableCrashWithStderrInTheSummary) {
  auto o = interpret_arc_output(exited(3, "", "boom: connection reset\n"));
  EXPECT_EQ(o.outcome(), RunOutcome::failed);
  EXPECT_EQ(o.failure_class, FailureClass::crashed);
  EXPECT_TRUE(o.retryable);
  EXPECT_NE(o.summary.find("status 3"), std::string::npos);
  EXPECT_NE(o.summary.find("connection reset"), std::string::npos);
}

TEST(ExecutorOutput, KilledBySignalIsACrash) {
  ProcessResult r;
  r.term_signal = 9;
  auto o = interpret_arc_output(r);
  EXPECT_EQ(o.failure_class, FailureClass::crashed);
  EXPECT_NE(o.summary.find("signal 9"), std::string::npos);
}

TEST(ExecutorOutput, TimeoutIsRetryable) {
  ProcessResult r;
  r.timed_out = true;
  r.duration_ms = 2000;
  auto o = interpret_arc_output(r);
  EXPECT_EQ(o.failure_class, FailureClass::timeout);
  EXPECT_TRUE(o.retryable);
}

TEST(ExecutorOutput, GarbageResultLineFailsWithAClearSummary) {
  for (std::string line : {"{not json at all", "{\"cost_usd\":\"lots\"}", "{\"status\":\"maybe\"}",
                           "{\"tokens_in\":-5}", "{\"summary\":42}"}) {
    auto o = interpret_arc_output(exited(0, "progress...\n" + line + "\n"));
    EXPECT_EQ(o.outcome(), RunOutcome::failed) << line;
    EXPECT_EQ(o.failure_class, FailureClass::bad_output) << line;
    EXPECT_FALSE(o.retryable);
    EXPECT_NE(o.summary.find("executor output not understood"), std::string::npos) << o.summary;
  }
}

// Only a last line that starts with '{' is a result line: any other line is
// the executor's own text, its summary, and exit 0 means completed.
TEST(ExecutorOutput, ALastLineNotStartingWithABraceIsTheSummaryNotAResult) {
  auto o = interpret_arc_output(exited(0, "progress...\n[1,2]{\n"));
  EXPECT_EQ(o.outcome(), RunOutcome::completed);
  EXPECT_EQ(o.failure_class, FailureClass::none);
  EXPECT_NE(o.summary.find("[1,2]{"), std::string::npos) << o.summary;
}

TEST(ExecutorOutput, InvalidUtf8IsMadeSafe) {
  auto o = interpret_arc_output(exited(0, std::string("caf\xC3\x28 \xFF\x01 done")));
  EXPECT_EQ(o.outcome(), RunOutcome::completed);
  EXPECT_EQ(o.summary.find('\x01'), std::string::npos);
  EXPECT_NE(o.summary.find("\xEF\xBF\xBD"), std::string::npos);
}

TEST(ExecutorOutput, RateLimitedKeepsItsStopReason) {
  auto o = interpret_arc_output(exited(1, "{\"status\":\"rate_limited\",\"stop_reason\":\"resets 5pm (America/Chicago)\"}"));
  EXPECT_EQ(o.outcome(), RunOutcome::rate_limited);
  EXPECT_EQ(o.stop_reason, "resets 5pm (America/Chicago)");
}

TEST(ExecutorOutput, SpawnFailureIsAnExecutorError) {
  ProcessResult r;
  r.spawn_failed = true;
  r.spawn_error = "cannot run /nope: No such file or directory";
  auto o = interpret_arc_output(r);
  EXPECT_EQ(o.failure_class, FailureClass::executor_error);
  EXPECT_NE(o.summary.find("/nope"), std::string::npos);
}

TEST(ExecutorLaunch, InvalidUtf8InATaskDoesNotThrow) {
  Task t;
  t.id = 7;
  t.subject = "caf\xc3";
  t.description = std::string("bad \xff\xfe bytes");
  SkillConfig s;
  s.name = "x";
  s.command = {"/bin/cat"};
  ProcessSpec spec;
  EXPECT_EQ(build_process_spec(t, s, ExecutorEnv{"inc", "", "", ""}, spec), "");
  EXPECT_NE(spec.stdin_data.find("\"id\":7"), std::string::npos);
}

}  // namespace
}  // namespace arc
