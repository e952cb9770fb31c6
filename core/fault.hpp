// Fault injection for tests (docs/reliability.md). Compiled into Debug
// builds (the test builds) and out of Release builds, where fire() is a
// constant false.
//
// ARC_FAULTS="point=rule,point=rule,..." names the hits that fail:
//   nth:N      the Nth hit only          every:N   every Nth hit
//   p:0.05     each hit with probability  while:/path  while the file exists
// Points: actor.persistence|queue|gate|triage|dispatcher|sensor|tracer (the
// actor throws in a handler), executor.spawn (the executor cannot start),
// sqlite.busy|ioerr|full (a write statement or COMMIT returns that error),
// hang.persistence|gate (that actor blocks in a handler while the rule
// fires: with while:/path, a frozen actor system for the watchdog test, or a
// gate that has not answered yet).
// An entry that cannot be read is reported on stderr and ignored.
#pragma once
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <thread>

namespace arc::fault {

#ifdef ARC_FAULT_INJECTION
bool fire(const char* point);
#else
constexpr bool fire(const char*) { return false; }
#endif

// An actor's handler calls this: it throws (the actor dies, its supervisor
// restarts it) if this hit of `point` must fail.
inline void crash_point(const char* point) {
  if (fire(point)) throw std::runtime_error(std::string("fault injection: ") + point);
}

// Blocks the calling actor while `point` fires (each check is one hit).
// It says so on stderr (arcd's log), so that a test knows it holds.
inline void hang_point(const char* point) {
  if (!fire(point)) return;
  std::fprintf(stderr, "fault injection: %s: blocking\n", point);
  while (fire(point)) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  std::fprintf(stderr, "fault injection: %s: released\n", point);
}

}  // namespace arc::fault
