#include "core/time_zone.hpp"

#include <date/tz.h>

#include <cctype>
#include <cstdio>

namespace arc {

const date::time_zone* locate_time_zone(const std::string& name) {
  std::string up = name;
  for (auto& c : up) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  try {
    return date::locate_zone(up == "UTC" || up == "GMT" || up == "Z" ? "Etc/UTC" : name);
  } catch (const std::exception&) {
    return nullptr;
  }
}

std::optional<LocalClock> local_clock(millis t, const std::string& zone_name) {
  using namespace std::chrono;
  const date::time_zone* zone = locate_time_zone(zone_name);
  if (!zone) return std::nullopt;
  auto sys = date::sys_time<milliseconds>{milliseconds{t}};
  auto info = zone->get_info(sys);
  auto local = zone->to_local(sys);
  auto day = date::floor<date::days>(local);
  date::year_month_day ymd{day};
  date::hh_mm_ss<milliseconds> hms{local - day};
  LocalClock c;
  c.year = static_cast<int>(ymd.year());
  c.month = static_cast<int>(static_cast<unsigned>(ymd.month()));
  c.day = static_cast<int>(static_cast<unsigned>(ymd.day()));
  c.hour = static_cast<int>(hms.hours().count());
  c.minute = static_cast<int>(hms.minutes().count());
  c.second = static_cast<int>(hms.seconds().count());
  c.weekday = static_cast<int>(date::weekday{day}.c_encoding());
  c.abbrev = info.abbrev;
  // Midnight may not exist (a DST change at 00:00): the day then began when the gap ended.
  auto midnight = date::local_time<milliseconds>{day.time_since_epoch()};
  auto at = zone->get_info(midnight);
  auto offset = at.result == date::local_info::nonexistent ? at.second.offset : at.first.offset;
  c.day_start = duration_cast<milliseconds>(midnight.time_since_epoch() - offset).count();
  if (at.result == date::local_info::nonexistent)
    c.day_start = duration_cast<milliseconds>(at.second.begin.time_since_epoch()).count();
  return c;
}

std::string format_local(const LocalClock& c) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d", c.year, c.month, c.day, c.hour, c.minute,
                c.second);
  return std::string(buf) + " " + c.abbrev;
}

}  // namespace arc
