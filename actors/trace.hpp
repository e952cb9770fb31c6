// The trace layer around sends and handlers (docs/trace-format.md).
//
// Every message between the runtime's actors that concerns a task carries a
// TraceCtx. The sender calls trace::send(), which records the hop and returns
// the context the message carries; the handler calls trace::recv() with it
// and passes it as the cause of what it does next, so that a task's life can
// be followed as a causal tree. When tracing is off each call is one relaxed
// atomic load and a branch: no allocation, no payload rendering (payloads
// are lambdas, called only when on).
#pragma once
#include <atomic>
#include <string>

#include "core/trace_event.hpp"

namespace arc::trace {

namespace detail {
extern std::atomic<bool> on;
TraceCtx record(const TraceCtx& cause, const char* kind, const char* from, const char* to, const char* type,
                int64_t task, std::string payload);
void record_recv(const TraceCtx& msg, const char* at, const char* type);
}  // namespace detail

inline bool on() { return detail::on.load(std::memory_order_relaxed); }

// A message from `from` to `to` caused by `cause`; its task is `task`, or the
// cause's. Returns the context the message carries.
template <class Payload>
TraceCtx send(const TraceCtx& cause, const char* from, const char* to, const char* type, int64_t task,
              Payload&& payload) {
  if (!on()) return {};
  return detail::record(cause, "send", from, to, type, task, payload());
}
inline TraceCtx send(const TraceCtx& cause, const char* from, const char* to, const char* type, int64_t task = 0) {
  if (!on()) return {};
  return detail::record(cause, "send", from, to, type, task, {});
}

// The handler of `msg` starts in actor `at`.
inline void recv(const TraceCtx& msg, const char* at, const char* type) {
  if (on() && msg.id) detail::record_recv(msg, at, type);
}

// The answer to request `request`, from `from` back to `to`.
template <class Payload>
TraceCtx reply(const TraceCtx& request, const char* from, const char* to, const char* type, Payload&& payload) {
  if (!on() || !request.id) return {};  // the request was not traced
  return detail::record(request, "reply", from, to, type, 0, payload());
}

// Something that happened in actor `at` (a task created, an executor started).
template <class Payload>
TraceCtx event(const TraceCtx& cause, const char* at, const char* type, int64_t task, Payload&& payload) {
  if (!on()) return {};
  return detail::record(cause, "event", at, "", type, task, payload());
}

}  // namespace arc::trace
