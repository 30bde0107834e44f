// Calendar dates for certificate sunsets and waiver expiry. The scan date is injectable
// (--date) so verdicts are reproducible; nothing here reads the clock except today_utc().
#pragma once

#include <compare>
#include <string>
#include <string_view>

#include "fipsgate/io/result.h"

namespace fipsgate {

struct Date {
  int year = 1970;
  int month = 1;
  int day = 1;

  // Strict "YYYY-MM-DD" with a real day of that month.
  static Result<Date> parse(std::string_view text);
  static Date today_utc();
  std::string iso() const;

  auto operator<=>(const Date&) const = default;
};

}  // namespace fipsgate
