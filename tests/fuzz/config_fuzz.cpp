// libFuzzer target: the config parser refuses bad TOML with an exception, never a crash.
#include <cstdint>
#include <stdexcept>
#include <string>

#include "core/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    arc::parse_config(std::string(reinterpret_cast<const char*>(data), size), "fuzz.toml");
  } catch (const std::runtime_error&) {
  }
  return 0;
}
