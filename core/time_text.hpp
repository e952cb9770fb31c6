// Text <-> time conversions used by the CLI, the config and the logs.
#pragma once
#include <optional>
#include <string>

#include "core/clock.hpp"

namespace arc {

// "2026-05-14T03:00:00.000Z" (UTC, millisecond precision).
std::string format_iso_utc(millis t);

// Parses an ISO-8601 instant: "2026-05-14T03:00:00Z", with optional
// fractional seconds and a "+hh:mm" / "-hh:mm" / "Z" offset; a bare date-time
// without offset is read as UTC. nullopt when the text is not such an instant.
std::optional<millis> parse_iso_instant(const std::string& text);

// A duration such as "90s", "15m", "2h", "7d" or "500ms". nullopt on bad input.
std::optional<millis> parse_duration(const std::string& text);

// An absolute instant (ISO-8601) or a relative one ("+15m" = now + 15 min).
std::optional<millis> parse_when(const std::string& text, millis now);

// "3m12s", "2h05m", "4d03h": compact human age for the CLI.
std::string format_age(millis d);

}  // namespace arc
