// A thin RAII layer over one SQLite connection: prepared statements with
// positional binds, and errors as exceptions that name the statement and the
// database file. No ORM; SQL stays visible where it is used.
//
// This header does not include <sqlite3.h>: the actors that hold a Db (the
// persistence actor) compile without SQLite's declarations (CMakeLists.txt
// poisons them there). Code that needs a result code includes it itself.
#pragma once
#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <unordered_map>

struct sqlite3;
struct sqlite3_stmt;

namespace arc {

class DbError : public std::runtime_error {
 public:
  DbError(int code, const std::string& msg) : std::runtime_error(msg), code_(code) {}
  int code() const { return code_; }  // SQLite result code (extended)

 private:
  int code_;
};

// An error of the connection or its file, not of one statement: a savepoint
// cannot undo it, so the whole transaction is rolled back (IOERR, CORRUPT,
// NOTADB, CANTOPEN, FULL). `code` may be an extended result code.
bool is_connection_error(int code);

// A connection error that a fresh connection may cure: all of the above but
// FULL, which only space coming back cures (writes fail until then, and the
// claims back off).
bool needs_fresh_connection(int code);

// How an operator names a failed write's result code (extended codes too):
// "disk full", "I/O error", "database locked", "database corrupt", else
// "write failed" (core/storage_health.hpp).
std::string storage_fault_kind(int code);

// How long a connection waiting for another's write lock sleeps before
// try `tries` (0-based), in µs: 100 µs for the first 50, then 1 ms, until
// the busy timeout has passed by the clock (then SQLITE_BUSY). Short and
// even, to find the gap between two of arcd's back-to-back commits (db.cpp).
int64_t busy_pause_us(int tries);

// A cached prepared statement in use. Resets on destruction, so that a
// statement read only partly never keeps a read transaction open.
class Stmt {
 public:
  Stmt(sqlite3* db, sqlite3_stmt* s) : db_(db), s_(s) {}
  Stmt(Stmt&& o) noexcept : db_(o.db_), s_(o.s_) { o.s_ = nullptr; }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt() { reset(); }

  Stmt& bind(int i, int64_t v);
  Stmt& bind(int i, int v) { return bind(i, static_cast<int64_t>(v)); }
  Stmt& bind(int i, double v);
  Stmt& bind(int i, const std::string& v);  // empty string binds as text ''
  Stmt& bind_text_or_null(int i, const std::string& v);  // empty -> NULL
  Stmt& bind_int_or_null(int i, int64_t v);             // 0 -> NULL
  Stmt& bind_null(int i);

  // Advances; true while a row is available.
  bool step();
  // Runs to completion (for statements returning no rows).
  void run();
  void reset();  // rewinds and clears bindings, ready to bind again

  int64_t col_int(int i) const;
  double col_double(int i) const;
  std::string col_text(int i) const;
  bool col_null(int i) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* s_;
};

class Db {
 public:
  struct Options {
    bool read_only = false;
    bool create = true;
    int busy_timeout_ms = 5000;
  };
  // Opens the file. Does not migrate (see storage/schema.hpp).
  Db(const std::string& path, Options opts);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // A cached prepared statement, ready to bind. Do not prepare the same SQL
  // again while the returned Stmt is alive (they share one sqlite3_stmt).
  Stmt prepare(const std::string& sql);
  void exec(const std::string& sql);  // one or more statements, no result
  int64_t scalar_int(const std::string& sql);

  int64_t last_insert_id() const;
  int changes() const;
  const std::string& path() const { return path_; }
  sqlite3* handle() { return db_; }

  [[noreturn]] void fail(int rc, const std::string& what) const;

 private:
  static int busy_wait(void* self, int tries);  // sqlite3_busy_handler
  sqlite3* db_ = nullptr;
  std::string path_;
  int64_t busy_timeout_ms_ = 5000;
  std::chrono::steady_clock::time_point busy_since_;  // when the current wait for a lock began
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

// BEGIN IMMEDIATE ... COMMIT, rolled back if destroyed without commit().
class Transaction {
 public:
  explicit Transaction(Db& db);
  ~Transaction();
  void commit();

 private:
  Db& db_;
  bool done_ = false;
};

// Runs fn() inside SAVEPOINT `name` of the open transaction. A failure of
// fn is undone alone and returned as text ("" = it went through); an error
// of the connection itself is rethrown (it ends the whole transaction).
template <class Fn>
std::string in_savepoint(Db& db, const std::string& name, Fn&& fn) {
  db.exec("SAVEPOINT " + name);
  std::string why;
  try {
    fn();
  } catch (const DbError& e) {
    if (is_connection_error(e.code())) throw;
    why = e.what();
  } catch (const std::exception& e) {
    why = e.what();
  }
  if (!why.empty()) db.exec("ROLLBACK TO " + name);
  db.exec("RELEASE " + name);
  return why;
}

}  // namespace arc
