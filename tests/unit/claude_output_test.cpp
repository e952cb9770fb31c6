// The claude executor format, on output of the shapes Claude Code prints.
#include <gtest/gtest.h>

#include "core/claude_output.hpp"
#include "core/reset_time.hpp"

namespace arc {
namespace {

ProcessResult run(int code, std::string out, std::string err = "") {
  ProcessResult r;
  r.exit_code = code;
  r.out = std::move(out);
  r.err = std::move(err);
  return r;
}

const char* kInit =
    R"({"type":"system","subtype":"init","session_id":"s-1","model":"claude-sonnet","tools":["Bash"]})";
const char* kAssistant =
    R"({"type":"assistant","message":{"role":"assistant","content":[{"type":"text","text":"Looking"}]},"session_id":"s-1"})";

TEST(ClaudeOutput, StreamJsonSuccess) {
  std::string out = std::string(kInit) + "\n" + kAssistant + "\n" +
      R"({"type":"result","subtype":"success","is_error":false,"duration_ms":5123,"num_turns":4,)"
      R"("result":"Reviewed PR 42: two comments posted.","session_id":"s-1","total_cost_usd":0.0731,)"
      R"("usage":{"input_tokens":1200,"cache_creation_input_tokens":300,"cache_read_input_tokens":8000,"output_tokens":640}})" "\n";
  auto o = interpret_claude_output(run(0, out));
  EXPECT_EQ(o.status, "completed");
  EXPECT_NE(o.summary.find("Reviewed PR 42"), std::string::npos);
  EXPECT_NE(o.summary.find("s-1"), std::string::npos);
  EXPECT_DOUBLE_EQ(o.cost_usd, 0.0731);
  EXPECT_EQ(o.tokens_in, 9500);
  EXPECT_EQ(o.tokens_out, 640);
}

TEST(ClaudeOutput, JsonFormatSingleObject) {
  auto o = interpret_claude_output(run(0,
      "{\n  \"type\": \"result\", \"subtype\": \"success\", \"is_error\": false,\n"
      "  \"result\": \"ok\", \"total_cost_usd\": 0.01, \"usage\": {\"input_tokens\": 5, \"output_tokens\": 2}\n}\n"));
  EXPECT_EQ(o.status, "completed");
  EXPECT_EQ(o.tokens_out, 2);
}

TEST(ClaudeOutput, UsageLimitInTheResultIsRateLimitedWithItsResetPhrase) {
  for (std::string text : {"Claude AI usage limit reached|1779000000",
                           "5-hour limit reached \u2219 resets 3am",
                           "You've hit your limit \u00b7 resets 5pm (America/Chicago)"}) {
    std::string out = std::string(kInit) + "\n" +
        R"({"type":"result","subtype":"success","is_error":true,"result":")" + text +
        R"(","session_id":"s-2","total_cost_usd":0})" + "\n";
    auto o = interpret_claude_output(run(1, out));
    EXPECT_EQ(o.status, "rate_limited") << text;
    EXPECT_EQ(o.stop_reason, text);
    EXPECT_TRUE(parse_reset_time(o.stop_reason, 1'778'000'000'000, "UTC").ok) << text;
  }
}

TEST(ClaudeOutput, RateLimitEventWithoutAResult) {
  std::string out = std::string(kInit) + "\n" +
      R"J({"type":"system","subtype":"rate_limit","message":"usage limit reached, resets 17:00 (UTC)"})J" "\n";
  auto o = interpret_claude_output(run(1, out));
  EXPECT_EQ(o.status, "rate_limited");
  EXPECT_NE(o.stop_reason.find("resets 17:00"), std::string::npos);
}

TEST(ClaudeOutput, ErrorsAreFailures) {
  auto turns = interpret_claude_output(run(1,
      R"({"type":"result","subtype":"error_max_turns","is_error":true,"num_turns":30,"session_id":"s"})"));
  EXPECT_EQ(turns.status, "failed");
  EXPECT_EQ(turns.failure_class, "task_failed");
  EXPECT_FALSE(turns.retryable);
  EXPECT_NE(turns.summary.find("error_max_turns"), std::string::npos);
  auto during = interpret_claude_output(run(1,
      R"({"type":"result","subtype":"error_during_execution","is_error":true})"));
  EXPECT_TRUE(during.retryable);
}

TEST(ClaudeOutput, NoResultEvent) {
  auto crash = interpret_claude_output(run(137, std::string(kInit) + "\n", "Killed"));
  EXPECT_EQ(crash.failure_class, "crashed");
  auto cut = interpret_claude_output(run(0, std::string(kInit) + "\n{\"type\":\"assis"));
  EXPECT_EQ(cut.failure_class, "bad_output");
  EXPECT_NE(cut.summary.find("no result event"), std::string::npos);
  auto limit_on_stderr = interpret_claude_output(run(1, "", "Error: Claude AI usage limit reached|1779000000"));
  EXPECT_EQ(limit_on_stderr.status, "rate_limited");
}

TEST(ClaudeOutput, GarbageLinesAmongEventsAreSkipped) {
  std::string out = std::string("\xff\xfe{{{\nnot json\n") + kInit + "\n{\"type\":\"result\",\"subtype\":\"success\","
                    "\"is_error\":false,\"result\":\"fine\",\"total_cost_usd\":\"NaN\"}\n";
  auto o = interpret_claude_output(run(0, out));
  EXPECT_EQ(o.status, "completed");
  EXPECT_EQ(o.cost_usd, 0);
}

TEST(ClaudeOutput, WronglyTypedFieldsDoNotThrow) {
  for (const char* line : {R"({"type":"result","subtype":"success","is_error":1,"result":"x"})",
                           R"({"type":"result","is_error":"true","total_cost_usd":1e300,"usage":{"input_tokens":1e300,"output_tokens":-4}})",
                           R"({"type":"result","subtype":7,"result":["a"],"usage":"none"})"}) {
    ExecOutcome o;
    EXPECT_NO_THROW(o = interpret_claude_output(run(0, line))) << line;
    EXPECT_GE(o.tokens_in, 0);
    EXPECT_GE(o.tokens_out, 0);
    EXPECT_LT(o.cost_usd, 1e9);
  }
}

}  // namespace
}  // namespace arc
