#include "core/claude_output.hpp"

#include <nlohmann/json.hpp>

#include <sstream>

#include "core/reset_time.hpp"
#include "core/task.hpp"

namespace arc {
namespace {

constexpr size_t kSummaryCap = 4000;

int64_t count_of(const nlohmann::json& usage, const char* key) {
  auto it = usage.find(key);
  if (it == usage.end() || !it->is_number()) return 0;
  double v = it->get<double>();
  if (!(v >= 0) || v > 9e15) return 0;  // negative, NaN or absurd: not a token count
  return static_cast<int64_t>(v);
}

std::string text_of(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

ExecOutcome rate_limited(const std::string& text) {
  ExecOutcome o;
  o.status = failure::rate_limited;
  o.failure_class = failure::rate_limited;
  o.retryable = true;
  o.stop_reason = sanitize_text(text, 1000);
  o.summary = sanitize_text("rate limited: " + text, kSummaryCap);
  return o;
}

// A rate-limit notice among the events: its message, or "".
std::string rate_limit_text(const nlohmann::json& ev) {
  std::string type = text_of(ev, "type") + " " + text_of(ev, "subtype");
  if (type.find("rate_limit") == std::string::npos) return "";
  for (const char* k : {"message", "text", "error", "result"}) {
    std::string t = text_of(ev, k);
    if (!t.empty()) return t;
  }
  return sanitize_text(ev.dump(), 500);
}

ExecOutcome from_result(const nlohmann::json& ev, const ProcessResult& r) {
  ExecOutcome o;
  std::string result = text_of(ev, "result");
  std::string subtype = text_of(ev, "subtype");
  auto err = ev.find("is_error");
  bool is_error = (err != ev.end() && err->is_boolean() && err->get<bool>()) ||
                  (subtype != "success" && !subtype.empty());
  auto cost = [](const nlohmann::json& v) {
    double d = v.get<double>();
    return d >= 0 && d < 1e9 ? d : 0.0;
  };
  if (auto it = ev.find("total_cost_usd"); it != ev.end() && it->is_number()) o.cost_usd = cost(*it);
  else if (auto c = ev.find("cost_usd"); c != ev.end() && c->is_number()) o.cost_usd = cost(*c);
  o.api_cost_usd = o.cost_usd;
  if (auto u = ev.find("usage"); u != ev.end() && u->is_object()) {
    o.tokens_in = count_of(*u, "input_tokens") + count_of(*u, "cache_creation_input_tokens") +
                  count_of(*u, "cache_read_input_tokens");
    o.tokens_out = count_of(*u, "output_tokens");
  }
  std::string session = text_of(ev, "session_id");
  std::string suffix = session.empty() ? "" : " [session " + session + "]";
  if (is_error && looks_rate_limited(result)) {
    ExecOutcome limited = rate_limited(result);
    limited.cost_usd = o.cost_usd;
    limited.api_cost_usd = o.api_cost_usd;
    limited.tokens_in = o.tokens_in;
    limited.tokens_out = o.tokens_out;
    return limited;
  }
  if (is_error) {
    o.status = status::failed;
    // A crash mid-run may pass; running out of turns will happen again.
    bool transient = subtype == "error_during_execution";
    o.failure_class = transient ? failure::crashed : failure::task_failed;
    o.retryable = transient;
    o.summary = sanitize_text("claude " + (subtype.empty() ? std::string("error") : subtype) +
                                  (result.empty() ? "" : ": " + result) + suffix,
                              kSummaryCap);
    return o;
  }
  o.status = status::completed;
  std::string summary = result.empty() ? "claude finished (exit " + std::to_string(r.exit_code) + ")" : result;
  if (summary.size() + suffix.size() > kSummaryCap) summary = summary.substr(0, kSummaryCap - suffix.size() - 3) + "...";
  o.summary = sanitize_text(summary + suffix, kSummaryCap);
  return o;
}

}  // namespace

ExecOutcome interpret_claude_output(const ProcessResult& r) {
  if (r.spawn_failed || r.timed_out) return interpret_arc_output(r);
  std::optional<nlohmann::json> result;
  std::string limit;
  // --output-format json: one object (possibly pretty-printed).
  auto whole = nlohmann::json::parse(r.out, nullptr, false);
  if (whole.is_object()) {
    if (text_of(whole, "type") == "result") result = whole;
  } else {
    std::istringstream in(r.out);
    for (std::string line; std::getline(in, line);) {
      if (line.empty() || line[0] != '{') continue;
      auto ev = nlohmann::json::parse(line, nullptr, false);
      if (!ev.is_object()) continue;  // a broken line among events: skip it, keep the rest
      if (text_of(ev, "type") == "result") result = ev;
      if (auto t = rate_limit_text(ev); !t.empty()) limit = t;
    }
  }
  if (result) {
    ExecOutcome o = from_result(*result, r);
    // A failed result after a rate-limit event: the limit is the reason.
    if (o.status == status::failed && !limit.empty()) return rate_limited(limit);
    return o;
  }
  std::string err_tail = last_line(r.err);
  if (limit.empty() && (looks_rate_limited(err_tail) || looks_rate_limited(last_line(r.out))))
    limit = looks_rate_limited(err_tail) ? err_tail : last_line(r.out);
  if (!limit.empty()) return rate_limited(limit);
  if (r.exit_code != 0 || r.term_signal) return interpret_arc_output(r);  // a crash, as any executor
  ExecOutcome o;
  o.status = status::failed;
  o.failure_class = failure::bad_output;
  o.summary = sanitize_text("claude output has no result event (expected --output-format stream-json "
                            "or json); last line: " + sanitize_text(last_line(r.out), 300),
                            kSummaryCap);
  return o;
}

ExecOutcome interpret_output(const std::string& format, const ProcessResult& r) {
  return format == "claude" ? interpret_claude_output(r) : interpret_arc_output(r);
}

}  // namespace arc
