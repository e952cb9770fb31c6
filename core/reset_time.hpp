// Reads when a provider's quota resets from a stop reason or an executor's
// output, as a UTC instant. Pure: the current time and the default zone are
// arguments; any bytes in; never throws.
//
// Understood (case-insensitive, anywhere in the text):
//   "resets 5pm (America/Chicago)"   "resets 17:00 (UTC)"   "resets 5:30pm (Asia/Kolkata)"
//   "resets 3am"                      (no zone: default_zone)
//   "resets 2026-05-27T21:00:00Z"     (an ISO-8601 instant)
//   "Claude AI usage limit reached|1747000000"   (epoch seconds, or milliseconds)
//   "5-hour limit reached ∙ resets 3am", "You've hit your limit · resets 5pm (Europe/London)"
//   "You've hit your weekly limit · resets Oct 7 at 5pm (America/Chicago)", "resets Aug 8"
//                                     (a date: its next occurrence; midnight when no time is given)
// A wall-clock time that has already passed today (in its zone) means its next
// occurrence; the result is never in the past. DST: a time that does not exist
// that day (spring forward) is taken just after the gap; an ambiguous one
// (fall back) as the earlier instant.
#pragma once
#include <string>
#include <string_view>

#include "core/clock.hpp"

namespace arc {

struct ResetTime {
  bool ok = false;
  millis at = 0;          // UTC, valid when ok
  std::string matched;    // the phrase that was read, e.g. "resets 5pm (America/Chicago)"
  std::string error;      // why not, when !ok: names the phrase or zone
};

ResetTime parse_reset_time(std::string_view text, millis now, const std::string& default_zone = "UTC");

// True if the text looks like a provider's usage/rate limit message.
bool looks_rate_limited(std::string_view text);

}  // namespace arc
