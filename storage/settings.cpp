#include "storage/settings.hpp"

namespace arc {

Setting get_setting(Db& db, const std::string& name) {
  auto q = db.prepare("SELECT value, updated_at FROM settings WHERE name = ?");
  q.bind(1, name);
  if (!q.step()) return {};
  return {q.col_text(0), q.col_int(1)};
}

void set_setting(Db& db, const std::string& name, const std::string& value, millis now) {
  db.prepare("INSERT INTO settings (name, value, updated_at) VALUES (?1, ?2, ?3) "
             "ON CONFLICT (name) DO UPDATE SET value = ?2, updated_at = ?3")
      .bind(1, name)
      .bind(2, value)
      .bind(3, now)
      .run();
}

}  // namespace arc
