// A task spec from a JSON object: the body of POST /api/tasks
// (docs/http-api.md). Strict: an unknown field, a wrong type or a value out
// of range is an error naming the field, so that a typo never creates a task
// with defaults the client did not mean.
#pragma once
#include <stdexcept>
#include <string>

#include "core/clock.hpp"
#include "core/task.hpp"

namespace arc {

struct TaskJsonError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

// Fields: subject (required), description, priority, skills, locks (arrays
// of strings), source, model, parent_id, max_attempts, scheduled_for and
// expires_at (ISO-8601 or "+DURATION"), max_age ("6h": expires that long
// after it is due). Throws TaskJsonError; the result has passed validate().
TaskSpec task_spec_from_json(const std::string& body, millis now);

}  // namespace arc
