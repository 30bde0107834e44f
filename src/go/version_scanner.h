// A cursor over version-like text ("go1.21.9", "v1.0.0-rc.1", "1.20", "2026-11-27"): each step
// consumes what it recognises. Shared by the Go version parser and the checks of module
// versions and signature fields.
#pragma once

#include <string_view>

namespace fipsgate {

class VersionScanner {
 public:
  explicit VersionScanner(std::string_view text) : rest_(text) {}

  std::string_view rest() const { return rest_; }
  bool done() const { return rest_.empty(); }
  bool consume(std::string_view prefix) {
    if (!rest_.starts_with(prefix)) return false;
    rest_.remove_prefix(prefix.size());
    return true;
  }
  // A run of decimal digits; empty when none.
  std::string_view digits() {
    return until([](char c) { return c < '0' || c > '9'; });
  }
  // Everything up to (not including) the first byte for which stop() holds.
  template <class Stop>
  std::string_view until(Stop stop) {
    size_t length = 0;
    while (length < rest_.size() && !stop(rest_[length])) ++length;
    std::string_view run = rest_.substr(0, length);
    rest_.remove_prefix(length);
    return run;
  }

 private:
  std::string_view rest_;
};

}  // namespace fipsgate
