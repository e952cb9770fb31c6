#include "core/time_text.hpp"

#include <date/date.h>

#include <cctype>
#include <chrono>

namespace arc {

std::string format_iso_utc(millis t) {
  using namespace std::chrono;
  date::sys_time<milliseconds> tp{milliseconds{t}};
  return date::format("%FT%TZ", tp);
}

// A strict hand-written reader: date::parse has undefined behaviour on some
// malformed inputs (found by fuzzing), and this text comes from executors.
std::optional<millis> parse_iso_instant(const std::string& text) {
  const std::string& s = text;
  size_t i = 0;
  auto num = [&](int digits, int& out) {
    out = 0;
    for (int k = 0; k < digits; ++k, ++i) {
      if (i >= s.size() || !std::isdigit(static_cast<unsigned char>(s[i]))) return false;
      out = out * 10 + (s[i] - '0');
    }
    return true;
  };
  auto lit = [&](char c) { return i < s.size() && s[i] == c ? (++i, true) : false; };
  int y, mo, d, h, mi, sec = 0, ms = 0;
  if (!num(4, y) || !lit('-') || !num(2, mo) || !lit('-') || !num(2, d)) return std::nullopt;
  if (!(lit('T') || lit('t') || lit(' '))) return std::nullopt;
  if (!num(2, h) || !lit(':') || !num(2, mi)) return std::nullopt;
  if (lit(':') && !num(2, sec)) return std::nullopt;
  if (lit('.')) {
    int digits = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
      if (digits < 3) ms = ms * 10 + (s[i] - '0');
      ++digits, ++i;
    }
    if (digits == 0) return std::nullopt;
    for (int k = digits; k < 3; ++k) ms *= 10;
  }
  int offset_min = 0;
  if (lit('Z') || lit('z')) {
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    int sign = s[i++] == '-' ? -1 : 1, oh, om;
    if (!num(2, oh)) return std::nullopt;
    lit(':');
    if (!num(2, om) || oh > 23 || om > 59) return std::nullopt;
    offset_min = sign * (oh * 60 + om);
  }
  if (i != s.size()) return std::nullopt;
  date::year_month_day ymd{date::year{y}, date::month{static_cast<unsigned>(mo)},
                           date::day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  int64_t days = date::sys_days{ymd}.time_since_epoch().count();
  return ((days * 24 + h) * 60 + mi - offset_min) * 60'000 + int64_t{sec} * 1000 + ms;
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
