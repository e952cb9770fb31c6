// The claude executor format on Claude Code's own stream-json shapes: the
// transcripts in tests/data/claude (two captured from the real CLI, the rest
// built from those lines and the SDK's types; see its README).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/claude_output.hpp"
#include "core/reset_time.hpp"
#include "core/time_text.hpp"

namespace arc {
namespace {

ProcessResult run(int code, std::string out, std::string err = "") {
  ProcessResult r;
  r.exit_code = code;
  r.out = std::move(out);
  r.err = std::move(err);
  return r;
}

std::string transcript(const std::string& name) {
  std::ifstream in(std::string(ARC_SOURCE_DIR) + "/tests/data/claude/" + name);
  EXPECT_TRUE(in) << name;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const millis kDec6Noon = *parse_iso_instant("2026-12-06T12:00:00Z");

TEST(ClaudeOutput, ASuccessGivesCostTokensPerModelCacheAndTurns) {
  ClaudeConfig claude;
  claude.models = default_models();
  auto o = interpret_claude_output(run(0, transcript("success.jsonl")), &claude);
  EXPECT_EQ(o.outcome(), RunOutcome::completed);
  EXPECT_NE(o.summary.find("Reviewed PR 42: two comments posted."), std::string::npos);
  EXPECT_DOUBLE_EQ(o.cost_usd, 0.07395);
  // modelUsage over both models: sonnet 1200 + 300 + 8000, haiku 400.
  EXPECT_EQ(o.tokens_in, 1200 + 400 + 8000 + 300);
  EXPECT_EQ(o.tokens_out, 640 + 90);
  EXPECT_EQ(o.cache_read_tokens, 8000);
  EXPECT_EQ(o.cache_write_tokens, 300);
  EXPECT_EQ(o.turns, 4);
  EXPECT_EQ(o.model, "claude-sonnet-5");  // the model that answered
  // The pricing table: sonnet 3/15/3.75/0.30, haiku 1/5/1.25/0.10 per million.
  double api = (1200 * 3 + 640 * 15 + 300 * 3.75 + 8000 * 0.30 + 400 * 1 + 90 * 5) / 1e6;
  EXPECT_NEAR(o.api_cost_usd, api, 1e-12);
  EXPECT_NE(o.api_cost_usd, o.cost_usd);
  EXPECT_NE(o.rate_limit.find("allowed five_hour"), std::string::npos);
  // Without a pricing table, Claude Code's own estimate.
  EXPECT_NEAR(interpret_claude_output(run(0, transcript("success.jsonl"))).api_cost_usd, 0.0731 + 0.00085, 1e-12);
}

TEST(ClaudeOutput, AllowedRateLimitEventsThenAnOrdinaryFailureStopNothing) {
  auto server = interpret_claude_output(run(1, transcript("allowed-then-server-error.jsonl")));
  EXPECT_EQ(server.outcome(), RunOutcome::failed);
  EXPECT_EQ(server.failure_class, FailureClass::crashed);  // an API 500 may pass: retried
  EXPECT_TRUE(server.retryable);
  EXPECT_FALSE(server.systemic);
  EXPECT_NE(server.rate_limit.find("allowed_warning seven_day 81%"), std::string::npos) << server.rate_limit;
  auto turns = interpret_claude_output(run(1, transcript("allowed-then-max-turns.jsonl")));
  EXPECT_EQ(turns.outcome(), RunOutcome::failed);
  EXPECT_EQ(turns.failure_class, FailureClass::task_failed);
  EXPECT_FALSE(turns.retryable);
  EXPECT_NE(turns.summary.find("ran out of turns"), std::string::npos);
  EXPECT_EQ(turns.turns, 30);
  EXPECT_DOUBLE_EQ(turns.cost_usd, 0.41);
}

TEST(ClaudeOutput, ARejectedRateLimitEventResumesAtItsResetsAt) {
  struct Case {
    const char* file;
    const char* reset;
  } cases[] = {{"rejected-five-hour.jsonl", "2026-12-06T23:00:00.000Z"},
               {"rejected-seven-day.jsonl", "2026-12-10T23:00:00.000Z"}};
  for (auto& c : cases) {
    auto o = interpret_claude_output(run(1, transcript(c.file)));
    EXPECT_EQ(o.outcome(), RunOutcome::rate_limited) << c.file;
    EXPECT_FALSE(o.systemic);
    auto rt = parse_reset_time(o.stop_reason, kDec6Noon, "UTC");
    ASSERT_TRUE(rt.ok) << o.stop_reason;
    EXPECT_EQ(format_iso_utc(rt.at), c.reset) << o.stop_reason;
  }
}

TEST(ClaudeOutput, AWeeklyLimitInTextWithADateResetsThatDay) {
  auto o = interpret_claude_output(run(1, transcript("weekly-limit-text-only.jsonl")));
  EXPECT_EQ(o.outcome(), RunOutcome::rate_limited);
  auto rt = parse_reset_time(o.stop_reason, kDec6Noon, "UTC");
  ASSERT_TRUE(rt.ok) << rt.error;
  EXPECT_EQ(format_iso_utc(rt.at), "2026-12-10T23:00:00.000Z");  // 5pm CST
}

TEST(ClaudeOutput, NotLoggedInIsSystemicAndSaysWhatToDo) {
  // The real CLI, not logged in: an assistant message with
  // error "authentication_failed", then an is_error result; exit 1.
  auto o = interpret_claude_output(run(1, transcript("not-logged-in.jsonl")));
  EXPECT_EQ(o.outcome(), RunOutcome::systemic);
  EXPECT_TRUE(o.systemic);
  EXPECT_EQ(o.failure_class, FailureClass::not_logged_in);
  EXPECT_NE(o.stop_reason.find("Not logged in"), std::string::npos);
  EXPECT_NE(o.stop_reason.find("claude /login"), std::string::npos);
  EXPECT_NE(o.stop_reason.find("arc dispatch reset"), std::string::npos);
  // The same words on stderr with no messages at all.
  auto bare = interpret_claude_output(run(1, "", "Invalid API key · Please run /login"));
  EXPECT_TRUE(bare.systemic);
}

TEST(ClaudeOutput, AnUnreachableApiIsATransientFailure) {
  auto o = interpret_claude_output(run(1, transcript("api-unreachable.jsonl")));
  EXPECT_EQ(o.outcome(), RunOutcome::failed);
  EXPECT_FALSE(o.systemic);
  EXPECT_TRUE(o.retryable);
  EXPECT_NE(o.summary.find("Can't reach the API server"), std::string::npos);
}

TEST(ClaudeOutput, AMissingBinaryIsSystemic) {
  ProcessResult r;
  r.spawn_failed = true;
  r.spawn_error = "cannot run claude: No such file or directory";
  auto o = interpret_claude_output(r);
  EXPECT_TRUE(o.systemic);
  EXPECT_EQ(o.failure_class, FailureClass::executor_missing);
  EXPECT_NE(o.stop_reason.find("[claude] binary"), std::string::npos);
}

// The success transcript without its result line: a session cut short.
std::string without_result(const std::string& name) {
  std::string t = transcript(name);
  return t.substr(0, t.rfind("{\"duration_api_ms\"") == std::string::npos ? t.size() : t.rfind("{\"duration_api_ms\""));
}

TEST(ClaudeOutput, ARunKilledAtItsTimeoutStillCountsWhatItsApiCallsCost) {
  ClaudeConfig claude;
  claude.models = default_models();
  ProcessResult r = run(-1, without_result("success.jsonl"));
  r.timed_out = true;
  r.term_signal = 15;
  r.duration_ms = 900'000;
  auto o = interpret_claude_output(r, &claude);
  EXPECT_EQ(o.failure_class, FailureClass::timeout);
  EXPECT_TRUE(o.retryable);
  // The assistant message's usage is what the run saw; its price at sonnet's
  // rates (3/15/3.75/0.30 per million) is the estimate the budget counts.
  EXPECT_EQ(o.tokens_in, 1200 + 300 + 8000);
  EXPECT_EQ(o.tokens_out, 640);
  EXPECT_NEAR(o.cost_usd, (1200 * 3 + 640 * 15 + 300 * 3.75 + 8000 * 0.30) / 1e6, 1e-12);
  EXPECT_DOUBLE_EQ(o.cost_usd, o.api_cost_usd);
  EXPECT_EQ(o.model, "claude-sonnet-5");
}

TEST(ClaudeOutput, TheAgentsOwnWordsAreNeverTakenForTheAccountsOrALimit) {
  std::string init = transcript("success.jsonl").substr(0, transcript("success.jsonl").find('\n') + 1);
  // Its prose mentions a login and a limit; the process then crashed without a result.
  std::string prose = init + R"({"type":"assistant","message":{"id":"m1","model":"claude-sonnet-5","role":"assistant",)"
                             R"("content":[{"type":"text","text":"gh says: not logged in, please run /login; you've hit )"
                             R"(your limit \u00b7 resets 5pm"}]},"session_id":"s"})" "\n";
  auto crashed = interpret_claude_output(run(1, prose));
  EXPECT_FALSE(crashed.systemic);
  EXPECT_EQ(crashed.outcome(), RunOutcome::failed);
  EXPECT_EQ(crashed.failure_class, FailureClass::crashed);
  // Stopped by arcd: a crash, whatever the stream said before.
  ProcessResult stopped = run(-1, transcript("not-logged-in.jsonl"));
  stopped.cancelled = true;
  auto o = interpret_claude_output(stopped);
  EXPECT_FALSE(o.systemic);
  EXPECT_EQ(o.failure_class, FailureClass::crashed);
}

TEST(ClaudeOutput, ARejectedEventThatLaterPassedIsNotALimit) {
  std::string lines = transcript("rejected-five-hour.jsonl");
  std::string first_event = lines.substr(lines.find("{\"type\":\"rate_limit_event\""));
  first_event = first_event.substr(0, first_event.find('\n') + 1);
  std::string allowed = first_event;
  allowed.replace(allowed.find("\"rejected\""), 10, "\"allowed\"");
  std::string max_turns = transcript("allowed-then-max-turns.jsonl");
  auto o = interpret_claude_output(run(1, first_event + allowed + max_turns));
  EXPECT_EQ(o.outcome(), RunOutcome::failed);
  EXPECT_EQ(o.failure_class, FailureClass::task_failed);
}

TEST(ClaudeOutput, JsonFormatSingleObject) {
  auto o = interpret_claude_output(run(0,
      "{\n  \"type\": \"result\", \"subtype\": \"success\", \"is_error\": false,\n"
      "  \"result\": \"ok\", \"total_cost_usd\": 0.01, \"usage\": {\"input_tokens\": 5, \"output_tokens\": 2}\n}\n"));
  EXPECT_EQ(o.outcome(), RunOutcome::completed);
  EXPECT_EQ(o.tokens_in, 5);
  EXPECT_EQ(o.tokens_out, 2);
}

TEST(ClaudeOutput, OlderLimitTextsInAResultAreRateLimitedWithTheirResetPhrase) {
  std::string init = transcript("success.jsonl").substr(0, transcript("success.jsonl").find('\n') + 1);
  for (std::string text : {"Claude AI usage limit reached|1779000000", "5-hour limit reached \u2219 resets 3am",
                           "You've hit your limit \u00b7 resets 5pm (America/Chicago)"}) {
    std::string out = init + R"({"type":"result","subtype":"success","is_error":true,"result":")" + text +
                      R"(","session_id":"s-2","total_cost_usd":0})" + "\n";
    auto o = interpret_claude_output(run(1, out));
    EXPECT_EQ(o.outcome(), RunOutcome::rate_limited) << text;
    EXPECT_EQ(o.stop_reason, text);
    EXPECT_TRUE(parse_reset_time(o.stop_reason, 1'778'000'000'000, "UTC").ok) << text;
  }
}

TEST(ClaudeOutput, CrashesCutOutputAndLimitsOnStderr) {
  std::string init = transcript("success.jsonl").substr(0, transcript("success.jsonl").find('\n') + 1);
  auto crash = interpret_claude_output(run(137, init, "Killed"));
  EXPECT_EQ(crash.failure_class, FailureClass::crashed);
  auto cut = interpret_claude_output(run(0, init + "{\"type\":\"assis"));
  EXPECT_EQ(cut.failure_class, FailureClass::bad_output);
  EXPECT_NE(cut.summary.find("no result message"), std::string::npos);
  auto limit_on_stderr = interpret_claude_output(run(1, "", "Error: Claude AI usage limit reached|1779000000"));
  EXPECT_EQ(limit_on_stderr.outcome(), RunOutcome::rate_limited);
}

TEST(ClaudeOutput, GarbageLinesAmongMessagesAreSkipped) {
  std::string out = std::string("\xff\xfe{{{\nnot json\n") + transcript("success.jsonl");
  auto o = interpret_claude_output(run(0, out));
  EXPECT_EQ(o.outcome(), RunOutcome::completed);
  auto nan = interpret_claude_output(
      run(0, "{\"type\":\"result\",\"subtype\":\"success\",\"is_error\":false,\"result\":\"fine\",\"total_cost_usd\":\"NaN\"}\n"));
  EXPECT_EQ(nan.cost_usd, 0);
}

TEST(ClaudeOutput, WronglyTypedFieldsDoNotThrow) {
  for (const char* line :
       {R"({"type":"result","subtype":"success","is_error":1,"result":"x"})",
        R"({"type":"result","is_error":"true","total_cost_usd":1e300,"usage":{"input_tokens":1e300,"output_tokens":-4}})",
        R"({"type":"result","subtype":7,"result":["a"],"usage":"none","modelUsage":{"m":7,"n":{"inputTokens":"x"}}})",
        R"({"type":"rate_limit_event","rate_limit_info":{"status":"rejected","resetsAt":"soon","utilization":"x"}})",
        R"({"type":"assistant","error":7,"message":{"content":"text","model":3}})"}) {
    ExecOutcome o;
    EXPECT_NO_THROW(o = interpret_claude_output(run(0, line))) << line;
    EXPECT_GE(o.tokens_in, 0);
    EXPECT_GE(o.tokens_out, 0);
    EXPECT_LT(o.cost_usd, 1e9);
  }
}

}  // namespace
}  // namespace arc
