#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "core/sd_notify.hpp"
#include "support/temp_dir.hpp"

namespace arc {
namespace {

TEST(SdNotify, SendsTheStateToNotifySocket) {
  test::TempDir dir;
  std::string path = dir.file("notify");
  int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);

  unsetenv("NOTIFY_SOCKET");
  EXPECT_FALSE(sd_notify("READY=1"));  // outside systemd: nothing, no error
  setenv("NOTIFY_SOCKET", path.c_str(), 1);
  EXPECT_TRUE(sd_notify("READY=1"));
  char buf[64] = {};
  timeval tv{2, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ASSERT_EQ(recv(fd, buf, sizeof buf - 1, 0), 7);
  EXPECT_STREQ(buf, "READY=1");
  unsetenv("NOTIFY_SOCKET");
  close(fd);
}

TEST(SdNotify, WatchdogPeriodComesFromTheEnvironment) {
  unsetenv("WATCHDOG_USEC");
  unsetenv("WATCHDOG_PID");
  EXPECT_EQ(sd_watchdog_period_ms(), 0);
  setenv("WATCHDOG_USEC", "30000000", 1);
  EXPECT_EQ(sd_watchdog_period_ms(), 30'000);
  setenv("WATCHDOG_PID", std::to_string(getpid() + 1).c_str(), 1);  // meant for another process
  EXPECT_EQ(sd_watchdog_period_ms(), 0);
  setenv("WATCHDOG_PID", std::to_string(getpid()).c_str(), 1);
  EXPECT_EQ(sd_watchdog_period_ms(), 30'000);
  setenv("WATCHDOG_USEC", "soon", 1);
  EXPECT_EQ(sd_watchdog_period_ms(), 0);
  unsetenv("WATCHDOG_USEC");
  unsetenv("WATCHDOG_PID");
}

}  // namespace
}  // namespace arc
