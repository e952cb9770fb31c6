// Internal to the HTTP server: what its route handlers share, and the three
// groups of routes (read API + metrics + dashboard, writes, event stream).
#pragma once
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "http/dashboard.hpp"
#include "http/metrics.hpp"
#include "http/server.hpp"
#include "storage/db.hpp"

namespace arc::http {

struct Shared {
  ServerOptions options;
  Metrics metrics;
  std::atomic<bool> stopping{false};
  std::atomic<int> streams{0};
  std::mutex mu;                // with `wake`: lets stop() end streams at once
  std::condition_variable wake;
  std::mutex pool_mu;
  std::vector<std::unique_ptr<Db>> pool;  // idle read connections

  explicit Shared(ServerOptions o) : options(std::move(o)), metrics(options.stats, options.budget) {}
  // A read-only connection for this request alone (WAL: it never blocks
  // arcd), from a small pool: opening one and preparing its statements
  // again for every request cost more than the request.
  using ReadDb = std::unique_ptr<Db, std::function<void(Db*)>>;
  ReadDb read_db();
  // A read-write connection, for the writes.
  std::unique_ptr<Db> write_db() const;
  // The storage fault arcd's persistence actor told (RuntimeStats), if any.
  std::optional<StorageFault> storage_fault() const {
    return options.stats ? options.stats->storage_fault() : std::nullopt;
  }
};

// Thrown by a handler: becomes {"error": message} with that status.
struct HttpError : std::runtime_error {
  int status;
  HttpError(int s, const std::string& message) : std::runtime_error(message), status(s) {}
};

void reply(httplib::Response& res, int status, const nlohmann::json& body);

void add_read_routes(httplib::Server& svr, Shared& shared);
void add_write_routes(httplib::Server& svr, Shared& shared);
void add_event_routes(httplib::Server& svr, Shared& shared);

}  // namespace arc::http
