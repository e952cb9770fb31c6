#include "core/fault.hpp"

#ifdef ARC_FAULT_INJECTION
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <random>
#include <sstream>
#include <string>

namespace arc::fault {
namespace {

struct Rule {
  std::string kind;  // nth | every | p | while
  double value = 0;
  std::string path;
  uint64_t hits = 0;
};

struct Faults {
  std::mutex mu;
  std::map<std::string, Rule> rules;
  std::mt19937_64 rng{std::random_device{}()};
  Faults() {
    const char* env = std::getenv("ARC_FAULTS");
    if (!env) return;
    std::stringstream in(env);
    for (std::string entry; std::getline(in, entry, ',');) {
      auto eq = entry.find('='), colon = entry.find(':', eq == std::string::npos ? 0 : eq);
      if (eq == std::string::npos || colon == std::string::npos) {
        std::fprintf(stderr, "ARC_FAULTS: \"%s\" is not point=rule:value; ignored\n", entry.c_str());
        continue;
      }
      Rule r;
      r.kind = entry.substr(eq + 1, colon - eq - 1);
      std::string v = entry.substr(colon + 1);
      if (r.kind == "while") {
        r.path = v;
      } else {
        char* end = nullptr;
        r.value = std::strtod(v.c_str(), &end);
        if (end == v.c_str() || (r.kind != "nth" && r.kind != "every" && r.kind != "p") || r.value <= 0) {
          std::fprintf(stderr, "ARC_FAULTS: \"%s\": rule must be nth:N, every:N, p:P or while:PATH; ignored\n",
                       entry.c_str());
          continue;
        }
      }
      rules[entry.substr(0, eq)] = r;
    }
  }
};

Faults& faults() {
  static Faults f;
  return f;
}

}  // namespace

bool fire(const char* point) {
  Faults& f = faults();
  if (f.rules.empty()) return false;  // set once, before any thread asks
  std::lock_guard<std::mutex> lock(f.mu);
  auto it = f.rules.find(point);
  if (it == f.rules.end()) return false;
  Rule& r = it->second;
  ++r.hits;
  if (r.kind == "nth") return r.hits == static_cast<uint64_t>(r.value);
  if (r.kind == "every") return r.hits % static_cast<uint64_t>(r.value) == 0;
  if (r.kind == "p") return std::uniform_real_distribution<double>(0, 1)(f.rng) < r.value;
  return access(r.path.c_str(), F_OK) == 0;  // while
}

}  // namespace arc::fault
#endif
