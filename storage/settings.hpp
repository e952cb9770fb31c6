// Run-time switches in the settings table: written by `arc`, read by arcd
// (the tracer asks for "trace" every second).
#pragma once
#include <string>

#include "core/clock.hpp"
#include "storage/db.hpp"

namespace arc {

struct Setting {
  std::string value;   // "" if it was never set
  millis updated_at = 0;
};
Setting get_setting(Db& db, const std::string& name);
void set_setting(Db& db, const std::string& name, const std::string& value, millis now);

}  // namespace arc
