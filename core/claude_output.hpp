// The "claude" executor format: reads the output of
// `claude -p --output-format stream-json` (one JSON event a line) or
// `--output-format json` (one result object). The final result event gives
// the outcome, summary, cost and tokens; a usage-limit message gives a
// rate_limited outcome whose stop_reason holds the "resets …" phrase.
// Pure, never throws, any bytes in.
#pragma once
#include "core/executor_output.hpp"

namespace arc {

ExecOutcome interpret_claude_output(const ProcessResult& r);

// Dispatches on a skill's `format` ("arc" or "claude").
ExecOutcome interpret_output(const std::string& format, const ProcessResult& r);

}  // namespace arc
