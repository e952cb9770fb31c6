#include "core/executor_output.hpp"

#include <nlohmann/json.hpp>

#include <cstring>

#include "core/task.hpp"

namespace arc {
namespace {

constexpr size_t kSummaryCap = 4000;

std::string describe_exit(const ProcessResult& r) {
  if (r.term_signal) return "killed by signal " + std::to_string(r.term_signal) + " (" +
                            strsignal(r.term_signal) + ")";
  return "exited with status " + std::to_string(r.exit_code);
}

// Reads an optional number field; false (with why) when present but not a number.
bool read_number(const nlohmann::json& j, const char* key, double& out, std::string& why) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return true;
  if (!it->is_number() || (it->is_number_float() && !std::isfinite(it->get<double>())) ||
      it->get<double>() < 0) {
    why = std::string("field \"") + key + "\" must be a non-negative number";
    return false;
  }
  out = it->get<double>();
  return true;
}

bool read_count(const nlohmann::json& j, const char* key, int64_t& out, std::string& why) {
  double v = 0;
  if (!read_number(j, key, v, why)) return false;
  if (v > 9e15) {
    why = std::string("field \"") + key + "\" is too large";
    return false;
  }
  out = static_cast<int64_t>(v);
  return true;
}

bool read_text(const nlohmann::json& j, const char* key, std::string& out, std::string& why) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return true;
  if (!it->is_string()) {
    why = std::string("field \"") + key + "\" must be a string";
    return false;
  }
  out = it->get<std::string>();
  return true;
}

ExecOutcome bad_output(const std::string& why, const std::string& line) {
  ExecOutcome o;
  o.failure_class = FailureClass::bad_output;
  o.summary = sanitize_text("executor output not understood: " + why + "; last stdout line: " +
                                sanitize_text(line, 300),
                            kSummaryCap);
  return o;
}

}  // namespace

std::string last_line(const std::string& text) {
  size_t end = text.find_last_not_of("\r\n \t");
  if (end == std::string::npos) return {};
  size_t begin = text.rfind('\n', end);
  begin = begin == std::string::npos ? 0 : begin + 1;
  return text.substr(begin, end - begin + 1);
}

ExecOutcome interpret_arc_output(const ProcessResult& r) {
  ExecOutcome o;
  if (r.spawn_failed) {
    o.failure_class = FailureClass::executor_error;
    o.summary = sanitize_text("executor could not start: " + r.spawn_error, kSummaryCap);
    // Out of processes, memory or descriptors passes; a missing command does not.
    o.retryable = r.spawn_error.rfind("fork:", 0) == 0 || r.spawn_error.rfind("pipe:", 0) == 0;
    return o;
  }
  if (r.timed_out) {
    o.failure_class = FailureClass::timeout;
    o.retryable = true;
    o.summary = "killed at its timeout after " + std::to_string(r.duration_ms / 1000) +
                " s (SIGTERM to its process group, then SIGKILL)";
    return o;
  }
  std::string line = last_line(r.out);
  bool has_result_line = !line.empty() && line.front() == '{';
  if (has_result_line) {
    nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) return bad_output("the last stdout line starts with '{' but is not valid JSON", line);
    if (!j.is_object()) return bad_output("the last stdout line is not a JSON object", line);
    std::string why, st;
    if (!read_text(j, "status", st, why) || !read_text(j, "summary", o.summary, why) ||
        !read_text(j, "stop_reason", o.stop_reason, why) ||
        !read_number(j, "cost_usd", o.cost_usd, why) ||
        !read_number(j, "api_cost_usd", o.api_cost_usd, why) ||
        !read_count(j, "tokens_in", o.tokens_in, why) ||
        !read_count(j, "tokens_out", o.tokens_out, why))
      return bad_output(why, line);
    if (!st.empty() && st != "completed" && st != "failed" && st != "rate_limited")
      return bad_output("field \"status\" must be completed, failed or rate_limited, got \"" + st + "\"", line);
    o.summary = sanitize_text(o.summary, kSummaryCap);
    o.stop_reason = sanitize_text(o.stop_reason, 1000);
    if (st == "rate_limited") {
      o.failure_class = FailureClass::rate_limited;
      o.retryable = true;
      return o;
    }
    if (st.empty()) st = r.exit_code == 0 && !r.term_signal ? "completed" : "failed";
    if (st == "failed") {
      // An explicit verdict is final; a non-zero exit with no verdict is a crash.
      bool explicit_failed = j.contains("status");
      o.failure_class = explicit_failed ? FailureClass::task_failed : FailureClass::crashed;
      o.retryable = !explicit_failed;
      if (o.summary.empty()) o.summary = "executor " + describe_exit(r);
    }
    return o;
  }
  if (r.exit_code == 0 && !r.term_signal) {
    o.summary = sanitize_text(line, kSummaryCap);
    return o;
  }
  o.failure_class = FailureClass::crashed;
  o.retryable = true;
  std::string tail = last_line(r.err);
  if (tail.empty()) tail = line;
  o.summary = sanitize_text("executor " + describe_exit(r) + (tail.empty() ? "" : ": " + tail),
                            kSummaryCap);
  return o;
}

}  // namespace arc
