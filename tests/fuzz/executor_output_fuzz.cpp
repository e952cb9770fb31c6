// libFuzzer target: both executor output formats on any bytes and exit codes.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/claude_output.hpp"
#include "core/task.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  arc::ProcessResult r;
  r.exit_code = data[0] % 4;
  std::string rest(reinterpret_cast<const char*>(data + 1), size - 1);
  auto split = rest.find('\x00');
  r.out = rest.substr(0, split);
  if (split != std::string::npos) r.err = rest.substr(split + 1);
  for (const char* format : {"arc", "claude"}) {
    auto o = arc::interpret_output(format, r);
    // Every outcome is one the store understands, with text safe to print as JSON.
    if (o.failure_class > arc::FailureClass::imported) std::abort();  // none of the runtime's own classes
    if (o.rate_limited() && o.systemic) std::abort();
    if (arc::sanitize_text(o.summary, 1 << 20) != o.summary) std::abort();
    if (o.cost_usd < 0 || o.tokens_in < 0 || o.tokens_out < 0) std::abort();
  }
  return 0;
}
