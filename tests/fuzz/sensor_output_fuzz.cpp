// libFuzzer target: a script sensor's output (JSON task lines) gives task
// specs and line errors, never a crash, and every spec it keeps is valid.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/sensor_output.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto out = arc::parse_sensor_output(std::string(reinterpret_cast<const char*>(data), size), 1'800'000'000'000,
                                      "sensor:fuzz:");
  for (auto& s : out.specs)
    if (!arc::validate(s).empty()) std::abort();  // an invalid spec got through
  return 0;
}
