// Turns what an executor did (exit status, stdout, stderr) into a task
// outcome, following docs/executor-protocol.md: exit 0 = completed, non-zero
// = failed; a last stdout line that is a JSON object may give status,
// summary, cost_usd, api_cost_usd, tokens_in, tokens_out and stop_reason.
// Pure: no I/O, never throws, any bytes in.
#pragma once
#include <cstdint>
#include <string>

#include "core/process.hpp"

namespace arc {

struct ExecOutcome {
  std::string status;         // completed | failed | rate_limited
  std::string failure_class;  // empty when completed (see core/task.hpp)
  bool retryable = false;     // timeout and crashes are; explicit failures are not
  std::string summary;
  std::string stop_reason;
  double cost_usd = 0;
  double api_cost_usd = 0;
  int64_t tokens_in = 0;
  int64_t tokens_out = 0;
};

ExecOutcome interpret_arc_output(const ProcessResult& r);

// The last non-empty line of `text` (without its newline).
std::string last_line(const std::string& text);

}  // namespace arc
