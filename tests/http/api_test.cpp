// The HTTP server in-process against a real database: every endpoint's
// status codes and JSON shape, paging, the event stream and its resume,
// authentication, bad bodies, and /metrics. No actors: the server never
// talks to them (http/server.hpp).
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "http/server.hpp"
#include "storage/schema.hpp"
#include "storage/node_store.hpp"
#include "storage/task_store.hpp"
#include "support/temp_dir.hpp"
#include "support/wait_for.hpp"

namespace arc {
namespace {

using nlohmann::json;
const std::string kToken = "test-token-0123456789abcdef";

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = open_database(dir_.file("arc.db"));
    start_server(1024, 4);
  }
  void start_server(int64_t max_body, int max_streams) {
    server_.reset();
    http::ServerOptions o;
    o.database = dir_.file("arc.db");
    o.port = 0;
    o.token = kToken;
    o.max_body_bytes = max_body;
    o.max_event_streams = max_streams;
    o.event_poll_ms = 20;
    o.event_keepalive_ms = 100;
    SensorConfig s;
    s.name = "inbox";
    o.sensors["inbox"] = s;
    o.budget.daily_usd = 1.0;
    server_ = std::make_unique<http::Server>(o);
    server_->start();
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
    client_->set_read_timeout(10, 0);
  }

  int64_t add_task(const std::string& subject, const std::string& source = "") {
    TaskStore store(*db_, system_clock());
    TaskSpec spec;
    spec.subject = subject;
    spec.source = source;
    return in_transaction(*db_, [&] { return store.create(spec, "test"); }).id;
  }
  int64_t task_count() { return db_->scalar_int("SELECT count(*) FROM tasks"); }

  json get_json(const std::string& path, int expect_status = 200) {
    auto r = client_->Get(path.c_str());
    EXPECT_TRUE(r) << path;
    if (!r) return nullptr;
    EXPECT_EQ(r->status, expect_status) << path << ": " << r->body;
    EXPECT_EQ(r->get_header_value("Content-Type"), "application/json") << path;
    return json::parse(r->body, nullptr, false);
  }
  httplib::Result post(const std::string& path, const std::string& body, const std::string& token = kToken,
                       httplib::Headers extra = {}) {
    httplib::Headers h = extra;
    if (!token.empty()) h.emplace("Authorization", "Bearer " + token);
    return client_->Post(path.c_str(), h, body, "application/json");
  }

  test::TempDir dir_;
  std::unique_ptr<Db> db_;
  std::unique_ptr<http::Server> server_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(ApiTest, StatusIsWhatArcStatusJsonPrints) {
  add_task("one");
  json s = get_json("/api/status");
  ASSERT_TRUE(s.is_object());
  EXPECT_EQ(s["counts"]["pending"], 1);
  for (auto k : {"now", "arcd_running", "counts", "active", "recent", "cost_today_usd", "cost_week_usd"})
    EXPECT_TRUE(s.contains(k)) << k;
  EXPECT_EQ(s["counts"].size(), std::size(kAllStatuses));
}

TEST_F(ApiTest, TasksArePagedNewestFirst) {
  for (int i = 1; i <= 7; ++i) add_task("task " + std::to_string(i));
  json p1 = get_json("/api/tasks?limit=3");
  ASSERT_EQ(p1["tasks"].size(), 3u);
  EXPECT_EQ(p1["tasks"][0]["id"], 7);
  EXPECT_EQ(p1["next_after"], 5);
  json p2 = get_json("/api/tasks?limit=3&after=5");
  EXPECT_EQ(p2["tasks"][0]["id"], 4);
  EXPECT_EQ(p2["next_after"], 2);
  json p3 = get_json("/api/tasks?limit=3&after=2");
  ASSERT_EQ(p3["tasks"].size(), 1u);
  EXPECT_TRUE(p3["next_after"].is_null());
  EXPECT_EQ(get_json("/api/tasks?status=completed")["tasks"].size(), 0u);
  EXPECT_EQ(get_json("/api/tasks?status=pending")["tasks"].size(), 7u);

  EXPECT_NE(get_json("/api/tasks?status=done", 400)["error"].get<std::string>().find("status"), std::string::npos);
  EXPECT_NE(get_json("/api/tasks?limit=0", 400)["error"].get<std::string>().find("limit"), std::string::npos);
  EXPECT_NE(get_json("/api/tasks?limit=abc", 400)["error"].get<std::string>().find("limit"), std::string::npos);
  get_json("/api/tasks?after=-1", 400);
}

TEST_F(ApiTest, ATaskComesWithItsHistoryAndUnknownIdsAre404) {
  int64_t id = add_task("with history");
  json t = get_json("/api/tasks/" + std::to_string(id));
  EXPECT_EQ(t["subject"], "with history");
  ASSERT_EQ(t["events"].size(), 1u);
  EXPECT_EQ(t["events"][0]["to"], "pending");
  EXPECT_NE(get_json("/api/tasks/999", 404)["error"].get<std::string>().find("999"), std::string::npos);
  get_json("/api/tasks/abc", 400);
  get_json("/api/nothing-here", 404);
}

TEST_F(ApiTest, GateSensorsIncidentsPatternsAndReportHaveTheirShapes) {
  json g = get_json("/api/gate");
  EXPECT_EQ(g["state"], "running");
  EXPECT_TRUE(g["waiting"].contains("ready"));
  json s = get_json("/api/sensors");
  ASSERT_EQ(s.size(), 1u);  // configured, not run yet
  EXPECT_EQ(s[0]["name"], "inbox");
  EXPECT_TRUE(s[0]["last_run"].is_null());
  db_->exec("INSERT INTO incidents (kind, opened_at, window_start, window_end, failure_count, summary) "
            "VALUES ('outage', 1000, 1000, 2000, 250, 'power cut')");
  json inc = get_json("/api/incidents?open=1");
  ASSERT_EQ(inc.size(), 1u);
  EXPECT_EQ(inc[0]["failures"], 250);
  EXPECT_TRUE(get_json("/api/patterns").is_array());
  json r = get_json("/api/report?since=14d");
  EXPECT_TRUE(r.contains("cost_per_day"));
  get_json("/api/report?since=yesterdayish", 400);
}

// DNS rebinding: a page at evil.example resolving to 127.0.0.1 sends its own
// name as Host. Bound to loopback, the server answers only loopback names.
TEST_F(ApiTest, AForeignHostHeaderIsRefusedOnALoopbackServer) {
  auto& c = *client_;
  auto bad = c.Get("/api/status", httplib::Headers{{"Host", "evil.example:7474"}});
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 421);
  EXPECT_NE(bad->body.find("is not this server's"), std::string::npos) << bad->body;
  for (const char* host : {"localhost:7474", "127.0.0.1", "[::1]:7474"}) {
    auto ok = c.Get("/api/status", httplib::Headers{{"Host", host}});
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->status, 200) << host;
  }
}

TEST_F(ApiTest, NodesAreEmptyOnASingleNodeAndListTheClusterOnAHub) {
  EXPECT_EQ(get_json("/api/nodes"), json::array());
  millis now = system_clock().now_ms();
  upsert_node(*db_, NodeRow{"w1", "worker", "host:42", 4, "connected", now - 60'000, now - 10'000, "arcd 0.1.0"});
  upsert_node(*db_, NodeRow{"hub", "hub", "0.0.0.0:7475", 0, "connected", now - 60'000, now, ""});
  int64_t id = add_task("leased");
  db_->exec("UPDATE tasks SET status = 'active', lease_owner = 'worker:w1' WHERE id = " + std::to_string(id));
  json n = get_json("/api/nodes");
  ASSERT_EQ(n.size(), 2u);
  EXPECT_EQ(n[0]["name"], "hub");
  EXPECT_EQ(n[1]["name"], "w1");
  EXPECT_EQ(n[1]["running"], 1);
  EXPECT_EQ(n[1]["slots"], 4);
  EXPECT_EQ(n[1]["state"], "silent");  // recorded as connected, no heartbeat for 10 s
  EXPECT_EQ(n[0]["state"], "connected");
}

TEST_F(ApiTest, WritesWithoutTheRightTokenAreRefusedWhateverTheHeadersSay) {
  const std::string body = R"({"subject": "sneaky"})";
  httplib::Headers spoof = {{"X-Forwarded-For", "127.0.0.1"}, {"X-Real-IP", "127.0.0.1"}, {"Forwarded", "for=127.0.0.1"}};
  for (auto* path : {"/api/tasks", "/api/dispatch/pause", "/api/sensors/inbox/run"}) {
    auto none = post(path, body, "", spoof);
    ASSERT_TRUE(none);
    EXPECT_EQ(none->status, 401) << path;
    EXPECT_TRUE(json::parse(none->body).contains("error"));
    auto wrong = post(path, body, kToken.substr(0, kToken.size() - 1) + "X", spoof);
    EXPECT_EQ(wrong->status, 401) << path;
    auto prefix = post(path, body, kToken.substr(0, 5));
    EXPECT_EQ(prefix->status, 401) << path;
  }
  httplib::Headers basic = {{"Authorization", "Basic " + kToken}};
  EXPECT_EQ(client_->Post("/api/tasks", basic, body, "application/json")->status, 401);
  EXPECT_EQ(task_count(), 0);
  EXPECT_EQ(get_json("/api/gate")["state"], "running");
}

TEST_F(ApiTest, ATaskPostedWithTheTokenIsCreatedOnceBySource) {
  auto r = post("/api/tasks", R"({"subject": "review PR 42", "priority": 2, "skills": ["demo"],
                                  "source": "github:pr:42", "max_age": "6h"})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 201) << r->body;
  int64_t id = json::parse(r->body)["id"];
  json t = get_json("/api/tasks/" + std::to_string(id));
  EXPECT_EQ(t["priority"], 2);
  EXPECT_EQ(t["skills"], json::array({"demo"}));
  EXPECT_FALSE(t["expires_at"].is_null());
  EXPECT_EQ(t["events"][0]["actor"], "api");
  auto again = post("/api/tasks", R"({"subject": "review PR 42 again", "source": "github:pr:42"})");
  EXPECT_EQ(again->status, 200);
  EXPECT_EQ(json::parse(again->body)["created"], false);
  EXPECT_EQ(task_count(), 1);
}

TEST_F(ApiTest, MalformedInvalidAndOversizedBodiesAre4xxAndCreateNothing) {
  struct Case { std::string body; int status; std::string names; };
  std::vector<Case> cases = {
      {"{not json", 400, "body"},
      {"[1, 2]", 400, "body"},
      {R"({"priority": 3})", 400, "subject"},
      {R"({"subject": "x", "priority": 11})", 400, "priority"},
      {R"({"subject": "x", "priority": "high"})", 400, "priority"},
      {R"({"subject": "x", "skils": ["demo"]})", 400, "skils"},
      {R"({"subject": "x", "skills": "demo"})", 400, "skills"},
      {R"({"subject": "x", "scheduled_for": "tomorrowish"})", 400, "scheduled_for"},
      {R"({"subject": ""})", 400, "subject"},
      {"{\"subject\": \"" + std::string(2000, 'x') + "\"}", 413, "too large"},
  };
  for (auto& c : cases) {
    auto r = post("/api/tasks", c.body);
    ASSERT_TRUE(r) << c.body;
    EXPECT_EQ(r->status, c.status) << c.body << " -> " << r->body;
    json err = json::parse(r->body, nullptr, false);
    ASSERT_TRUE(err.is_object()) << r->body;
    EXPECT_NE(err["error"].get<std::string>().find(c.names), std::string::npos) << err.dump();
  }
  EXPECT_EQ(task_count(), 0);
  EXPECT_EQ(get_json("/api/status")["counts"]["pending"], 0);  // still serving
}

TEST_F(ApiTest, TheGateIsPausedResumedAndResetThroughTheApi) {
  auto p = post("/api/dispatch/pause", R"({"reason": "maintenance"})");
  ASSERT_EQ(p->status, 200) << p->body;
  EXPECT_EQ(json::parse(p->body)["state"], "paused");
  EXPECT_EQ(get_json("/api/gate")["events"][0]["reason"], "maintenance (api dispatch pause)");
  EXPECT_EQ(json::parse(post("/api/dispatch/resume", "")->body)["state"], "running");
  EXPECT_EQ(post("/api/dispatch/pause", R"({"why": "x"})")->status, 400);
  EXPECT_EQ(post("/api/dispatch/explode", "")->status, 404);

  db_->exec("UPDATE gate SET state = 'stopped_failures', reason = '5 failures in a row' WHERE id = 1");
  auto refused = post("/api/dispatch/resume", "");
  EXPECT_EQ(refused->status, 409);
  EXPECT_NE(refused->body.find("reset"), std::string::npos);
  EXPECT_EQ(json::parse(post("/api/dispatch/reset", "")->body)["state"], "running");
}

TEST_F(ApiTest, ASensorIsRunOnRequestAndAnUnknownOneIs404) {
  EXPECT_EQ(post("/api/sensors/nosuch/run", "")->status, 404);
  EXPECT_EQ(post("/api/sensors/inbox/run", "")->status, 409);  // configured, but has not run yet
  db_->exec("INSERT INTO sensor_state (name, last_run_at, next_run_at, runs) VALUES ('inbox', 1, 9999999999999, 1)");
  auto r = post("/api/sensors/inbox/run", "");
  EXPECT_EQ(r->status, 202) << r->body;
  EXPECT_LT(db_->scalar_int("SELECT next_run_at FROM sensor_state WHERE name = 'inbox'"), 9999999999999);
}

// Reads /api/events until `want` events (not comments) came; returns them.
std::vector<json> read_events(httplib::Client& c, const std::string& last_event_id, size_t want,
                              std::vector<std::string>* kinds = nullptr) {
  std::vector<json> events;
  std::string buf;
  httplib::Headers h;
  if (!last_event_id.empty()) h.emplace("Last-Event-ID", last_event_id);
  c.Get("/api/events", h, [&](const char* data, size_t n) {
    buf.append(data, n);
    for (size_t end; (end = buf.find("\n\n")) != std::string::npos;) {
      std::string msg = buf.substr(0, end);
      buf.erase(0, end + 2);
      std::string kind;
      for (size_t pos = 0; pos < msg.size();) {
        size_t nl = msg.find('\n', pos);
        std::string line = msg.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
        if (line.rfind("event: ", 0) == 0) kind = line.substr(7);
        if (line.rfind("data: ", 0) == 0) {
          events.push_back(json::parse(line.substr(6)));
          if (kinds) kinds->push_back(kind);
        }
        pos = nl == std::string::npos ? msg.size() : nl + 1;
      }
    }
    return events.size() < want;
  });
  return events;
}

TEST_F(ApiTest, EventsStreamTaskAndGateChangesAndResumeFromLastEventId) {
  std::vector<json> got;
  std::thread reader([&] {  // a client of its own: httplib's clients are not shared between threads
    httplib::Client c("127.0.0.1", server_->port());
    got = read_events(c, "0", 4);
  });
  int64_t a = add_task("a");
  ASSERT_EQ(post("/api/dispatch/pause", "")->status, 200);
  int64_t b = add_task("b");
  ASSERT_EQ(post("/api/dispatch/resume", "")->status, 200);
  reader.join();
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[0]["task_id"], a);
  EXPECT_EQ(got[0]["to"], "pending");
  EXPECT_EQ(got[1]["to"], "paused");
  EXPECT_EQ(got[2]["task_id"], b);
  EXPECT_EQ(got[3]["to"], "running");
  for (size_t i = 1; i < got.size(); ++i) EXPECT_GT(got[i]["id"], got[i - 1]["id"]);

  // A client that saw the second event gets exactly the third and fourth.
  auto resumed = read_events(*client_, std::to_string(got[1]["id"].get<int64_t>()), 2);
  ASSERT_EQ(resumed.size(), 2u);
  EXPECT_EQ(resumed[0]["id"], got[2]["id"]);
  EXPECT_EQ(resumed[1]["id"], got[3]["id"]);

  auto bad = client_->Get("/api/events", httplib::Headers{{"Last-Event-ID", "x1"}});
  EXPECT_EQ(bad->status, 400);
}

TEST_F(ApiTest, AClientResumingBehindThePrunedFeedIsToldItMissedEvents) {
  for (int i = 0; i < 3; ++i) add_task("t" + std::to_string(i));
  db_->exec("DELETE FROM feed WHERE id < 3");  // as the prune trigger would
  std::vector<std::string> kinds;
  auto ev = read_events(*client_, "1", 2, &kinds);
  ASSERT_EQ(kinds.size(), 2u);
  EXPECT_EQ(kinds[0], "gap");
  EXPECT_EQ(ev[0]["oldest_kept"], 3);
  EXPECT_EQ(kinds[1], "task");

  kinds.clear();  // an id this feed never had (another database's)
  auto ahead = read_events(*client_, "999", 1, &kinds);
  ASSERT_EQ(kinds.size(), 1u);
  EXPECT_EQ(kinds[0], "gap");
}

TEST_F(ApiTest, EventStreamsAreCappedAndStopEndsThemPromptly) {
  start_server(1024, 1);
  std::atomic<bool> first_open{false};
  std::thread holder([&] {
    httplib::Client c("127.0.0.1", server_->port());
    c.set_read_timeout(30, 0);
    c.Get("/api/events", [&](const char*, size_t) {
      first_open = true;
      return true;  // until the server ends it
    });
  });
  ASSERT_TRUE(test::wait_for([&] { return first_open.load(); }, std::chrono::seconds(5)));
  auto second = client_->Get("/api/events");
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 503);
  EXPECT_NE(second->body.find("max_event_streams"), std::string::npos);
  auto t0 = std::chrono::steady_clock::now();
  server_->stop();
  holder.join();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(3));
}

double metric(const std::string& text, const std::string& series) {
  auto pos = text.find("\n" + series + " ");
  if (pos == std::string::npos) return -1;
  return std::stod(text.substr(pos + series.size() + 2));
}

TEST_F(ApiTest, RunsAreListedNewestFirstByTaskAndTheBudgetIsInTheGate) {
  TaskStore store(*db_, system_clock());
  std::vector<int64_t> ids;
  for (int i = 0; i < 3; ++i) {
    ids.push_back(add_task("r" + std::to_string(i)));
    auto claimed = in_transaction(*db_, [&] { return store.claim("w", 1, 60'000); });
    ASSERT_EQ(claimed.size(), 1u);
    TaskOutcome o;
    o.id = claimed[0].id;
    o.owner = "w";
    o.epoch = claimed[0].lease_epoch;
    o.result.cost_usd = 0.5;
    o.result.model = "claude-sonnet-5";
    o.run.executor = "claude";
    in_transaction(*db_, [&] { (void)store.finish(o); });
  }
  auto all = nlohmann::json::parse(client_->Get("/api/runs")->body);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0]["task_id"], ids[2]);
  EXPECT_EQ(all[0]["model"], "claude-sonnet-5");
  EXPECT_EQ(all[0]["subject"], "r2");
  auto one = nlohmann::json::parse(client_->Get(("/api/runs?task=" + std::to_string(ids[1])).c_str())->body);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0]["task_id"], ids[1]);
  auto older = nlohmann::json::parse(
      client_->Get(("/api/runs?limit=1&before=" + std::to_string(all[0]["id"].get<int64_t>())).c_str())->body);
  ASSERT_EQ(older.size(), 1u);
  EXPECT_EQ(older[0]["id"], all[1]["id"]);
  EXPECT_EQ(client_->Get("/api/runs?task=abc")->status, 400);
  // 3 x $0.50 against $1.00 a day.
  auto gate = nlohmann::json::parse(client_->Get("/api/gate")->body);
  EXPECT_DOUBLE_EQ(gate["budget"]["spent_today_usd"].get<double>(), 1.5);
  EXPECT_TRUE(gate["budget"]["reached"].get<bool>());
  auto metrics = client_->Get("/metrics")->body;
  EXPECT_NE(metrics.find("arc_budget_reached 1"), std::string::npos);
  auto status = nlohmann::json::parse(client_->Get("/api/status")->body);
  EXPECT_TRUE(status["gate"]["budget"]["reached"].get<bool>());
}

TEST_F(ApiTest, MetricsCountFinishedTasksOnceAcrossScrapes) {
  TaskStore store(*db_, system_clock());
  auto finish = [&](const std::string& status, const std::string& cls) {
    add_task("m");
    auto claimed = in_transaction(*db_, [&] { return store.claim("w", 1, 60'000); });
    ASSERT_EQ(claimed.size(), 1u);
    TaskOutcome o{claimed[0].id, "w", {}, 1500};
    o.result.failure_class = status == "completed" ? FailureClass::none : parse_failure_class(cls);
    o.result.cost_usd = 0.25;
    in_transaction(*db_, [&] { (void)store.finish(o); });
  };
  finish("completed", "");
  db_->exec("INSERT INTO tasks (subject, created_at, scheduled_for) VALUES ('waiting', 0, 9999999999999)");
  auto r = client_->Get("/metrics");
  ASSERT_EQ(r->status, 200);
  EXPECT_NE(r->get_header_value("Content-Type").find("text/plain; version=0.0.4"), std::string::npos);
  const std::string& m1 = r->body;
  EXPECT_NE(m1.find("# TYPE arc_tasks gauge"), std::string::npos);
  EXPECT_EQ(metric(m1, "arc_tasks{status=\"pending\"}"), 1);
  EXPECT_EQ(metric(m1, "arc_tasks_completed_total"), 1);
  EXPECT_EQ(metric(m1, "arc_task_duration_seconds_count"), 1);
  EXPECT_EQ(metric(m1, "arc_task_duration_seconds_bucket{le=\"1\"}"), 0);
  EXPECT_EQ(metric(m1, "arc_task_duration_seconds_bucket{le=\"5\"}"), 1);
  EXPECT_EQ(metric(m1, "arc_gate_state{state=\"running\"}"), 1);
  EXPECT_GT(metric(m1, "process_resident_memory_bytes"), 0);

  finish("failed", "task_failed");
  finish("completed", "");
  std::string m2 = client_->Get("/metrics")->body;
  EXPECT_EQ(metric(m2, "arc_tasks_completed_total"), 2);
  EXPECT_EQ(metric(m2, "arc_tasks_failed_total{class=\"task_failed\"}"), 1);
  EXPECT_EQ(metric(m2, "arc_task_duration_seconds_count"), 3);
  EXPECT_DOUBLE_EQ(metric(m2, "arc_cost_usd_total"), 0.75);
  std::string m3 = client_->Get("/metrics")->body;  // nothing new: nothing counted twice
  EXPECT_EQ(metric(m3, "arc_task_duration_seconds_count"), 3);
}

// One raw HTTP/1.1 exchange; returns the status line and what follows.
std::string raw_request(int port, const std::string& request) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return "connect failed";
  (void)!write(fd, request.data(), request.size());
  timeval tv{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) out.append(buf, static_cast<size_t>(n));
  close(fd);
  return out;
}

// Found in review: these crashed arcd (an exception outside httplib's try) or
// let a body past max_body_kb, before any token was checked.
TEST_F(ApiTest, BytesThatAreNotUtf8AndBodiesWithoutALengthAreRefusedAndArcdGoesOn) {
  auto bad_path = client_->Get("/%FF%FE");
  ASSERT_TRUE(bad_path);
  EXPECT_EQ(bad_path->status, 404);
  EXPECT_TRUE(json::parse(bad_path->body, nullptr, false).is_object()) << bad_path->body;
  auto bad_body = post("/api/tasks", "{\"subject\": \"\xff\xfe\"");
  ASSERT_TRUE(bad_body);
  EXPECT_EQ(bad_body->status, 400);
  EXPECT_TRUE(json::parse(bad_body->body, nullptr, false).is_object()) << bad_body->body;
  EXPECT_EQ(post("/api/sensors/%FF/run", "")->status, 404);

  int port = server_->port();
  std::string chunked = raw_request(port, "POST /api/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
                                          "Connection: close\r\n\r\n4\r\nabcd\r\n0\r\n\r\n");
  EXPECT_EQ(chunked.rfind("HTTP/1.1 411", 0), 0u) << chunked;
  std::string no_length = raw_request(port, "POST /api/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n{}");
  EXPECT_EQ(no_length.rfind("HTTP/1.1 411", 0), 0u) << no_length;
  std::string gzip = raw_request(port, "POST /api/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Encoding: gzip\r\n"
                                       "Content-Length: 2\r\nConnection: close\r\n\r\n{}");
  EXPECT_EQ(gzip.rfind("HTTP/1.1 415", 0), 0u) << gzip;
  EXPECT_EQ(task_count(), 0);
  EXPECT_EQ(get_json("/api/status")["counts"]["pending"], 0);  // still serving
}

TEST_F(ApiTest, TheDashboardIsServedFromTheBinary) {
  auto r = client_->Get("/");
  ASSERT_EQ(r->status, 200);
  EXPECT_NE(r->get_header_value("Content-Type").find("text/html"), std::string::npos);
  EXPECT_NE(r->body.find("<title>arc-runtime</title>"), std::string::npos);
  EXPECT_EQ(r->body.find("http://"), std::string::npos);  // nothing fetched from elsewhere
  EXPECT_EQ(r->body.find("https://"), std::string::npos);
}

}  // namespace
}  // namespace arc
