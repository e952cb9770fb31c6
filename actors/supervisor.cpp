#include "actors/supervisor.hpp"

#include <spdlog/spdlog.h>

#include <deque>
#include <random>
#include <map>

namespace arc {
namespace {

struct Child {
  ChildSpec spec;
  caf::actor handle;
  std::deque<std::chrono::steady_clock::time_point> restarts;  // within the period
};

struct SupervisorState {
  SupervisorArgs args;
  std::vector<Child> children;
  bool stopping = false;
  bool restarting_tree = false;  // every child is being stopped, to be started again
  std::deque<std::chrono::steady_clock::time_point> tree_restarts;  // within the period
  std::mt19937 rng{std::random_device{}()};
  static inline const char* name = "supervisor";
};

using self_ptr = caf::stateful_actor<SupervisorState>*;

void start_child(self_ptr self, Child& c) {
  c.handle = c.spec.spawn(self->system());
  self->monitor(c.handle);
  self->system().registry().put(c.spec.registry_name, caf::actor_cast<caf::strong_actor_ptr>(c.handle));
}

bool any_alive(self_ptr self) {
  for (auto& c : self->state.children)
    if (c.handle) return true;
  return false;
}

// Unregisters and stops every running child, in reverse order. Their down
// messages come back to on_down.
void stop_children(self_ptr self) {
  auto& st = self->state;
  for (auto it = st.children.rbegin(); it != st.children.rend(); ++it) {
    if (!it->handle) continue;
    self->system().registry().erase(it->spec.registry_name);
    self->send_exit(it->handle, caf::exit_reason::user_shutdown);
  }
}

void stop_all(self_ptr self) {
  self->state.stopping = true;
  stop_children(self);
  if (!any_alive(self)) self->quit();
}

// Stops every child; on_down starts them all again once the last is down.
void restart_tree(self_ptr self) {
  self->state.restarting_tree = true;
  stop_children(self);
  if (!any_alive(self)) self->send(self, restart_atom::value, std::string());
}

void on_down(self_ptr self, const caf::down_msg& m) {
  auto& st = self->state;
  Child* c = nullptr;
  for (auto& x : st.children)
    if (x.handle && x.handle.address() == m.source) c = &x;
  if (!c) return;
  c->handle = nullptr;
  if (st.stopping) {
    if (!any_alive(self)) self->quit();
    return;
  }
  if (st.restarting_tree) {
    if (!any_alive(self)) self->send(self, restart_atom::value, std::string());  // all down: start all
    return;
  }
  self->system().registry().erase(c->spec.registry_name);
  auto& pol = c->spec.policy;
  auto now = std::chrono::steady_clock::now();
  if (st.args.stats) st.args.stats->count_restart(c->spec.name);
  c->restarts.push_back(now);
  while (!c->restarts.empty() && now - c->restarts.front() > std::chrono::milliseconds(pol.period_ms))
    c->restarts.pop_front();
  int n = static_cast<int>(c->restarts.size());
  if (n > pol.max_restarts) {
    auto& tree = st.args.policy;
    while (!st.tree_restarts.empty() && now - st.tree_restarts.front() > std::chrono::milliseconds(tree.period_ms))
      st.tree_restarts.pop_front();
    if (static_cast<int>(st.tree_restarts.size()) < tree.tree_restarts) {
      st.tree_restarts.push_back(now);
      spdlog::critical("supervisor: {} died {} times within {} s (last reason: {}), more than its restart "
                       "intensity allows (max_restarts = {}); restarting the whole tree ({}/{} within {} s)",
                       c->spec.name, n, pol.period_ms / 1000, caf::to_string(m.reason), pol.max_restarts,
                       st.tree_restarts.size(), tree.tree_restarts, tree.period_ms / 1000);
      restart_tree(self);
      return;
    }
    spdlog::critical(
        "supervisor: {} died {} times within {} s (last reason: {}), more than the restart "
        "intensity allows (max_restarts = {}), and the whole tree was already restarted {} times "
        "within {} s; stopping arcd so that its service manager restarts it",
        c->spec.name, n, pol.period_ms / 1000, caf::to_string(m.reason), pol.max_restarts, tree.tree_restarts,
        tree.period_ms / 1000);
    st.args.escalated->store(70);  // EX_SOFTWARE
    stop_all(self);
    return;
  }
  millis delay = restart_delay(pol, n, std::uniform_real_distribution<double>(0, 1)(st.rng));
  spdlog::error("supervisor: {} died ({}); restart {}/{} in {} ms", c->spec.name,
                caf::to_string(m.reason), n, pol.max_restarts, delay);
  self->delayed_send(self, std::chrono::milliseconds(delay), restart_atom::value, c->spec.name);
}

caf::behavior supervisor_fn(self_ptr self, SupervisorArgs args) {
  auto& st = self->state;
  st.args = std::move(args);
  for (auto& spec : st.args.children) {
    st.children.push_back(Child{spec, nullptr, {}});
    start_child(self, st.children.back());
  }
  self->set_down_handler([self](caf::down_msg& m) { on_down(self, m); });
  return {
      [self](restart_atom, const std::string& name) {
        auto& st = self->state;
        if (st.stopping) return;
        if (name.empty()) {  // the whole tree, in order, with fresh histories
          if (!st.restarting_tree || any_alive(self)) return;
          st.restarting_tree = false;
          for (auto& c : st.children) {
            c.restarts.clear();
            start_child(self, c);
          }
          spdlog::warn("supervisor: the whole tree restarted");
          return;
        }
        if (st.restarting_tree) return;  // it comes back with the tree
        for (auto& c : st.children)
          if (c.spec.name == name && !c.handle) {
            start_child(self, c);
            spdlog::info("supervisor: {} restarted", name);
          }
      },
      [self](shutdown_atom) { stop_all(self); },
      [](ready_atom) { return true; },
  };
}

}  // namespace

caf::actor spawn_supervisor(caf::actor_system& sys, SupervisorArgs args) {
  return sys.spawn(supervisor_fn, std::move(args));
}

}  // namespace arc
