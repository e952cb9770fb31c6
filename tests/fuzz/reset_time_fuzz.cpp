// libFuzzer target: parse_reset_time on any bytes, at several "now"s and zones.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/reset_time.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  for (arc::millis now : {arc::millis{1'778'727'600'000}, arc::millis{1'772'946'000'000}}) {
    for (const char* zone : {"UTC", "America/Chicago", "Nowhere/Atlantis"}) {
      auto r = arc::parse_reset_time(text, now, zone);
      // The contract: a result is never in the past, and a failure says why.
      if (r.ok && r.at <= now) std::abort();
      if (!r.ok && r.error.empty()) std::abort();
    }
  }
  return 0;
}
