// systemd's service notification protocol (sd_notify(3), sd_watchdog_enabled(3))
// without libsystemd: one datagram to $NOTIFY_SOCKET. Outside systemd (no
// NOTIFY_SOCKET) every call is a no-op.
#pragma once
#include <string>

#include "core/clock.hpp"

namespace arc {

// Sends `state` ("READY=1", "WATCHDOG=1", "STOPPING=1", "STATUS=…").
// Returns false if there is no socket or the send failed.
bool sd_notify(const std::string& state);

// The watchdog period systemd expects pings within ($WATCHDOG_USEC, when
// $WATCHDOG_PID is unset or this process), else 0.
millis sd_watchdog_period_ms();

}  // namespace arc
