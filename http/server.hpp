// arcd's HTTP server: the JSON API, the event stream, /metrics and the
// dashboard (docs/http-api.md). It never talks to the actors: reads use their
// own read-only SQLite connections (WAL lets them run beside arcd's writer),
// writes go through the same storage calls as the `arc` CLI in their own
// short transactions, and arcd's actors pick them up as they pick up the
// CLI's. So a slow, stuck or hostile client can cost HTTP threads, never
// dispatch. Writes need the bearer token; nothing else about a request (its
// address, forwarding headers) grants anything.
#pragma once
#include <map>
#include <memory>
#include <string>

#include "core/config.hpp"
#include "core/runtime_stats.hpp"

namespace arc::http {

// "127.0.0.1" (any of 127/8), "localhost", "::1" or "[::1]": a listen
// address no other host reaches, and the Host names the server then accepts.
bool is_loopback(const std::string& host);

struct ServerOptions {
  std::string database;
  std::string host = "127.0.0.1";
  int port = 7474;                 // 0: any free port (tests)
  std::string token;               // required by writes
  int64_t max_body_bytes = 64 << 10;
  int max_event_streams = 16;
  millis event_poll_ms = 200;      // how often a stream looks for new events
  millis event_keepalive_ms = 15'000;  // a comment line this often keeps proxies from closing it
  GateConfig gate;                 // for pause/resume/reset
  BudgetConfig budget;             // today's spend against it, in /api/gate, /api/status and /metrics
  std::map<std::string, SensorConfig> sensors;  // configured sensors (for /api/sensors)
  std::shared_ptr<const RuntimeStats> stats;    // restarts, heartbeat; may be null
};

class Server {
 public:
  explicit Server(ServerOptions options);
  ~Server();  // stop()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts serving on its own threads. Throws std::runtime_error
  // naming the address when it cannot bind.
  void start();
  // Stops accepting, ends event streams, waits for requests in flight.
  void stop();
  int port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace arc::http
