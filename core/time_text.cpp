#include "core/time_text.hpp"

#include <date/date.h>

#include <cctype>
#include <chrono>
#include <sstream>

namespace arc {

std::string format_iso_utc(millis t) {
  using namespace std::chrono;
  date::sys_time<milliseconds> tp{milliseconds{t}};
  return date::format("%FT%TZ", tp);
}

std::optional<millis> parse_iso_instant(const std::string& text) {
  using namespace std::chrono;
  std::string s = text;
  // Normalise "Z"/offsets: date::parse's %z wants +hhmm or +hh:mm via %Ez.
  date::sys_time<milliseconds> tp;
  for (const char* fmt : {"%FT%T%Ez", "%FT%TZ", "%FT%T", "%F %T%Ez", "%F %TZ", "%F %T"}) {
    std::istringstream in{s};
    in >> date::parse(fmt, tp);
    if (!in.fail()) {
      // Reject trailing garbage.
      in >> std::ws;
      if (in.peek() == std::char_traits<char>::eof()) return tp.time_since_epoch().count();
    }
  }
  return std::nullopt;
}

std::optional<millis> parse_duration(const std::string& text) {
  if (text.empty()) return std::nullopt;
  size_t i = 0;
  int64_t value = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    if (value > 1'000'000'000) return std::nullopt;
    value = value * 10 + (text[i++] - '0');
  }
  if (i == 0) return std::nullopt;
  std::string unit = text.substr(i);
  if (unit == "ms") return value;
  if (unit == "s" || unit.empty()) return value * 1000;
  if (unit == "m") return value * 60'000;
  if (unit == "h") return value * 3'600'000;
  if (unit == "d") return value * 86'400'000;
  return std::nullopt;
}

std::optional<millis> parse_when(const std::string& text, millis now) {
  if (!text.empty() && text[0] == '+') {
    auto d = parse_duration(text.substr(1));
    if (!d) return std::nullopt;
    return now + *d;
  }
  return parse_iso_instant(text);
}

std::string format_age(millis d) {
  if (d < 0) d = 0;
  int64_t s = d / 1000;
  char buf[32];
  if (s < 60) {
    std::snprintf(buf, sizeof buf, "%llds", static_cast<long long>(s));
  } else if (s < 3600) {
    std::snprintf(buf, sizeof buf, "%lldm%02llds", static_cast<long long>(s / 60),
                  static_cast<long long>(s % 60));
  } else if (s < 86400) {
    std::snprintf(buf, sizeof buf, "%lldh%02lldm", static_cast<long long>(s / 3600),
                  static_cast<long long>(s % 3600 / 60));
  } else {
    std::snprintf(buf, sizeof buf, "%lldd%02lldh", static_cast<long long>(s / 86400),
                  static_cast<long long>(s % 86400 / 3600));
  }
  return buf;
}

}  // namespace arc
