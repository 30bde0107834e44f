#include "fipsgate/policy/date.h"

#include <charconv>
#include <cstdio>
#include <ctime>

namespace fipsgate {
namespace {

bool is_leap_year(int year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int days_in_month(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap_year(year) ? 29 : kDays[month - 1];
}

bool parse_digits(std::string_view text, int& out) {
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  return error == std::errc() && end == text.data() + text.size();
}

}  // namespace

Result<Date> Date::parse(std::string_view text) {
  auto invalid = [&](std::string_view why) {
    return Error("date '" + std::string(text) + "' " + std::string(why));
  };
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') {
    return invalid("is not in the form YYYY-MM-DD");
  }
  Date date;
  if (!parse_digits(text.substr(0, 4), date.year) || !parse_digits(text.substr(5, 2), date.month) ||
      !parse_digits(text.substr(8, 2), date.day)) {
    return invalid("is not in the form YYYY-MM-DD");
  }
  if (date.month < 1 || date.month > 12)
    return invalid("has no month " + std::to_string(date.month));
  if (date.day < 1 || date.day > days_in_month(date.year, date.month)) {
    return invalid("has no day " + std::to_string(date.day) + " in that month");
  }
  return date;
}

Date Date::today_utc() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  return Date{utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday};
}

std::string Date::iso() const {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02d", year % 10000, month % 100, day % 100);
  return buffer;
}

}  // namespace fipsgate
