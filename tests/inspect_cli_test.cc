#include <doctest/doctest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "fipsgate/go/build_info.h"
#include "fipsgate/go/module_info.h"
#include "support/elf_builder.h"
#include "support/scratch.h"

using nlohmann::json;

namespace {

struct Run {
  int exit_code = -1;
  std::string out;
};

// Runs the fipsgate executable with the arguments (shell-quoted by the caller), stderr dropped.
Run run_cli(const std::string& arguments) {
  std::string command = std::string("'") + FIPSGATE_CLI + "' " + arguments + " 2>/dev/null";
  Run run;
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buffer[65536];
  size_t got = 0;
  while ((got = fread(buffer, 1, sizeof buffer, pipe)) > 0) run.out.append(buffer, got);
  int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

json parse_json(const Run& run) {
  json document = json::parse(run.out, nullptr, false);
  REQUIRE_MESSAGE(!document.is_discarded(), run.out.substr(0, 2000));
  CHECK(document["schema"] == "fipsgate.inspect/v1");
  return document;
}

std::string temp_file(const std::string& name, const std::string& bytes) {
  return fipsgate::testing::scratch_file(name, bytes).string();
}

const char* kInstalledGo = "/usr/lib/go-1.19/bin/go";

}  // namespace

TEST_CASE("inspect --json reports the build info, pclntab and packages of the go1.19 go command") {
  if (!std::filesystem::exists(kInstalledGo)) {
    MESSAGE("skipped: " << kInstalledGo << " is not installed");
    return;
  }
  Run run = run_cli(std::string("inspect --json ") + kInstalledGo);
  CHECK(run.exit_code == 0);
  json document = parse_json(run);
  REQUIRE(document["files"].size() == 1);
  const json& file = document["files"][0];
  CHECK(file["path"] == kInstalledGo);
  CHECK(file["size_bytes"].get<uint64_t>() == std::filesystem::file_size(kInstalledGo));
  CHECK(file["sha256"].get<std::string>().size() == 64);
  CHECK_FALSE(file.contains("error"));
  CHECK(file["errors"].empty());
  CHECK(file["format"] == "elf");
  CHECK(file["arch"] == "amd64");
  CHECK(file["endian"] == "little");
  CHECK(file["pointer_size"] == 8);
  CHECK(file["build_ids"]["go"].is_string());
  const json& go = file["go"];
  REQUIRE(go.is_object());
  CHECK(go["version"] == "go1.19.8");
  CHECK(go["version_parsed"]["major"] == 1);
  CHECK(go["version_parsed"]["minor"] == 19);
  CHECK(go["version_parsed"]["patch"] == 8);
  CHECK(go["version_parsed"]["experiments"].empty());
  const json& build_info = go["build_info"];
  CHECK(build_info["format"] == "inline");
  CHECK(build_info["found_in"] == "section .go.buildinfo");
  CHECK(build_info["path"] == "cmd/go");
  CHECK(build_info["main"].is_null());  // the go command's module text has no "mod" line
  CHECK(build_info["deps"].empty());
  bool has_goos = false;
  for (const json& setting : build_info["settings"]) has_goos |= setting["key"] == "GOOS";
  CHECK(has_goos);
  CHECK(go["pclntab"]["version"] == "1.18");
  CHECK(go["pclntab"]["found_in"] == "section .gopclntab");
  CHECK(go["function_count"].get<uint64_t>() > 1000);
  CHECK(go["function_count"] == go["pclntab"]["functions"]);
  std::vector<std::string> packages;
  for (const json& package : go["packages"]) packages.push_back(package["path"]);
  CHECK(std::is_sorted(packages.begin(), packages.end()));
  CHECK(std::find(packages.begin(), packages.end(), "crypto/sha256") != packages.end());
  CHECK(std::find(packages.begin(), packages.end(), "cmd/go/internal/modload") != packages.end());
  bool has_buildinfo_section = false;
  for (const json& section : file["sections"]) {
    if (section["name"] == ".go.buildinfo") {
      has_buildinfo_section = true;
      CHECK(section["flags"] == "AW");
      CHECK(section["file_offset"] == build_info["file_offset"]);
    }
  }
  CHECK(has_buildinfo_section);
}

TEST_CASE("inspect text output names the Go version, main package and pclntab") {
  if (!std::filesystem::exists(kInstalledGo)) {
    MESSAGE("skipped: " << kInstalledGo << " is not installed");
    return;
  }
  Run run = run_cli(std::string("inspect ") + kInstalledGo);
  CHECK(run.exit_code == 0);
  CHECK(run.out.find("go version      go1.19.8") != std::string::npos);
  CHECK(run.out.find("main package    cmd/go") != std::string::npos);
  CHECK(run.out.find("pclntab         1.18") != std::string::npos);
  CHECK(run.out.find("    crypto/sha256") != std::string::npos);
  CHECK(run.out.find("  sha256 ") == std::string::npos);  // text: only with --digest sha256
  Run hashed = run_cli(std::string("inspect --digest sha256 ") + kInstalledGo);
  CHECK(hashed.out.find("  sha256 ") != std::string::npos);
}

TEST_CASE("inspect --json of a synthetic Go 1.18+ ELF reports its build info") {
  using namespace fipsgate::testing;
  std::string framed = std::string(fipsgate::kModInfoStart) +
                       "path\texample.com/x\nmod\texample.com/x\t(devel)\t\n"
                       "dep\tgolang.org/x/crypto\tv0.1.0\th1:s=\n=>\t../crypto\t(devel)\t\n"
                       "build\tGOEXPERIMENT=boringcrypto\n" +
                       std::string(fipsgate::kModInfoEnd);
  std::string blob(fipsgate::kBuildInfoMagic);
  blob += std::string("\x08\x02", 2);
  blob.append(16, '\0');
  put_uvarint(blob, 24);
  blob += "go1.26.10-X:boringcrypto";
  put_uvarint(blob, framed.size());
  blob += framed;
  ElfSpec spec;
  spec.sections = {SectionSpec{".text", 1, 6, 0, 16, std::string(32, '\xcc'), 0},
                   SectionSpec{".go.buildinfo", 1, 3, 0, 16, blob, 0}};
  BuiltElf elf = build_elf(spec);
  std::string path = temp_file("synthetic", elf.bytes);
  Run run = run_cli("inspect --json '" + path + "'");
  std::filesystem::remove(path);
  // Build info without a pclntab: reported, and the missing pclntab makes the file unanalyzable.
  CHECK(run.exit_code == 3);
  json document = parse_json(run);
  REQUIRE(document["files"][0]["errors"].size() == 1);
  CHECK(document["files"][0]["errors"][0].get<std::string>().find("pclntab") != std::string::npos);
  const json& go = document["files"][0]["go"];
  REQUIRE(go.is_object());
  CHECK(go["version"] == "go1.26.10-X:boringcrypto");
  CHECK(go["version_parsed"]["minor"] == 26);
  CHECK(go["version_parsed"]["patch"] == 10);
  CHECK(go["version_parsed"]["experiments"] == json::array({"boringcrypto"}));
  CHECK(go["version_parsed"]["boring_release"].is_null());
  const json& build_info = go["build_info"];
  CHECK(build_info["format"] == "inline");
  CHECK(build_info["file_offset"] == elf.find(".go.buildinfo")->file_offset);
  CHECK(build_info["vaddr"] == elf.find(".go.buildinfo")->vaddr);
  CHECK(build_info["path"] == "example.com/x");
  CHECK(build_info["main"]["version"] == "(devel)");
  REQUIRE(build_info["deps"].size() == 1);
  CHECK(build_info["deps"][0]["sum"] == "h1:s=");
  CHECK(build_info["deps"][0]["replace"]["path"] == "../crypto");
  CHECK(build_info["settings"][0] == json({{"key", "GOEXPERIMENT"}, {"value", "boringcrypto"}}));
  CHECK(go["pclntab"].is_null());
  CHECK(go["function_count"] == 0);
}

TEST_CASE("inspect of a non-Go ELF reports go as null and exits 0") {
  using namespace fipsgate::testing;
  ElfSpec spec;
  spec.sections = {SectionSpec{".text", 1, 6, 0, 16, std::string(32, '\xcc'), 0},
                   SectionSpec{".data", 1, 3, 0, 16, std::string(32, '\x01'), 0}};
  std::string path = temp_file("plain-elf", build_elf(spec).bytes);
  Run run = run_cli("inspect --json '" + path + "'");
  std::filesystem::remove(path);
  CHECK(run.exit_code == 0);
  json document = parse_json(run);
  CHECK(document["files"][0]["go"].is_null());
  CHECK(document["files"][0]["errors"].empty());
}

TEST_CASE("inspect of a corrupt file exits 3 and still reports the other files") {
  std::string corrupt = temp_file("corrupt", std::string("\x7f"
                                                         "ELF\x02\x01\x01",
                                                         7) +
                                                 std::string(9, '\0'));
  std::string missing = (fipsgate::testing::scratch_root() / "missing").string();
  using namespace fipsgate::testing;
  ElfSpec spec;
  spec.sections = {SectionSpec{".text", 1, 6, 0, 16, std::string(32, '\xcc'), 0}};
  std::string good = temp_file("good", build_elf(spec).bytes);
  Run run = run_cli("inspect --json '" + corrupt + "' '" + missing + "' '" + good + "'");
  CHECK(run.exit_code == 3);
  json document = parse_json(run);
  REQUIRE(document["files"].size() == 3);
  CHECK(document["files"][0]["error"].is_string());
  CHECK(document["files"][0]["go"].is_null());
  CHECK(document["files"][1]["error"].is_string());
  CHECK_FALSE(document["files"][2].contains("error"));
  CHECK(document["files"][2]["format"] == "elf");
  Run text = run_cli("inspect '" + corrupt + "'");
  CHECK(text.exit_code == 3);
  std::filesystem::remove(corrupt);
  std::filesystem::remove(good);
}

TEST_CASE("inspect without a file is a usage error") {
  CHECK(run_cli("inspect").exit_code == 2);
  CHECK(run_cli("inspect --no-such-flag x").exit_code == 2);
}
