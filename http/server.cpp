#include "http/server.hpp"

#include <spdlog/spdlog.h>

#include <thread>

#include "http/routes.hpp"

namespace arc::http {

Shared::ReadDb Shared::read_db() {
  std::unique_ptr<Db> db;
  {
    std::lock_guard<std::mutex> lock(pool_mu);
    if (!pool.empty()) {
      db = std::move(pool.back());
      pool.pop_back();
    }
  }
  if (!db) db = std::make_unique<Db>(options.database, Db::Options{true, false, 2000});
  return ReadDb(db.release(), [this](Db* d) {
    std::lock_guard<std::mutex> lock(pool_mu);
    if (pool.size() < 8) pool.emplace_back(d);
    else delete d;
  });
}

std::unique_ptr<Db> Shared::write_db() const {
  return std::make_unique<Db>(options.database, Db::Options{false, false, 5000});
}

void reply(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  // Invalid UTF-8 (from a client's bytes echoed in an error, or stored text)
  // is replaced, never thrown: these run outside httplib's try.
  res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), "application/json");
}

bool is_loopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host == "[::1]" || host.rfind("127.", 0) == 0;
}

namespace {

// The host part of a Host header: "localhost:7474" -> "localhost", "[::1]:80" -> "[::1]".
std::string host_of(const std::string& header) {
  if (!header.empty() && header[0] == '[') return header.substr(0, header.find(']') + 1);
  return header.substr(0, header.find(':'));
}

}  // namespace

struct Server::Impl {
  Shared shared;
  httplib::Server svr;
  std::thread thread;
  int port = 0;
  explicit Impl(ServerOptions o) : shared(std::move(o)) {}
};

Server::Server(ServerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {
  auto& svr = impl_->svr;
  auto& shared = impl_->shared;
  // Event streams hold a thread each; the rest always have 8 of their own.
  size_t threads = static_cast<size_t>(shared.options.max_event_streams) + 8;
  svr.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  svr.set_payload_max_length(static_cast<size_t>(shared.options.max_body_bytes));
  svr.set_read_timeout(5, 0);   // a client that stops sending loses its connection ...
  svr.set_write_timeout(5, 0);  // ... and so does one that stops reading
  svr.set_keep_alive_max_count(100);
  svr.set_default_headers({{"Cache-Control", "no-store"}, {"X-Content-Type-Options", "nosniff"}});
  svr.set_exception_handler([](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
    try {
      try {
        std::rethrow_exception(ep);
      } catch (const HttpError& e) {
        reply(res, e.status, {{"error", e.what()}});
      } catch (const std::exception& e) {
        spdlog::error("http: {} {}: {}", req.method, req.path, e.what());
        reply(res, 500, {{"error", std::string("internal error: ") + e.what()}});
      }
    } catch (...) {  // nothing may leave this handler: httplib would terminate arcd
      res.status = 500;
      res.set_content(R"({"error":"internal error"})", "application/json");
    }
  });
  // Before the body is read: a body without a length (chunked, or read to
  // EOF) or compressed would bypass max_body_kb in this httplib, so refuse it.
  bool loopback_only = is_loopback(shared.options.host);
  svr.set_pre_routing_handler([loopback_only](const httplib::Request& req, httplib::Response& res) {
    // DNS rebinding: a web page the operator visits (evil.example, resolving
    // to 127.0.0.1) would otherwise read the API as its own origin. Bound to
    // loopback, only loopback names are ours.
    if (loopback_only && req.has_header("Host") && !is_loopback(host_of(req.get_header_value("Host")))) {
      reply(res, 421, {{"error", "Host " + req.get_header_value("Host") +
                                     " is not this server's: use http://127.0.0.1 or http://localhost"}});
      return httplib::Server::HandlerResponse::Handled;
    }
    if (req.has_header("Transfer-Encoding")) {
      reply(res, 411, {{"error", "chunked bodies are not accepted; send Content-Length"}});
      return httplib::Server::HandlerResponse::Handled;
    }
    if (req.has_header("Content-Encoding")) {
      reply(res, 415, {{"error", "compressed bodies are not accepted"}});
      return httplib::Server::HandlerResponse::Handled;
    }
    if (req.method != "GET" && req.method != "HEAD" && !req.has_header("Content-Length")) {
      reply(res, 411, {{"error", "send Content-Length (0 for an empty body)"}});
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  // Every error is JSON, including those httplib answers itself (404, 413, 400).
  svr.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty() && res.get_header_value("Content-Type") == "application/json") return;
    // The path may hold any bytes (percent-decoded); reply() replaces what is not UTF-8.
    std::string what = res.status == 404   ? "no such resource: " + req.method + " " + req.path
                       : res.status == 413 ? "request body too large"
                       : res.status == 405 ? "method not allowed"
                       : res.status == 400 ? "bad request"
                                           : "HTTP error " + std::to_string(res.status);
    reply(res, res.status, {{"error", what}});
  });
  add_read_routes(svr, shared);
  add_write_routes(svr, shared);
  add_event_routes(svr, shared);
}

Server::~Server() { stop(); }

void Server::start() {
  auto& m = *impl_;
  const auto& o = m.shared.options;
  if (o.port == 0) {
    m.port = m.svr.bind_to_any_port(o.host);
    if (m.port < 0) m.port = 0;
  } else if (m.svr.bind_to_port(o.host, o.port)) {
    m.port = o.port;
  }
  if (m.port <= 0)
    throw std::runtime_error("http: cannot listen on " + o.host + ":" + std::to_string(o.port) +
                             " (in use, or not an address of this host); change [http] listen");
  m.thread = std::thread([&m] { m.svr.listen_after_bind(); });
  // stop() is a no-op until the loop runs: wait for it, so that a stop right
  // after start is never lost.
  for (int i = 0; i < 5000 && !m.svr.is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

void Server::stop() {
  auto& m = *impl_;
  if (!m.thread.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(m.shared.mu);
    m.shared.stopping = true;
  }
  m.shared.wake.notify_all();
  m.svr.stop();
  m.thread.join();
}

int Server::port() const { return impl_->port; }

}  // namespace arc::http
