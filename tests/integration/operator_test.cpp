// The operator surface of the real arcd: systemd's notify protocol and the
// watchdog (which stops when the actor system freezes), and the HTTP API
// served by arcd itself, end to end.
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cstring>
#include <fstream>

#include "support/daemon.hpp"
#include "support/temp_dir.hpp"
#include "support/wait_for.hpp"

namespace arc {
namespace {

using namespace std::chrono_literals;

// A NOTIFY_SOCKET as systemd makes one: a unix datagram socket.
class NotifySocket {
 public:
  explicit NotifySocket(const std::string& path) : path_(path) {
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    if (bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) throw std::runtime_error("bind");
  }
  ~NotifySocket() { close(fd_); }
  // The next message, or "" after `timeout`.
  std::string next(std::chrono::milliseconds timeout) {
    timeval tv{static_cast<time_t>(timeout.count() / 1000), static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char buf[512];
    ssize_t n = recv(fd_, buf, sizeof buf, 0);
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
  }
  // Waits up to `timeout` for a message containing `what`.
  bool wait_for(const std::string& what, std::chrono::milliseconds timeout) {
    auto until = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < until) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
      if (next(std::max(left, 1ms)).find(what) != std::string::npos) return true;
    }
    return false;
  }

 private:
  std::string path_;
  int fd_ = -1;
};

TEST(Watchdog, PingsWhileTheActorsAnswerAndStopsWhenTheyFreeze) {
  test::TempDir dir;
  std::string db = dir.file("arc.db"), freeze = dir.file("freeze");
  NotifySocket notify(dir.file("notify"));
  test::Daemon arcd({"--database", db}, dir.file("arcd.log"),
                    {{"NOTIFY_SOCKET", dir.file("notify")},
                     {"WATCHDOG_USEC", "1000000"},
                     {"ARC_FAULTS", "hang.persistence=while:" + freeze}});
  ASSERT_TRUE(notify.wait_for("READY=1", 15s)) << arcd.log();
  ASSERT_TRUE(notify.wait_for("WATCHDOG=1", 3s));
  ASSERT_TRUE(notify.wait_for("WATCHDOG=1", 3s));

  std::ofstream(freeze) << "";  // persistence blocks in its next handler: the heartbeat goes unanswered
  // A ping already on its way may still come; after that, silence for more
  // than two watchdog periods: systemd would restart this arcd.
  // Bounded: a watchdog that never stops fails here, with a message, instead
  // of hanging until ctest's timeout.
  int late = 0;
  auto gave_up = std::chrono::steady_clock::now() + 10s;
  while (!notify.next(1500ms).empty() && std::chrono::steady_clock::now() < gave_up) ++late;
  ASSERT_LT(std::chrono::steady_clock::now(), gave_up) << "the watchdog kept pinging 10 s into the freeze (" << late
                                                       << " pings)\n" << arcd.log();
  EXPECT_EQ(notify.next(2500ms), "");
  EXPECT_NE(arcd.log().find("watchdog: the actors have not answered the heartbeat"), std::string::npos) << arcd.log();

  std::filesystem::remove(freeze);
  EXPECT_TRUE(notify.wait_for("WATCHDOG=1", 5s)) << arcd.log();
  EXPECT_EQ(arcd.terminate(), 0);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::string s;
  std::getline(in, s);
  return s;
}

// arcd with the HTTP server on a free loopback port and an "ok" skill; the
// port it chose, read from its log (0 if it did not say).
struct HttpArcd {
  test::TempDir dir;
  std::string db = dir.file("arc.db"), config = dir.file("arc.toml");
  std::unique_ptr<test::Daemon> arcd;
  int port = 0;
  explicit HttpArcd(int slots = 1) {
    std::ofstream(config) << "[arcd]\ndatabase = \"" << db << "\"\npoll_ms = 50\nslots = " << slots << "\n"
                          << "[http]\nlisten = \"127.0.0.1:0\"\n"
                          << "[skills.ok]\ncommand = [\"/bin/sh\", \"-c\", \"cat >/dev/null; echo done\"]\n";
    arcd = std::make_unique<test::Daemon>(std::vector<std::string>{"--config", config}, dir.file("arcd.log"));
    if (!arcd->wait_ready()) return;
    port = test::http_port(arcd->log());
  }
};

TEST(HttpApi, ArcdServesTheApiAndATaskPostedThroughItRuns) {
  HttpArcd h;
  ASSERT_GT(h.port, 0) << h.arcd->log();
  auto& arcd = *h.arcd;
  auto& dir = h.dir;
  httplib::Client c("127.0.0.1", h.port);
  std::string token = read_file(dir.file("arcd-http.token"));
  ASSERT_EQ(token.size(), 64u);

  auto refused = c.Post("/api/tasks", httplib::Headers{{"Authorization", "Bearer nope"}}, R"({"subject": "x"})",
                        "application/json");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 401);
  auto r = c.Post("/api/tasks", httplib::Headers{{"Authorization", "Bearer " + token}},
                  R"({"subject": "from the api", "skills": ["ok"]})", "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 201) << r->body;
  int64_t id = nlohmann::json::parse(r->body)["id"];
  EXPECT_TRUE(test::wait_for(
      [&] {
        auto t = c.Get(("/api/tasks/" + std::to_string(id)).c_str());
        return t && nlohmann::json::parse(t->body)["status"] == "completed";
      },
      15s));
  auto status = nlohmann::json::parse(c.Get("/api/status")->body);
  EXPECT_EQ(status["arcd_running"], true);
  EXPECT_EQ(status["counts"]["completed"], 1);  // the refused request created nothing

  // A client holding an event stream open does not hold up a graceful stop.
  std::atomic<bool> streaming{false};
  std::thread stream([&] {
    httplib::Client sc("127.0.0.1", h.port);
    sc.Get("/api/events", [&](const char*, size_t) { return streaming = true; });
  });
  ASSERT_TRUE(test::wait_for([&] { return streaming.load(); }, 5s));
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(arcd.terminate(), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 10s);
  stream.join();
}

// The README: the HTTP server never talks to the actors, so no client can
// stall dispatch. Forty connections that never finish a request hold every
// server thread (the API itself may stall: issue 20); tasks still run.
TEST(HttpApi, ConnectionsThatHoldEveryServerThreadDoNotStallDispatch) {
  HttpArcd h(2);
  ASSERT_GT(h.port, 0) << h.arcd->log();
  std::string db = h.db;
  std::vector<int> held;
  for (int i = 0; i < 40; ++i) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(h.port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    const char partial[] = "GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\n";  // never finished
    ASSERT_GT(send(fd, partial, sizeof partial - 1, MSG_NOSIGNAL), 0);
    held.push_back(fd);
  }
  for (int i = 0; i < 20; ++i)
    ASSERT_EQ(test::arc_cli(db, {"tasks", "add", "--subject", "t" + std::to_string(i), "--skills", "ok"}).exit_code, 0);
  EXPECT_TRUE(test::wait_for([&] {
    auto j = nlohmann::json::parse(test::arc_cli(db, {"status", "--json"}).out, nullptr, false);
    return !j.is_discarded() && j["counts"]["completed"] == 20;
  }, 30s)) << test::arc_cli(db, {"status"}).out;
  for (int fd : held) close(fd);
  EXPECT_EQ(h.arcd->terminate(), 0);
}

}  // namespace
}  // namespace arc
