// Turns what an executor did (exit status, stdout, stderr) into a task
// outcome, following docs/executor-protocol.md: exit 0 = completed, non-zero
// = failed; a last stdout line that is a JSON object may give status,
// summary, cost_usd, api_cost_usd, tokens_in, tokens_out and stop_reason.
// Pure: no I/O, never throws, any bytes in.
#pragma once
#include <cstdint>
#include <string>

#include "core/process.hpp"
#include "core/task_status.hpp"

namespace arc {

struct ExecOutcome {
  FailureClass failure_class = FailureClass::none;  // none: it completed
  bool retryable = false;     // timeout and crashes are; explicit failures are not
  // Not the task's fault and not passing by itself (not logged in, a bad
  // key, no credit, the executor missing): the gate stops until a person
  // acts, the task goes back to pending and its attempt is not spent.
  // stop_reason says what to do.
  bool systemic = false;
  std::string summary;
  std::string stop_reason;
  double cost_usd = 0;
  double api_cost_usd = 0;
  int64_t tokens_in = 0;           // all input, cache reads and writes included
  int64_t tokens_out = 0;
  int64_t cache_read_tokens = 0;   // of tokens_in
  int64_t cache_write_tokens = 0;  // of tokens_in
  int64_t turns = 0;
  std::string model;               // the model that answered, when the executor says
  std::string rate_limit;          // the provider's last word on limits ("allowed five_hour 82% resets ...")

  bool completed() const { return failure_class == FailureClass::none; }
  bool rate_limited() const { return failure_class == FailureClass::rate_limited; }
  // How the gate counts it and runs.outcome records it.
  RunOutcome outcome() const {
    return systemic       ? RunOutcome::systemic
           : rate_limited() ? RunOutcome::rate_limited
           : completed()    ? RunOutcome::completed
                            : RunOutcome::failed;
  }
};

ExecOutcome interpret_arc_output(const ProcessResult& r);

// The last non-empty line of `text` (without its newline).
std::string last_line(const std::string& text);

}  // namespace arc
