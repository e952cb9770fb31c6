// POST routes: create a task, pause/resume/reset the gate, run a sensor now.
// Each needs "Authorization: Bearer <token>" and runs in its own short
// transaction through the calls the `arc` CLI makes.
#include "core/task_json.hpp"
#include "http/routes.hpp"
#include "http/token.hpp"
#include "storage/gate_store.hpp"
#include "storage/sensor_store.hpp"
#include "storage/task_store.hpp"
#include "storage/views.hpp"

namespace arc::http {
namespace {

const char* const kActor = "api";

void require_token(const httplib::Request& req, const Shared& shared) {
  std::string given = bearer_token(req.get_header_value("Authorization"));
  if (given.empty()) throw HttpError(401, "this needs \"Authorization: Bearer <token>\" (the token is in arcd's [http] token_file)");
  if (!token_equal(given, shared.options.token)) throw HttpError(401, "wrong token");
}

// An optional body {"reason": "…"}; anything else in it is an error.
std::string reason_of(const httplib::Request& req) {
  if (req.body.empty()) return {};
  auto j = nlohmann::json::parse(req.body, nullptr, false);
  if (!j.is_object()) throw HttpError(400, "body: must be a JSON object such as {\"reason\": \"…\"}");
  for (auto& [k, v] : j.items())
    if (k != "reason") throw HttpError(400, k + ": unknown field (only \"reason\")");
  if (!j.contains("reason") || j["reason"].is_null()) return {};
  if (!j["reason"].is_string()) throw HttpError(400, "reason: must be a string");
  return j["reason"].get<std::string>();
}

// A POST route that checks the token first, before it looks at the body.
void post(httplib::Server& svr, const char* pattern, Shared& shared,
          std::function<void(const httplib::Request&, httplib::Response&)> fn) {
  svr.Post(pattern, [&shared, fn](const httplib::Request& req, httplib::Response& res) {
    require_token(req, shared);
    fn(req, res);
  });
}

}  // namespace

void add_write_routes(httplib::Server& svr, Shared& shared) {
  post(svr, "/api/tasks", shared, [&shared](const httplib::Request& req, httplib::Response& res) {
    TaskSpec spec;
    try {
      spec = task_spec_from_json(req.body, system_clock().now_ms());
    } catch (const TaskJsonError& e) {
      throw HttpError(400, e.what());
    }
    auto db = shared.write_db();
    TaskStore store(*db, system_clock());
    auto r = in_transaction(*db, [&] { return store.create(spec, kActor); });
    // 201 for a new task; 200 with the open task of the same source.
    reply(res, r.created ? 201 : 200, {{"id", r.id}, {"created", r.created}});
  });

  post(svr, "/api/dispatch/(pause|resume|reset)", shared, [&shared](const httplib::Request& req, httplib::Response& res) {
    std::string kind = req.matches[1].str(), reason = reason_of(req);
    auto db = shared.write_db();
    GateResult r;
    try {
      r = operator_gate(*db, shared.options.gate, kind, reason, "api dispatch " + kind);
    } catch (const GateRefused& e) {
      throw HttpError(409, e.what());
    }
    auto view = gate_view(*db, system_clock().now_ms(), &shared.options.budget, shared.storage_fault());
    view["changed"] = r.change.changed;
    view["expired"] = r.expired;
    reply(res, 200, view);
  });

  post(svr, "/api/sensors/([^/]+)/run", shared, [&shared](const httplib::Request& req, httplib::Response& res) {
    std::string name = req.matches[1].str();
    auto db = shared.write_db();
    std::string why = sensor_run_now(*db, name, system_clock().now_ms());
    if (!why.empty()) throw HttpError(shared.options.sensors.count(name) ? 409 : 404, why);
    reply(res, 202, {{"sensor", name}, {"queued", true}});
  });
}

}  // namespace arc::http
