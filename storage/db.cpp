#include "storage/db.hpp"

#include <malloc.h>
#include <sqlite3.h>

#include <chrono>
#include <mutex>
#include <thread>

#include "core/fault.hpp"

namespace arc {

namespace {
// SQLite opens a temporary b-tree for some statements and frees its ~90 KB
// page cache when the statement ends. At the top of glibc's heap that free
// gives the memory back to the kernel (brk) and the next statement asks for
// it again: three system calls per such statement, tens of thousands a
// second under load. A trim threshold of 32 MB keeps it in the process.
void keep_freed_memory() {
  static std::once_flag once;
  std::call_once(once, [] {
    mallopt(M_TRIM_THRESHOLD, 32 << 20);
    mallopt(M_TOP_PAD, 1 << 20);
  });
}

void check_bind(sqlite3* db, int rc) {
  if (rc != SQLITE_OK)
    throw DbError(rc, std::string("sqlite bind: ") + sqlite3_errmsg(db));
}
}  // namespace

bool needs_fresh_connection(int code) {
  int primary = code & 0xff;
  return primary == SQLITE_IOERR || primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB ||
         primary == SQLITE_CANTOPEN;
}

bool is_connection_error(int code) { return needs_fresh_connection(code) || (code & 0xff) == SQLITE_FULL; }

std::string storage_fault_kind(int code) {
  switch (code & 0xff) {
    case SQLITE_FULL: return "disk full";
    case SQLITE_IOERR: return "I/O error";
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return "database locked";
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB: return "database corrupt";
    default: return "write failed";
  }
}

Stmt& Stmt::bind(int i, int64_t v) {
  check_bind(db_, sqlite3_bind_int64(s_, i, v));
  return *this;
}
Stmt& Stmt::bind(int i, double v) {
  check_bind(db_, sqlite3_bind_double(s_, i, v));
  return *this;
}
Stmt& Stmt::bind(int i, const std::string& v) {
  check_bind(db_, sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
  return *this;
}
Stmt& Stmt::bind_text_or_null(int i, const std::string& v) {
  return v.empty() ? bind_null(i) : bind(i, v);
}
Stmt& Stmt::bind_int_or_null(int i, int64_t v) { return v == 0 ? bind_null(i) : bind(i, v); }
Stmt& Stmt::bind_null(int i) {
  check_bind(db_, sqlite3_bind_null(s_, i));
  return *this;
}

namespace {
// Injected write failures (core/fault.hpp): as if SQLite had returned them.
void maybe_fail_write(const char* sql) {
  auto fail = [&](int rc, const char* what) {
    throw DbError(rc, std::string("sqlite: ") + what + " (fault injection) in: " + std::string(sql).substr(0, 80));
  };
  if (fault::fire("sqlite.busy")) fail(SQLITE_BUSY, "database is locked");
  if (fault::fire("sqlite.ioerr")) fail(SQLITE_IOERR, "disk I/O error");
  if (fault::fire("sqlite.full")) fail(SQLITE_FULL, "database or disk is full");
}
}  // namespace

bool Stmt::step() {
#ifdef ARC_FAULT_INJECTION  // not even the readonly test in a Release build's hot path
  if (!sqlite3_stmt_readonly(s_) && !sqlite3_stmt_busy(s_)) maybe_fail_write(sqlite3_sql(s_));
#endif
  int rc = sqlite3_step(s_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  std::string msg = std::string(sqlite3_errmsg(db_)) + " in: " + sqlite3_sql(s_);
  sqlite3_reset(s_);
  throw DbError(sqlite3_extended_errcode(db_), "sqlite: " + msg);
}

void Stmt::run() {
  while (step()) {
  }
}

void Stmt::reset() {
  if (!s_) return;
  sqlite3_reset(s_);
  sqlite3_clear_bindings(s_);
}

int64_t Stmt::col_int(int i) const { return sqlite3_column_int64(s_, i); }
double Stmt::col_double(int i) const { return sqlite3_column_double(s_, i); }
bool Stmt::col_null(int i) const { return sqlite3_column_type(s_, i) == SQLITE_NULL; }

std::string Stmt::col_text(int i) const {
  auto* p = sqlite3_column_text(s_, i);
  if (!p) return {};
  return std::string(reinterpret_cast<const char*>(p), sqlite3_column_bytes(s_, i));
}

Db::Db(const std::string& path, Options opts) : path_(path) {
  keep_freed_memory();
  int flags = opts.read_only ? SQLITE_OPEN_READONLY
                             : (SQLITE_OPEN_READWRITE | (opts.create ? SQLITE_OPEN_CREATE : 0));
  flags |= SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    db_ = nullptr;
    throw DbError(rc, "database " + path + ": cannot open: " + msg +
                          (opts.create ? "" : " (does it exist? is the path right?)"));
  }
  sqlite3_extended_result_codes(db_, 1);
  busy_timeout_ms_ = opts.busy_timeout_ms;
  sqlite3_busy_handler(db_, &Db::busy_wait, this);
}

// SQLite's own busy handler sleeps 1, 2, 5, 10 ... 100 ms between tries:
// against arcd committing back to back, another writer (the CLI adding a
// task) woke up at random moments, mostly while the lock was taken again,
// and waited up to 1.7 s for a gap of microseconds (arc-bench's latency
// under load). Trying every 100 µs for the first 5 ms, then every ms, finds
// the gap between two of arcd's commits within a few tries.
int64_t busy_pause_us(int tries) { return tries < 50 ? 100 : 1'000; }

int Db::busy_wait(void* self, int tries) {
  auto* db = static_cast<Db*>(self);
  auto now = std::chrono::steady_clock::now();
  if (tries == 0) db->busy_since_ = now;  // a new wait for the lock
  // By the clock, not by the sleeps asked for: each oversleeps a little.
  if (now - db->busy_since_ >= std::chrono::milliseconds(db->busy_timeout_ms_)) return 0;  // SQLITE_BUSY
  std::this_thread::sleep_for(std::chrono::microseconds(busy_pause_us(tries)));
  return 1;
}

Db::~Db() {
  for (auto& [sql, raw] : cache_) sqlite3_finalize(raw);
  if (db_) sqlite3_close(db_);
}

void Db::fail(int rc, const std::string& what) const {
  throw DbError(rc, "database " + path_ + ": " + what + ": " + sqlite3_errmsg(db_));
}

int64_t Db::last_insert_id() const { return sqlite3_last_insert_rowid(db_); }
int Db::changes() const { return sqlite3_changes(db_); }

Stmt Db::prepare(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) return Stmt(db_, it->second);
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
  if (rc != SQLITE_OK) fail(rc, "prepare \"" + sql.substr(0, 80) + "\"");
  cache_[sql] = raw;
  return Stmt(db_, raw);
}

void Db::exec(const std::string& sql) {
  // The COMMIT of a transaction that wrote (a read's COMMIT writes nothing,
  // and succeeds on a full disk).
  if (sql.rfind("COMMIT", 0) == 0 && sqlite3_txn_state(db_, nullptr) == SQLITE_TXN_WRITE) maybe_fail_write(sql.c_str());
  if (sql.find(';') == std::string::npos) {
    // One statement (BEGIN, COMMIT, a savepoint: several per request under
    // load): prepared once and kept, as prepare() keeps its statements,
    // instead of parsed again by sqlite3_exec each time.
    sqlite3_stmt* st = nullptr;
    if (auto it = cache_.find(sql); it != cache_.end()) {
      st = it->second;
    } else {
      int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &st,
                                  nullptr);
      if (rc != SQLITE_OK) fail(rc, "prepare \"" + sql.substr(0, 80) + "\"");
      cache_[sql] = st;
    }
    int rc = sqlite3_step(st);
    while (rc == SQLITE_ROW) rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
      sqlite3_reset(st);
      return;
    }
    int code = sqlite3_extended_errcode(db_);
    std::string msg = "database " + path_ + ": " + sqlite3_errmsg(db_) + " in: " + sql.substr(0, 120);
    sqlite3_reset(st);
    throw DbError(code, msg);
  }
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    throw DbError(sqlite3_extended_errcode(db_),
                  "database " + path_ + ": " + msg + " in: " + sql.substr(0, 120));
  }
}

int64_t Db::scalar_int(const std::string& sql) {
  auto s = prepare(sql);
  return s.step() ? s.col_int(0) : 0;
}

Transaction::Transaction(Db& db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }

Transaction::~Transaction() {
  if (!done_) {
    try {
      db_.exec("ROLLBACK");
    } catch (...) {
      // Nothing to do: SQLite rolls back on close if the rollback itself fails.
    }
  }
}

void Transaction::commit() {
  db_.exec("COMMIT");
  done_ = true;
}

}  // namespace arc
