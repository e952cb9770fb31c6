// The database schema and its migrations, keyed on PRAGMA user_version.
#pragma once
#include <string>

#include "storage/db.hpp"

namespace arc {

inline constexpr int kSchemaVersion = 7;

struct OpenOptions {
  bool read_only = false;
  std::string synchronous = "full";  // full | normal
  int busy_timeout_ms = 5000;
};

// Opens an arc database, creating and migrating it as needed; WAL mode.
// Refuses, changing nothing, a file that is not an SQLite database, an SQLite
// database that is not arc's, and a database written by a newer schema.
// Throws DbError with a message that says what to do.
std::unique_ptr<Db> open_database(const std::string& path, const OpenOptions& opts = {});

// What the connection itself says of its durability, read back from SQLite
// (not from the options asked for): "journal_mode=wal synchronous=full".
std::string durability(Db& db);

// Applies the pending migrations to an open connection (used by open_database).
void migrate(Db& db);

}  // namespace arc
