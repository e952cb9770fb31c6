#include "core/reset_time.hpp"

#include <date/tz.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <optional>

#include "core/time_text.hpp"
#include "core/time_zone.hpp"

namespace arc {
namespace {

using namespace std::chrono;

constexpr millis kMaxDatedResetMs = 35LL * 86'400'000;  // a monthly limit, and some

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// "5pm", "5 pm", "5:30pm", "17:00", "17:00:00" at s[i...]; minutes since midnight.
std::optional<int> read_clock(const std::string& s, size_t& i) {
  size_t p = i;
  int h = 0, digits = 0;
  while (p < s.size() && is_digit(s[p]) && digits < 2) h = h * 10 + (s[p++] - '0'), ++digits;
  if (digits == 0) return std::nullopt;
  auto digit_at = [&](size_t k) { return k < s.size() && is_digit(s[k]); };
  int m = 0;
  bool has_minutes = false;
  if (p < s.size() && s[p] == ':' && digit_at(p + 1) && digit_at(p + 2)) {
    m = (s[p + 1] - '0') * 10 + (s[p + 2] - '0');
    p += 3;
    has_minutes = true;
    if (p < s.size() && s[p] == ':' && digit_at(p + 1) && digit_at(p + 2)) p += 3;  // seconds: ignored
  }
  size_t q = p;
  while (q < s.size() && s[q] == ' ') ++q;
  bool am = s.compare(q, 2, "am") == 0 || s.compare(q, 4, "a.m.") == 0;
  bool pm = s.compare(q, 2, "pm") == 0 || s.compare(q, 4, "p.m.") == 0;
  if (am || pm) {
    if (h < 1 || h > 12 || m > 59) return std::nullopt;
    if (h == 12) h = 0;
    if (pm) h += 12;
    p = q + (s.compare(q, 2, "am") == 0 || s.compare(q, 2, "pm") == 0 ? 2 : 4);
  } else {
    if (!has_minutes || h > 23 || m > 59) return std::nullopt;  // a bare "5" is not a time
  }
  i = p;
  return h * 60 + m;
}

// "(America/Chicago)" or "(UTC)" after optional spaces; the zone name as written.
std::optional<std::string> read_zone(std::string_view original, size_t& i) {
  size_t p = i;
  while (p < original.size() && original[p] == ' ') ++p;
  if (p >= original.size() || original[p] != '(') return std::nullopt;
  size_t close = original.find(')', p);
  if (close == std::string_view::npos || close - p > 64) return std::nullopt;
  std::string zone(original.substr(p + 1, close - p - 1));
  zone.erase(0, zone.find_first_not_of(' '));
  zone.erase(zone.find_last_not_of(' ') + 1);
  i = close + 1;
  return zone;
}

const date::time_zone* find_zone(const std::string& name, std::string& error) {
  const date::time_zone* z = locate_time_zone(name);
  if (!z) error = "unknown time zone \"" + name + "\"";
  return z;
}

// The first instant after `now` at which the wall clock in `zone` shows
// `wall_minutes` past midnight.
millis next_wall_time(const date::time_zone* zone, int wall_minutes, millis now) {
  using mins = std::chrono::minutes;
  auto local_now = zone->to_local(date::sys_time<milliseconds>{milliseconds{now}});
  auto day = date::floor<date::days>(local_now);
  for (int add = 0; add < 3; ++add) {
    date::local_time<mins> local{duration_cast<mins>((day + date::days{add}).time_since_epoch()) +
                                 mins{wall_minutes}};
    auto info = zone->get_info(local);
    date::sys_time<mins> t;
    if (info.result != date::local_info::nonexistent) {
      // Unique, or ambiguous (fall back): the earlier instant, first's offset.
      t = date::sys_time<mins>{local.time_since_epoch() - duration_cast<mins>(info.first.offset)};
    } else {
      // Nonexistent (spring forward): the moment the gap ends.
      t = date::floor<mins>(info.second.begin);
    }
    millis ms = duration_cast<milliseconds>(t.time_since_epoch()).count();
    if (ms > now) return ms;
  }
  return now + 86'400'000;  // unreachable: a day always has the time
}

// "oct 7", "october 7th", "7 oct" at s[i...] (lower case): {month 1-12, day}.
std::optional<std::pair<int, int>> read_date(const std::string& s, size_t& i) {
  static const char* const kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                        "jul", "aug", "sep", "oct", "nov", "dec"};
  auto read_month = [&](size_t& p) -> int {
    for (int m = 0; m < 12; ++m) {
      if (s.compare(p, 3, kMonths[m]) != 0) continue;
      size_t q = p + 3;
      while (q < s.size() && std::isalpha(static_cast<unsigned char>(s[q]))) ++q;  // "october", "sept"
      if (q - p > 9) return 0;
      if (q < s.size() && s[q] == '.') ++q;
      p = q;
      return m + 1;
    }
    return 0;
  };
  auto read_day = [&](size_t& p) -> int {
    int d = 0, digits = 0;
    while (p < s.size() && is_digit(s[p]) && digits < 2) d = d * 10 + (s[p++] - '0'), ++digits;
    if (digits == 0 || d < 1 || d > 31) return 0;
    for (const char* suffix : {"st", "nd", "rd", "th"})
      if (s.compare(p, 2, suffix) == 0) p += 2;
    if (p < s.size() && std::isalnum(static_cast<unsigned char>(s[p]))) return 0;  // "7pm" is a time
    return d;
  };
  size_t p = i;
  int month = read_month(p), day = 0;
  if (month) {
    while (p < s.size() && s[p] == ' ') ++p;
    day = read_day(p);
  } else {
    day = read_day(p);
    while (p < s.size() && s[p] == ' ') ++p;
    month = day ? read_month(p) : 0;
  }
  if (!month || !day) return std::nullopt;
  i = p;
  return std::make_pair(month, day);
}

// The instant the wall clock in `zone` shows `minutes` past midnight on
// y-m-d; a time in a DST gap is taken just after it, an ambiguous one as
// the earlier instant. nullopt for a date that does not exist.
std::optional<millis> wall_time_on(const date::time_zone* zone, int y, int m, int d, int minutes) {
  using mins = std::chrono::minutes;
  date::year_month_day ymd{date::year{y}, date::month{static_cast<unsigned>(m)}, date::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  date::local_time<mins> local{date::local_days{ymd}.time_since_epoch() + mins{minutes}};
  auto info = zone->get_info(local);
  date::sys_time<mins> t = info.result != date::local_info::nonexistent
                               ? date::sys_time<mins>{local.time_since_epoch() - duration_cast<mins>(info.first.offset)}
                               : date::floor<mins>(info.second.begin);
  return duration_cast<milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

bool looks_rate_limited(std::string_view text) {
  std::string s = lower(text.substr(0, 100'000));
  for (const char* p : {"usage limit", "limit reached", "hit your limit", "rate limit", "rate_limit",
                        "quota exceeded", "resets "})
    if (s.find(p) != std::string::npos) return true;
  return false;
}

ResetTime parse_reset_time(std::string_view text, millis now, const std::string& default_zone) {
  ResetTime r;
  if (text.size() > 100'000) text = text.substr(text.size() - 100'000);  // the end holds the result
  std::string s = lower(text);

  // Claude's older form: "Claude AI usage limit reached|1747000000".
  if (auto bar = s.find("limit reached|"); bar != std::string::npos) {
    size_t p = bar + 14;
    int64_t v = 0;
    int digits = 0;
    while (p < s.size() && is_digit(s[p]) && digits < 16) v = v * 10 + (s[p++] - '0'), ++digits;
    if (digits >= 9) {
      r.ok = true;
      r.at = digits >= 13 ? v : v * 1000;
      r.matched = std::string(text.substr(bar, p - bar));
      if (r.at <= now) {
        r.ok = false;
        r.error = "the reset time " + format_iso_utc(r.at) + " in \"" + r.matched + "\" is in the past";
      }
      return r;
    }
  }

  // "resets …" / "reset at …" / "resets at …"
  for (size_t pos = 0; (pos = s.find("reset", pos)) != std::string::npos; ++pos) {
    size_t p = pos + 5;
    if (s.compare(p, 1, "s") == 0) ++p;
    while (p < s.size() && s[p] == ' ') ++p;
    if (s.compare(p, 3, "at ") == 0) p += 3;
    if (s.compare(p, 3, "on ") == 0) p += 3;
    while (p < s.size() && s[p] == ' ') ++p;
    // An ISO-8601 instant.
    if (p + 10 <= s.size() && is_digit(s[p]) && s[p + 4] == '-') {
      size_t end = p;
      while (end < text.size() && !std::isspace(static_cast<unsigned char>(text[end])) &&
             text[end] != ')' && text[end] != ',' && end - p < 40)
        ++end;
      std::string iso(text.substr(p, end - p));
      if (!iso.empty() && iso.back() == '.') iso.pop_back();
      if (auto t = parse_iso_instant(iso)) {
        r.matched = std::string(text.substr(pos, end - pos));
        if (*t <= now) {
          r.error = "the reset time " + iso + " in \"" + r.matched + "\" is in the past";
          return r;
        }
        r.ok = true;
        r.at = *t;
        return r;
      }
      continue;
    }
    // A date ("resets Oct 7 at 5pm (America/Chicago)", "resets Aug 8"): the
    // weekly and monthly limits. Its next occurrence; midnight without a time.
    auto date_at = read_date(s, p);
    std::optional<int> minutes;
    if (date_at) {
      size_t q = p;
      while (q < s.size() && (s[q] == ' ' || s[q] == ',')) ++q;
      if (s.compare(q, 3, "at ") == 0) q += 3;
      while (q < s.size() && s[q] == ' ') ++q;
      minutes = read_clock(s, q);
      if (minutes) p = q;
      else minutes = 0;
    } else {
      minutes = read_clock(s, p);
      if (!minutes) continue;
    }
    // Then "(Zone)", else the default zone.
    std::string zone_name = default_zone;
    size_t after = p;
    if (auto z = read_zone(text, after)) {
      zone_name = *z;
      p = after;
    }
    r.matched = std::string(text.substr(pos, p - pos));
    const date::time_zone* zone = find_zone(zone_name, r.error);
    if (!zone) {
      r.error += " in \"" + r.matched + "\"";
      return r;
    }
    if (!date_at) {
      r.ok = true;
      r.at = next_wall_time(zone, *minutes, now);
      return r;
    }
    int year = static_cast<int>(
        date::year_month_day{date::floor<date::days>(zone->to_local(date::sys_time<milliseconds>{milliseconds{now}}))}
            .year());
    for (int y = year; y <= year + 1 && !r.ok; ++y)
      if (auto t = wall_time_on(zone, y, date_at->first, date_at->second, *minutes); t && *t > now) {
        r.ok = true;
        r.at = *t;
      }
    // Limits reset within a month. A date further off is one already past
    // ("resets Oct 7" read late on Oct 7), not next year's: not a reset time.
    if (r.ok && r.at - now > kMaxDatedResetMs) {
      r.ok = false;
      r.error = "\"" + r.matched + "\" is " + std::to_string((r.at - now) / 86'400'000) +
                " days away; a limit resets within " + std::to_string(kMaxDatedResetMs / 86'400'000) + " days";
    }
    if (!r.ok && r.error.empty()) r.error = "\"" + r.matched + "\" names no date in the coming year";
    return r;
  }
  r.error = looks_rate_limited(text) ? "a limit message without a reset time this parser knows"
                                     : "no reset time in the text";
  return r;
}

}  // namespace arc
