#include "core/sensor_schedule.hpp"

#include <date/tz.h>

#include "core/failure_patterns.hpp"
#include "core/time_text.hpp"
#include "core/time_zone.hpp"

namespace arc {
namespace {

// A stable pseudo-random value in [0, range) from a name and a number.
millis spread(const std::string& name, int64_t n, millis range) {
  if (range <= 0) return 0;
  uint64_t h = std::stoull(fingerprint_of(name + "#" + std::to_string(n)), nullptr, 16);
  return static_cast<millis>(h % static_cast<uint64_t>(range));
}

}  // namespace

millis first_run_after_start(const std::string& name, millis now, millis persisted_next, const SensorCadence& c) {
  if (persisted_next > now) return persisted_next;
  return now + spread(name, 0, std::min(c.startup_spread_ms, c.interval_ms));
}

millis next_run_after(const std::string& name, millis ran_at, int64_t run_number, const SensorCadence& c) {
  return ran_at + c.interval_ms + spread(name, run_number, c.jitter_ms + 1);
}

int parse_clock_minutes(const std::string& text) {
  int h = 0, m = 0;
  char extra = 0;
  if (std::sscanf(text.c_str(), "%d:%d%c", &h, &m, &extra) != 2) return -1;
  if (h < 0 || h > 24 || m < 0 || m > 59 || (h == 24 && m != 0)) return -1;
  return h * 60 + m;
}

GuardVerdict check_guards(const std::vector<GuardWindow>& guards, millis now, bool has_counter,
                          int64_t counter_value) {
  using namespace std::chrono;
  GuardVerdict v;
  for (auto& g : guards) {
    if (g.kind == GuardWindow::counter) {
      if (!has_counter) continue;
      if (counter_value >= g.counter_from && counter_value <= g.counter_to) {
        v.paused = true;
        v.why = "counter " + std::to_string(counter_value) + " within " + std::to_string(g.counter_from) +
                ".." + std::to_string(g.counter_to);
        return v;
      }
      continue;
    }
    const date::time_zone* zone = locate_time_zone(g.zone);
    if (!zone) {
      v.error = "unknown time zone \"" + g.zone + "\" in a guard window";
      continue;
    }
    auto local = zone->to_local(date::sys_time<milliseconds>{milliseconds{now}});
    auto day = date::floor<date::days>(local);
    int minute = static_cast<int>(duration_cast<minutes>(local - day).count());
    auto to_utc = [&](date::local_days d, int min) {
      auto lt = date::local_time<minutes>{d.time_since_epoch() + minutes{min}};
      auto info = zone->get_info(lt);
      auto offset = info.result == date::local_info::nonexistent ? info.second.offset : info.first.offset;
      return duration_cast<milliseconds>(lt.time_since_epoch() - offset).count();
    };
    if (g.kind == GuardWindow::clock) {
      bool wraps = g.to_minute <= g.from_minute;
      bool inside = wraps ? (minute >= g.from_minute || minute < g.to_minute)
                          : (minute >= g.from_minute && minute < g.to_minute);
      if (!inside) continue;
      auto end_day = (wraps && minute >= g.from_minute) ? day + date::days{1} : day;
      v.paused = true;
      char buf[64];
      std::snprintf(buf, sizeof buf, "guard %02d:%02d-%02d:%02d %s", g.from_minute / 60, g.from_minute % 60,
                    g.to_minute / 60, g.to_minute % 60, g.zone.c_str());
      v.why = buf;
      v.until = to_utc(end_day, g.to_minute);
      return v;
    }
    // dates
    std::string today = date::format("%F", day);
    if (today >= g.from_date && today <= g.to_date) {
      v.paused = true;
      v.why = "guard dates " + g.from_date + ".." + g.to_date + " " + g.zone;
      auto last = parse_iso_instant(g.to_date + "T00:00:00Z");
      auto last_day = date::local_days{date::days{*last / 86'400'000}};
      v.until = to_utc(last_day + date::days{1}, 0);
      return v;
    }
  }
  return v;
}

}  // namespace arc
