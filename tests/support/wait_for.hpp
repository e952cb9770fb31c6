// Polls a condition until it holds or a timeout passes: the way tests wait
// for another process or thread, instead of sleeping a fixed time.
#pragma once
#include <chrono>
#include <thread>

namespace arc::test {

template <class Pred>
bool wait_for(Pred pred, std::chrono::milliseconds timeout, std::chrono::milliseconds step = std::chrono::milliseconds(20)) {
  auto until = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (pred()) return true;
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(step);
  }
}

}  // namespace arc::test
