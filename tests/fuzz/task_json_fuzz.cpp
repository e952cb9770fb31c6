// libFuzzer target: the body of POST /api/tasks (core/task_json.hpp), from
// any bytes: a TaskJsonError naming the field, or a spec that passes
// validate() — never a crash, never a spec that fails validation.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/task_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string body(reinterpret_cast<const char*>(data), size);
  try {
    arc::TaskSpec s = arc::task_spec_from_json(body, 1'800'000'000'000);
    if (!arc::validate(s).empty()) std::abort();  // accepted must mean valid
  } catch (const arc::TaskJsonError&) {
  }
  return 0;
}
