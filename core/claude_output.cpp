#include "core/claude_output.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <sstream>

#include "core/claude_plan.hpp"
#include "core/reset_time.hpp"
#include "core/task.hpp"
#include "core/time_text.hpp"

namespace arc {
namespace {

using json = nlohmann::json;
constexpr size_t kSummaryCap = 4000;

int64_t count_of(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return 0;
  double v = it->get<double>();
  if (!(v >= 0) || v > 9e15) return 0;  // negative, NaN or absurd: not a count
  return static_cast<int64_t>(v);
}

double usd_of(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return 0;
  double v = it->get<double>();
  return v >= 0 && v < 1e9 ? v : 0.0;
}

std::string text_of(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

const json* object_at(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_object() ? &*it : nullptr;
}

// What a run's messages said, gathered line by line.
struct Reading {
  std::optional<json> result;
  std::string assistant_error;  // the last assistant message's `error` field
  std::string assistant_text;   // its text
  std::string model;            // the first model that answered (an assistant message's)
  std::string init_model;       // the model the session started with (the init line's)
  std::string limit_text;       // the last rate_limit_event when it rejected, as a stop reason
  std::string rate_limit;       // the last rate_limit_event, as recorded
  // Each API response's usage (by message id: its blocks repeat it), for a
  // run that ends without a result message (killed at its timeout, crashed).
  std::map<std::string, std::pair<std::string, json>> usage_by_message;  // id -> (model, usage)
};

std::string limit_type_words(const std::string& type) {
  if (type == "five_hour") return "5-hour";
  if (type == "seven_day") return "weekly";
  if (type == "seven_day_opus") return "weekly Opus";
  if (type == "seven_day_sonnet") return "weekly Sonnet";
  return type.empty() ? "usage" : type;
}

void read_rate_limit_event(const json& ev, Reading& rd) {
  const json* info = object_at(ev, "rate_limit_info");
  if (!info) return;
  std::string status = text_of(*info, "status"), type = text_of(*info, "rateLimitType");
  int64_t resets = count_of(*info, "resetsAt");
  std::string at = resets > 0 ? format_iso_utc(resets * 1000) : std::string();
  rd.rate_limit = status + (type.empty() ? "" : " " + type);
  if (auto u = info->find("utilization"); u != info->end() && u->is_number()) {
    double v = u->get<double>();  // a fraction (0-1) in 2.1; a percentage in some producers
    if (v >= 0 && v <= 100) rd.rate_limit += " " + std::to_string(static_cast<int>(v <= 1 ? v * 100 : v)) + "%";
  }
  if (!at.empty()) rd.rate_limit += " resets " + at;
  rd.limit_text = status != "rejected" ? std::string()
                                       : "Claude " + limit_type_words(type) + " limit reached (rate_limit_event rejected)" +
                                             (at.empty() ? std::string() : "; resets " + at);
}

void read_assistant(const json& ev, Reading& rd) {
  rd.assistant_error = text_of(ev, "error");  // the last message's word: an earlier error that passed is no error
  const json* msg = object_at(ev, "message");
  if (!msg) return;
  std::string model = text_of(*msg, "model");
  if (rd.model.empty() && !model.empty() && model[0] != '<') rd.model = model;  // not "<synthetic>"
  if (const json* usage = object_at(*msg, "usage"); usage && !model.empty() && model[0] != '<')
    rd.usage_by_message[text_of(*msg, "id")] = {model, *usage};
  auto content = msg->find("content");
  if (content == msg->end() || !content->is_array()) return;
  std::string text;
  for (auto& block : *content)
    if (block.is_object() && text_of(block, "type") == "text") text += text_of(block, "text");
  if (!text.empty()) rd.assistant_text = text;
}

Reading read_messages(const std::string& out) {
  Reading rd;
  auto whole = json::parse(out, nullptr, false);
  if (whole.is_object()) {  // --output-format json
    if (text_of(whole, "type") == "result") rd.result = std::move(whole);
    return rd;
  }
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] != '{') continue;
    auto ev = json::parse(line, nullptr, false);
    if (!ev.is_object()) continue;  // a broken line among messages: skip it, keep the rest
    std::string type = text_of(ev, "type");
    if (type == "result") rd.result = std::move(ev);
    else if (type == "assistant") read_assistant(ev, rd);
    else if (type == "rate_limit_event") read_rate_limit_event(ev, rd);
    else if (type == "system" && text_of(ev, "subtype") == "init") rd.init_model = text_of(ev, "model");
  }
  return rd;
}

// One model's tokens, in the two spellings Claude Code uses: modelUsage's
// camelCase and the API's usage object.
struct Tokens {
  int64_t in = 0, out = 0, cache_read = 0, cache_write = 0;
  static Tokens of_model_usage(const json& u) {
    return {count_of(u, "inputTokens"), count_of(u, "outputTokens"), count_of(u, "cacheReadInputTokens"),
            count_of(u, "cacheCreationInputTokens")};
  }
  static Tokens of_api_usage(const json& u) {
    return {count_of(u, "input_tokens"), count_of(u, "output_tokens"), count_of(u, "cache_read_input_tokens"),
            count_of(u, "cache_creation_input_tokens")};
  }
  // Adds them to the outcome (tokens_in gets the uncached input; the caller adds the cache at the end).
  void add_to(ExecOutcome& o) const {
    o.tokens_in += in;
    o.tokens_out += out;
    o.cache_read_tokens += cache_read;
    o.cache_write_tokens += cache_write;
  }
  // At `model`'s configured prices; nullopt when the config does not price it.
  std::optional<double> priced(const ClaudeConfig* claude, const std::string& model) const {
    const ModelConfig* m = claude ? find_model(*claude, model) : nullptr;
    if (!m) return std::nullopt;
    return api_cost_usd(m->pricing, in, out, cache_write, cache_read);
  }
};

// Tokens and cost from the result: modelUsage (every model call of the run)
// when present, else usage (the main loop only).
void read_usage(const json& result, const ClaudeConfig* claude, ExecOutcome& o) {
  o.cost_usd = usd_of(result, "total_cost_usd");
  if (o.cost_usd == 0) o.cost_usd = usd_of(result, "cost_usd");
  o.turns = count_of(result, "num_turns");
  int64_t busiest = 0;
  double api = 0;
  const json* per_model = object_at(result, "modelUsage");
  if (per_model && !per_model->empty()) {
    for (auto& [model, u] : per_model->items()) {
      if (!u.is_object()) continue;
      Tokens t = Tokens::of_model_usage(u);
      t.add_to(o);
      // A model the config does not price: Claude Code's own estimate.
      api += t.priced(claude, model).value_or(usd_of(u, "costUSD"));
      if (t.out >= busiest) {  // the model that wrote the most: the run's model when no message said
        busiest = t.out;
        o.model = model;
      }
    }
  } else if (const json* u = object_at(result, "usage")) {
    Tokens::of_api_usage(*u).add_to(o);
  }
  o.tokens_in += o.cache_read_tokens + o.cache_write_tokens;
  o.api_cost_usd = api > 0 ? api : o.cost_usd;
}

// Tokens and an estimated cost from the API responses a run saw, when it
// ended without a result (so that the budget counts a run killed at its
// timeout): each priced at its model's rates, else not priced.
void read_message_usage(const Reading& rd, const ClaudeConfig* claude, ExecOutcome& o) {
  for (auto& [id, mu] : rd.usage_by_message) {
    Tokens t = Tokens::of_api_usage(mu.second);
    t.add_to(o);
    o.api_cost_usd += t.priced(claude, mu.first).value_or(0);
  }
  o.tokens_in += o.cache_read_tokens + o.cache_write_tokens;
  o.cost_usd = o.api_cost_usd;  // no result, no figure of Claude Code's: the API price is the estimate
}

ExecOutcome failed(FailureClass failure_class, bool retryable, const std::string& summary) {
  ExecOutcome o;
  o.failure_class = failure_class;
  o.retryable = retryable;
  o.summary = sanitize_text(summary, kSummaryCap);
  return o;
}

ExecOutcome rate_limited(const std::string& text) {
  ExecOutcome o;
  o.failure_class = FailureClass::rate_limited;
  o.retryable = true;
  o.stop_reason = sanitize_text(text, 1000);
  o.summary = sanitize_text("rate limited: " + text, kSummaryCap);
  return o;
}

// Claude Code cannot work until a person acts: the gate stops with `todo`.
ExecOutcome systemic(FailureClass failure_class, const std::string& what, const std::string& todo) {
  ExecOutcome o = failed(failure_class, false, what + "; not the task's fault: it goes back to the queue");
  o.systemic = true;
  o.stop_reason = sanitize_text(what + ". " + todo, 1000);
  return o;
}

const char* const kLoginTodo = "Log Claude Code in on this host (`claude /login`, or set ANTHROPIC_API_KEY in "
                               "[claude] env), then `arc dispatch reset`";

// Claude Code's own words for an account that cannot be used (its 2.1.x
// messages: "Not logged in · Please run /login", "Invalid API key · Fix
// external API key", "Credit balance is too low"): the systemic outcome,
// or nothing.
std::optional<ExecOutcome> account_problem(const std::string& text) {
  std::string s = text;
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const char* p : {"not logged in", "please run /login", "invalid api key", "oauth token has expired",
                        "authentication_error"})
    if (s.find(p) != std::string::npos) return systemic(FailureClass::not_logged_in, "claude: " + text, kLoginTodo);
  for (const char* p : {"credit balance is too low", "account is on hold"})
    if (s.find(p) != std::string::npos)
      return systemic(FailureClass::billing, "claude: " + text, "Settle the account's billing or credit, then `arc dispatch reset`");
  return std::nullopt;
}

ExecOutcome from_assistant_error(const std::string& error, const std::string& text) {
  std::string what = "claude: " + (text.empty() ? error : text) + " (" + error + ")";
  if (error == "authentication_failed" || error == "oauth_org_not_allowed" || error == "verification_required" ||
      error == "cloud_credential_error")
    return systemic(FailureClass::not_logged_in, what, kLoginTodo);
  if (error == "billing_error" || error == "account_on_hold")
    return systemic(FailureClass::billing, what, "Settle the account's billing or credit, then `arc dispatch reset`");
  if (error == "overloaded" || error == "server_error" || error == "unknown")
    return failed(FailureClass::crashed, true, what);
  // invalid_request, model_not_found, max_output_tokens: this task's run, as it is, fails again.
  return failed(FailureClass::task_failed, false, what);
}

ExecOutcome from_result(const json& ev, const Reading& rd, const ProcessResult& r, const ClaudeConfig* claude) {
  std::string result = text_of(ev, "result");
  std::string subtype = text_of(ev, "subtype");
  auto err = ev.find("is_error");
  bool is_error = (err != ev.end() && err->is_boolean() && err->get<bool>()) || (subtype != "success" && !subtype.empty());
  std::string session = text_of(ev, "session_id");
  std::string suffix = session.empty() ? "" : " [session " + session + "]";
  ExecOutcome o;
  if (!is_error) {
    std::string summary = result.empty() ? "claude finished (exit " + std::to_string(r.exit_code) + ")" : result;
    if (summary.size() + suffix.size() > kSummaryCap)
      summary = sanitize_text(summary, kSummaryCap - suffix.size() - 3) + "...";
    o.summary = sanitize_text(summary + suffix, kSummaryCap);
  } else if (!rd.limit_text.empty() || rd.assistant_error == "rate_limit" || looks_rate_limited(result)) {
    o = rate_limited(!rd.limit_text.empty() ? rd.limit_text : result.empty() ? rd.assistant_text : result);
  } else if (!rd.assistant_error.empty()) {
    o = from_assistant_error(rd.assistant_error, result.empty() ? rd.assistant_text : result);
  } else if (auto account = account_problem(result)) {
    o = *account;
  } else if (ev.contains("startup_failure_reason")) {
    std::string errors;
    if (auto e = ev.find("errors"); e != ev.end() && e->is_array())
      for (auto& x : *e)
        if (x.is_string()) errors += (errors.empty() ? "" : "; ") + x.get<std::string>();
    o = systemic(FailureClass::startup_failed, "claude could not start: " + text_of(ev, "startup_failure_reason") +
                                       (errors.empty() ? "" : ": " + errors),
                 "Mend Claude Code's configuration on this host, then `arc dispatch reset`");
  } else {
    // A crash mid-run may pass; running out of turns or of its budget will happen again.
    bool transient = subtype == "error_during_execution";
    std::string why = subtype == "error_max_budget_usd" ? "spent its --max-budget-usd cap"
                      : subtype == "error_max_turns"    ? "ran out of turns"
                      : subtype.empty() || subtype == "success" ? "error"
                                                                : subtype;
    o = failed(transient ? FailureClass::crashed : FailureClass::task_failed, transient,
               "claude " + why + (result.empty() ? "" : ": " + result) + suffix);
  }
  read_usage(ev, claude, o);
  // The model that answered (a fallback model, when it took over), else the
  // one the session began with, else the one modelUsage shows most output of.
  if (!rd.model.empty()) o.model = rd.model;
  else if (!rd.init_model.empty()) o.model = rd.init_model;
  o.rate_limit = rd.rate_limit;
  return o;
}

}  // namespace

ExecOutcome interpret_claude_output(const ProcessResult& r, const ClaudeConfig* claude) {
  if (r.spawn_failed && r.spawn_error.find("No such file or directory") != std::string::npos)
    return systemic(FailureClass::executor_missing, "the Claude Code binary could not be started (" + r.spawn_error + ")",
                    "Install it (npm install -g @anthropic-ai/claude-code) or set [claude] binary to its path, "
                    "then `arc dispatch reset`");
  if (r.spawn_failed) return interpret_arc_output(r);
  Reading rd = read_messages(r.out);
  // Stopped by arcd (its timeout, a lost lease, shutdown): what the session
  // said last is not a verdict on the task or the account.
  if (r.timed_out || r.cancelled) {
    ExecOutcome o = interpret_arc_output(r);  // the timeout's words
    if (r.cancelled) o = failed(FailureClass::crashed, true, "claude session stopped by arcd after " +
                                                             std::to_string(r.duration_ms / 1000) + " s");
    if (rd.result) read_usage(*rd.result, claude, o);
    else read_message_usage(rd, claude, o);
    o.model = rd.model.empty() ? rd.init_model : rd.model;
    o.rate_limit = rd.rate_limit;
    return o;
  }
  if (rd.result) return from_result(*rd.result, rd, r, claude);
  // No result message: a crash, a limit or a login problem said on stderr or
  // in an API error message (the assistant's `error`), never in the agent's prose.
  std::string err_tail = last_line(r.err), out_tail = last_line(r.out);
  ExecOutcome o;
  if (!rd.limit_text.empty()) o = rate_limited(rd.limit_text);
  else if (looks_rate_limited(err_tail)) o = rate_limited(err_tail);
  else if (!rd.assistant_error.empty() && rd.assistant_error != "unknown")
    o = from_assistant_error(rd.assistant_error, rd.assistant_text);
  else if (auto account = account_problem(err_tail)) o = *account;
  else if (r.exit_code != 0 || r.term_signal)
    o = failed(FailureClass::crashed, true,
               "claude " + std::string(r.term_signal ? "killed by signal " + std::to_string(r.term_signal)
                                                     : "exited with status " + std::to_string(r.exit_code)) +
                   " before its result" + (err_tail.empty() ? "" : ": " + sanitize_text(err_tail, 300)));
  else
    o = failed(FailureClass::bad_output, false,
               "claude output has no result message (expected --output-format stream-json or json); last line: " +
                   sanitize_text(out_tail, 300));
  read_message_usage(rd, claude, o);
  o.model = rd.model.empty() ? rd.init_model : rd.model;
  o.rate_limit = rd.rate_limit;
  return o;
}

ExecOutcome interpret_output(const std::string& format, const ProcessResult& r, const ClaudeConfig* claude) {
  return format == "claude" ? interpret_claude_output(r, claude) : interpret_arc_output(r);
}

}  // namespace arc
