// Run-time switches in the settings table: written by `arc`, read by arcd
// (the tracer asks for "trace" every second).
#pragma once
#include <string>

#include "core/clock.hpp"
#include "storage/db.hpp"

namespace arc {

// The value of `name`, or "" if it was never set.
std::string get_setting(Db& db, const std::string& name);
void set_setting(Db& db, const std::string& name, const std::string& value, millis now);

}  // namespace arc
