#include <doctest/doctest.h>

#include "fipsgate/go/go_version.h"

using fipsgate::GoVersion;
using fipsgate::parse_go_version;

namespace {

GoVersion parsed(std::string_view text) {
  auto version = parse_go_version(text);
  INFO(text);
  REQUIRE_MESSAGE(version.ok(), (version.ok() ? "" : version.error().message()));
  CHECK(version->raw == text);
  return *version;
}

std::string failure(std::string_view text) {
  auto version = parse_go_version(text);
  INFO(text);
  REQUIRE_FALSE(version.ok());
  return version.error().message();
}

}  // namespace

TEST_CASE("a plain release version gives major, minor and patch") {
  GoVersion version = parsed("go1.19.8");
  CHECK(version.major == 1);
  CHECK(version.minor == 19);
  CHECK(version.patch == 8);
  CHECK(version.prerelease.empty());
  CHECK_FALSE(version.boring_release.has_value());
  CHECK(version.vendor.empty());
  CHECK(version.experiments.empty());
  CHECK_FALSE(version.devel);
}

TEST_CASE("a version without a patch number has patch 0") {
  GoVersion version = parsed("go1.21");
  CHECK(version.minor == 21);
  CHECK(version.patch == 0);
}

TEST_CASE("release candidates and betas keep their prerelease tag") {
  CHECK(parsed("go1.21rc2").prerelease == "rc2");
  GoVersion beta = parsed("go1.18beta1");
  CHECK(beta.prerelease == "beta1");
  CHECK(beta.minor == 18);
  CHECK_FALSE(beta.boring_release.has_value());
}

TEST_CASE("a dev.boringcrypto release carries its boring release number") {
  GoVersion version = parsed("go1.18.7b7");
  CHECK(version.patch == 7);
  REQUIRE(version.boring_release.has_value());
  CHECK(*version.boring_release == 7);
}

TEST_CASE("experiments after a space are listed (Go 1.25 and older)") {
  GoVersion version = parsed("go1.19.8 X:boringcrypto");
  CHECK(version.patch == 8);
  REQUIRE(version.experiments.size() == 1);
  CHECK(version.experiments[0] == "boringcrypto");
  CHECK(version.has_experiment("boringcrypto"));
  CHECK(parsed("go1.20.10 X:strictfipsruntime,boringcrypto").experiments.size() == 2);
}

TEST_CASE("experiments after a dash are listed (Go 1.26 and newer)") {
  GoVersion version = parsed("go1.26.10-X:boringcrypto");
  CHECK(version.minor == 26);
  CHECK(version.patch == 10);
  REQUIRE(version.experiments.size() == 1);
  CHECK(version.experiments[0] == "boringcrypto");
  CHECK(version.vendor.empty());
}

TEST_CASE("vendor text in parentheses is kept apart from the experiments") {
  GoVersion version = parsed("go1.21.9 (Red Hat 1.21.9-1.el8) X:strictfipsruntime");
  CHECK(version.patch == 9);
  CHECK(version.vendor == "Red Hat 1.21.9-1.el8");
  REQUIRE(version.experiments.size() == 1);
  CHECK(version.experiments[0] == "strictfipsruntime");
  CHECK(parsed("go1.25.5 (Red Hat 1.25.5-1.el10_1)").vendor == "Red Hat 1.25.5-1.el10_1");
}

TEST_CASE("a devel toolchain takes its numbers from the go1.N it names") {
  GoVersion version = parsed("devel go1.27-abcdef0 Tue Jan 6 10:00:00 2026 +0000");
  CHECK(version.devel);
  CHECK(version.major == 1);
  CHECK(version.minor == 27);
  CHECK(version.at_least(1, 26));
  GoVersion old = parsed("devel +b7a85e0003 Fri Jan 1 00:00:00 2021 +0000");
  CHECK(old.devel);
  CHECK(old.at_least(1, 99));
  GoVersion with_experiment =
      parsed("devel go1.27-abcdef0 Tue Jan 6 10:00:00 2026 +0000 X:boringcrypto");
  CHECK(with_experiment.has_experiment("boringcrypto"));
  GoVersion dash_experiment =
      parsed("devel go1.27-abcdef0 Tue Jan 6 10:00:00 2026 +0000-X:boringcrypto,jsonv2");
  CHECK(dash_experiment.minor == 27);
  CHECK(dash_experiment.experiments == std::vector<std::string>{"boringcrypto", "jsonv2"});
}

TEST_CASE("at_least compares major and minor versions") {
  GoVersion version = parsed("go1.24.3");
  CHECK(version.at_least(1, 24));
  CHECK(version.at_least(1, 18));
  CHECK_FALSE(version.at_least(1, 25));
  CHECK_FALSE(version.at_least(2, 0));
}

TEST_CASE("garbage is rejected with an error naming the problem") {
  CHECK(failure("").find("empty") != std::string::npos);
  CHECK(failure("1.19.8").find("does not start with 'go'") != std::string::npos);
  CHECK(failure("go").find("major version is missing") != std::string::npos);
  CHECK(failure("go1.").find("minor version is missing") != std::string::npos);
  CHECK(failure("go1.x").find("minor version is missing") != std::string::npos);
  CHECK(failure("go1.19.").find("patch version is missing") != std::string::npos);
  CHECK(failure("go1.19rc").find("'rc' without a number") != std::string::npos);
  CHECK(failure("go1.19.8 (Red Hat").find("not closed") != std::string::npos);
  CHECK(failure("go1.19.8 trailing").find("unexpected text ' trailing'") != std::string::npos);
  CHECK(failure("go1.19.8 X:").find("empty name") != std::string::npos);
  CHECK(failure("go1.19.8 X:a,,b").find("empty name") != std::string::npos);
  CHECK(failure("go1.19.8 X:a extra").find("after the experiment list") != std::string::npos);
  CHECK(failure("go1.9999999").find("too large") != std::string::npos);
  CHECK(failure(std::string(2000, 'g')).find("limit") != std::string::npos);
}

TEST_CASE(
    "a distributor build suffix before the experiments is kept and the experiments still parse") {
  auto google = fipsgate::parse_go_version(
      "go1.25-20250209-RC00 cl/724970549 +ff27d270c9 X:fieldtrack,boringcrypto");
  REQUIRE(google.ok());
  CHECK(google->major == 1);
  CHECK(google->minor == 25);
  CHECK(google->build_suffix == "20250209-RC00 cl/724970549 +ff27d270c9");
  CHECK(google->has_experiment("boringcrypto"));
  CHECK(google->has_experiment("fieldtrack"));
  auto no_experiments = fipsgate::parse_go_version("go1.22-20231128-RC02 cl/586476931 +5a4a47c6a0");
  REQUIRE(no_experiments.ok());
  CHECK(no_experiments->experiments.empty());
  CHECK(fipsgate::parse_go_version("go1.27.3-X:boringcrypto")->build_suffix.empty());
}
