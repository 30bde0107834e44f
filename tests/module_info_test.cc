#include <doctest/doctest.h>

#include <string>

#include "fipsgate/go/module_info.h"

using fipsgate::ModuleInfo;
using fipsgate::parse_module_info;

namespace {

ModuleInfo parsed(std::string_view text) {
  auto info = parse_module_info(text);
  REQUIRE_MESSAGE(info.ok(), (info.ok() ? "" : info.error().message()));
  return *info;
}

std::string failure(std::string_view text) {
  auto info = parse_module_info(text);
  REQUIRE_FALSE(info.ok());
  return info.error().message();
}

}  // namespace

TEST_CASE("module text gives the main package, main module, dependencies and settings") {
  ModuleInfo info = parsed(
      "path\texample.com/hello\n"
      "mod\texample.com/hello\t(devel)\t\n"
      "dep\tgolang.org/x/crypto\tv0.1.0\th1:abc=\n"
      "dep\tgopkg.in/yaml.v3\tv3.0.1\n"
      "build\t-compiler=gc\n"
      "build\tCGO_ENABLED=1\n"
      "build\tGOEXPERIMENT=boringcrypto\n");
  CHECK(info.main_package_path == "example.com/hello");
  REQUIRE(info.main.has_value());
  CHECK(info.main->module.path == "example.com/hello");
  CHECK(info.main->module.version == "(devel)");
  CHECK(info.main->module.sum.empty());
  REQUIRE(info.deps.size() == 2);
  CHECK(info.deps[0].module.path == "golang.org/x/crypto");
  CHECK(info.deps[0].module.version == "v0.1.0");
  CHECK(info.deps[0].module.sum == "h1:abc=");
  CHECK(info.deps[1].module.sum.empty());
  REQUIRE(info.settings.size() == 3);
  CHECK(info.settings[0].key == "-compiler");
  CHECK(info.setting("CGO_ENABLED") == "1");
  CHECK(info.setting("GOEXPERIMENT") == "boringcrypto");
  CHECK_FALSE(info.setting("GOFIPS140").has_value());
}

TEST_CASE("a replacement line attaches to the module line before it") {
  ModuleInfo info = parsed(
      "path\tmain\n"
      "mod\tmain\t(devel)\n"
      "dep\tgithub.com/a/b\tv1.0.0\th1:x=\n"
      "=>\t../b\t(devel)\t\n"
      "dep\tgithub.com/c/d\tv2.0.0\th1:y=\n");
  REQUIRE(info.deps.size() == 2);
  REQUIRE(info.deps[0].replacement.has_value());
  CHECK(info.deps[0].replacement->path == "../b");
  CHECK(info.deps[0].replacement->version == "(devel)");
  CHECK_FALSE(info.deps[1].replacement.has_value());
}

TEST_CASE("quoted build settings are unquoted like Go's strconv") {
  ModuleInfo info = parsed(
      "build\t-ldflags=\"-s -w -X \\\"main.v=1\\\"\"\n"
      "build\t\"key with space\"=plain\n"
      "build\tCGO_CFLAGS=\"a\\tb\\nc\\\\d\\x41\\u00e9\\U0001F600\\101\"\n"
      "build\t-tags=`raw \"text\"`\n");
  REQUIRE(info.settings.size() == 4);
  CHECK(info.settings[0].value == "-s -w -X \"main.v=1\"");
  CHECK(info.settings[1].key == "key with space");
  CHECK(info.settings[1].value == "plain");
  CHECK(info.settings[2].value ==
        "a\tb\nc\\dA\xc3\xa9\xf0\x9f\x98\x80"
        "A");
  CHECK(info.settings[3].value == "raw \"text\"");
}

TEST_CASE("a setting value may contain '=' without quoting") {
  ModuleInfo info = parsed("build\tDefaultGODEBUG=fips140=on,tlsrsakex=1\n");
  CHECK(info.setting("DefaultGODEBUG") == "fips140=on,tlsrsakex=1");
}

TEST_CASE("the go line printed by go version -m is accepted") {
  CHECK(parsed("go\tgo1.19.8\npath\tx\n").go_version == "go1.19.8");
}

TEST_CASE("malformed module text is an error naming the line number") {
  CHECK(failure("path\tx\nmod\tx\n").find("line 2: expected 2 or 3 columns; got 1") !=
        std::string::npos);
  CHECK(failure("path\tx\n\ndep\ta\tb\tc\td\n").find("line 3: expected 2 or 3 columns; got 4") !=
        std::string::npos);
  CHECK(failure("path\tx\n=>\ta\tb\tc\n").find("line 2: '=>' replacement does not follow") !=
        std::string::npos);
  CHECK(failure("dep\ta\tv1\n=>\ta\tb\n").find("line 2: expected 3 columns for a replacement") !=
        std::string::npos);
  CHECK(failure("dep\ta\tv1\n=>\tb\tv2\th\n=>\tc\tv3\th\n").find("line 3:") != std::string::npos);
  CHECK(failure("path\tx\nbogus\ty\n").find("line 2: unknown line kind 'bogus'") !=
        std::string::npos);
  CHECK(failure("nonsense\n").find("line 1: no TAB") != std::string::npos);
  CHECK(failure("build\tnoequals\n").find("line 1: build line missing '='") != std::string::npos);
  CHECK(failure("build\t\"k\"v\n").find("line 1: missing '=' after quoted key") !=
        std::string::npos);
  CHECK(failure("build\tk=\"unterminated\n").find("line 1: invalid quoted value") !=
        std::string::npos);
  CHECK(failure("build\tk=\"bad \\q escape\"\n").find("unknown escape") != std::string::npos);
  CHECK(failure("build\tk=\"\\xZZ\"\n").find("two hex digits") != std::string::npos);
  CHECK(failure("build\tk=\"\\uD800\"\n").find("not a valid code point") != std::string::npos);
}

TEST_CASE("sentinels are stripped only when the framing looks like Go's") {
  std::string text = "path\tx\nmod\tx\t(devel)\t\n";
  std::string framed =
      std::string(fipsgate::kModInfoStart) + text + std::string(fipsgate::kModInfoEnd);
  CHECK(fipsgate::strip_modinfo_sentinels(framed) == text);
  // The byte 17 from the end must be '\n' (the text's last newline).
  std::string no_newline = std::string(fipsgate::kModInfoStart) + "path\tx" + std::string(17, 'z');
  CHECK(fipsgate::strip_modinfo_sentinels(no_newline).empty());
  CHECK(fipsgate::strip_modinfo_sentinels(std::string(32, '\n')).empty());  // shorter than 33
}
