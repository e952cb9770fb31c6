// The "claude" executor format: reads Claude Code's
// `--print --output-format stream-json --verbose` output (one JSON message a
// line; the shapes are @anthropic-ai/claude-agent-sdk's SDKMessage) or
// `--output-format json` (one result object). Pure, never throws, any bytes in.
//
// - The `result` message gives the outcome, summary, turns, cost
//   (total_cost_usd) and tokens (modelUsage, per model, cache reads and
//   writes apart; `usage` when there is no modelUsage).
// - `rate_limit_event`: status "allowed"/"allowed_warning" is recorded
//   (ExecOutcome::rate_limit) and stops nothing; "rejected" is a rate limit
//   that resets at rate_limit_info.resetsAt.
// - An assistant message's `error` field: authentication_failed,
//   billing_error and the like are systemic (the run says nothing about
//   the task: the gate stops, the attempt is refunded, stop_reason says
//   what to do); rate_limit is a limit; overloaded/server_error pass.
// - A limit announced in text ("You've hit your weekly limit · resets Oct 7
//   at 5pm (America/Chicago)") is a rate limit whose stop_reason holds it.
#pragma once
#include "core/agent_config.hpp"
#include "core/executor_output.hpp"

namespace arc {

// `claude`, when given, prices the run's tokens per model (api_cost_usd);
// without it api_cost_usd is Claude Code's own estimate.
ExecOutcome interpret_claude_output(const ProcessResult& r, const ClaudeConfig* claude = nullptr);

// Dispatches on a skill's `format` ("arc" or "claude").
ExecOutcome interpret_output(const std::string& format, const ProcessResult& r,
                             const ClaudeConfig* claude = nullptr);

}  // namespace arc
