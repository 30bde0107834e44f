#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "fipsgate/match/scanner.h"
#include "fipsgate/match/signature_db.h"

using fipsgate::NameMatch;
using fipsgate::Signal;
using fipsgate::SignatureDb;

namespace {

// One valid marker; tests break one field at a time.
const char* const kValidMarker = R"(markers:
  - id: test.marker
    stack: boringcrypto
    signal: boring_shim
    description: a test marker
    source: "test"
    name: { exact: "crypto/internal/boring.init" }
)";

// One valid module row, for the same purpose.
const char* const kValidModuleRow = R"(modules:
  - id: m
    family: boringcrypto
    name: M
    version: v
    certificate: "123"
    standard: FIPS 140-3
    status: active
    historical_from: "2026-09-21"
    source: "test"
    match: { versions: [v] }
)";

std::string parse_error(const std::string& text) {
  SignatureDb db;
  auto status = fipsgate::parse_markers_yaml(text, "markers/test.yaml", db);
  REQUIRE_FALSE(status.ok());
  return status.error().message();
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("the shipped signature database loads and compiles") {
  auto db = fipsgate::load_signature_db(FIPSGATE_SOURCE_DIR "/signatures");
  REQUIRE_MESSAGE(db.ok(), (db.ok() ? "" : db.error().message()));
  CHECK(db->markers.size() > 40);
  CHECK(db->matcher != nullptr);
  const auto* sig = db->marker("boring.sig.boringcrypto.amd64");
  REQUIRE(sig != nullptr);
  const auto& bytes = std::get<fipsgate::ByteRule>(sig->rule);
  CHECK(bytes.pattern.bytes.size() == 32);
  CHECK(bytes.alignment == 16);
  CHECK(sig->signal == Signal::sig_boringcrypto);
  CHECK(sig->line > 0);
  CHECK(sig->file.find("boringcrypto.yaml") != std::string::npos);
}

TEST_CASE("modules.yaml maps Go module v1.0.0 to CMVP 5247 and Go 1.19's BoringCrypto to 3678") {
  auto db = fipsgate::load_signature_db(FIPSGATE_SOURCE_DIR "/signatures");
  REQUIRE(db.ok());
  auto row = [&](const std::string& id) {
    auto it = std::find_if(db->modules.begin(), db->modules.end(),
                           [&](const auto& r) { return r.id == id; });
    REQUIRE(it != db->modules.end());
    return *it;
  };
  CHECK(row("go-fips140-v1.0.0").certificate == "5247");
  CHECK(row("go-fips140-v1.0.0").standard == "FIPS 140-3");
  CHECK(row("boringssl-fips-20190808").certificate == "3678");
  CHECK(row("boringssl-fips-20190808").historical_from == "2026-09-21");
  CHECK(row("boringssl-fips-20210429").certificate == "4407");
  CHECK(row("boringssl-fips-20220613").certificate == "4735");
}

TEST_CASE("non_approved.yaml lists the std packages of reference section 8 with reason codes") {
  auto db = fipsgate::load_signature_db(FIPSGATE_SOURCE_DIR "/signatures");
  REQUIRE(db.ok());
  auto reason = [&](const std::string& prefix) -> std::string {
    for (const auto& row : db->non_approved) {
      if (row.prefix == prefix) return row.reason_code;
    }
    return "";
  };
  CHECK(reason("crypto/md5") == "NA");
  CHECK(reason("crypto/rc4") == "NA");
  CHECK(reason("crypto/des") == "NA");
  CHECK(reason("crypto/sha1") == "UV");
  CHECK(reason("golang.org/x/crypto/md4") == "NA");
  CHECK(reason("golang.org/x/crypto/blake2b") == "NA");
  CHECK_FALSE(db->std_callers.empty());
}

TEST_CASE("a valid marker file parses into a name rule") {
  SignatureDb db;
  auto status = fipsgate::parse_markers_yaml(kValidMarker, "markers/test.yaml", db);
  REQUIRE_MESSAGE(status.ok(), (status.ok() ? "" : status.error().message()));
  REQUIRE(db.markers.size() == 1);
  const auto& rule = std::get<fipsgate::NameRule>(db.markers[0].rule);
  CHECK(rule.how == NameMatch::exact);
  CHECK(db.markers[0].line == 2);
}

TEST_CASE("an unknown signal is an error naming the file, the line and the field") {
  const std::string message = parse_error(replace(kValidMarker, "boring_shim", "boring_shmi"));
  CHECK(message.find("markers/test.yaml:4") != std::string::npos);  // the line of the field
  CHECK(message.find("field 'signal'") != std::string::npos);
  CHECK(message.find("boring_shmi") != std::string::npos);
}

TEST_CASE("an unknown key is rejected with its line") {
  const std::string message = parse_error(
      replace(kValidMarker, "    source: \"test\"\n", "    source: \"test\"\n    colour: red\n"));
  CHECK(message.find("markers/test.yaml:7") != std::string::npos);
  CHECK(message.find("unknown field 'colour'") != std::string::npos);
}

TEST_CASE("a missing required field is named") {
  const std::string message =
      parse_error(replace(kValidMarker, "    description: a test marker\n", ""));
  CHECK(message.find("missing required field 'description'") != std::string::npos);
  CHECK(message.find("marker 'test.marker'") != std::string::npos);
}

TEST_CASE("a marker with two kinds of rule is rejected") {
  const std::string message =
      parse_error(std::string(kValidMarker) + "    string: { text: \"x\", region: rodata }\n");
  CHECK(message.find("exactly one of the fields bytes, name, string") != std::string::npos);
}

TEST_CASE("bad hex in a byte pattern is an error naming the field 'hex'") {
  const std::string text =
      replace(kValidMarker, "    name: { exact: \"crypto/internal/boring.init\" }\n",
              "    bytes: { hex: \"EB 1D ZZ\", region: text }\n");
  const std::string message = parse_error(text);
  CHECK(message.find("field 'hex'") != std::string::npos);
  CHECK(message.find("ZZ") != std::string::npos);
}

TEST_CASE("an unknown region and an unknown architecture are rejected") {
  CHECK(parse_error(replace(kValidMarker, "    name: { exact: \"crypto/internal/boring.init\" }\n",
                            "    bytes: { hex: \"EB 1D\", region: heap }\n"))
            .find("field 'region'") != std::string::npos);
  CHECK(parse_error(replace(kValidMarker, "    name: { exact: \"crypto/internal/boring.init\" }\n",
                            "    bytes: { hex: \"EB 1D\", region: text, arch: [vax] }\n"))
            .find("field 'arch'") != std::string::npos);
}

TEST_CASE("a pattern of only wildcards is rejected") {
  const std::string message =
      parse_error(replace(kValidMarker, "    name: { exact: \"crypto/internal/boring.init\" }\n",
                          "    bytes: { hex: \"?? ??\", region: text }\n"));
  CHECK(message.find("only ??") != std::string::npos);
}

TEST_CASE("a name pattern holding a NUL byte is rejected: no function or symbol name has one") {
  const std::string message = parse_error(
      replace(kValidMarker, "crypto/internal/boring.init", "crypto/internal/boring\\0.init"));
  CHECK(message.find("field 'name': the pattern holds a NUL byte") != std::string::npos);
  CHECK(message.find("markers/test.yaml:") != std::string::npos);
}

TEST_CASE("an invalid setting regex is rejected at load time") {
  const std::string message =
      parse_error(replace(kValidMarker, "    name: { exact: \"crypto/internal/boring.init\" }\n",
                          "    setting: { key: GOEXPERIMENT, regex: \"(unclosed\" }\n"));
  CHECK(message.find("field 'regex'") != std::string::npos);
}

TEST_CASE("broken YAML syntax is reported with file and line") {
  const std::string message = parse_error("markers:\n  - id: x\n    stack: [unclosed\n");
  CHECK(message.find("markers/test.yaml:") != std::string::npos);
  CHECK(message.find("not valid YAML") != std::string::npos);
}

TEST_CASE("a duplicate marker id across files is rejected when the database is finished") {
  SignatureDb db;
  REQUIRE(fipsgate::parse_markers_yaml(kValidMarker, "markers/a.yaml", db).ok());
  REQUIRE(fipsgate::parse_markers_yaml(kValidMarker, "markers/b.yaml", db).ok());
  auto status = db.finish();
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().message().find("defined twice") != std::string::npos);
  CHECK(status.error().message().find("markers/b.yaml:2") != std::string::npos);
}

TEST_CASE("a string's only_with gate names known signals that a name marker gives") {
  const std::string gated =
      replace(kValidMarker, "    name: { exact: \"crypto/internal/boring.init\" }\n",
              "    string: { text: \"abc\", region: rodata, only_with: [X] }\n");
  const std::string unknown = parse_error(replace(gated, "[X]", "[boring_shmi]"));
  CHECK(unknown.find("field 'only_with': unknown signal 'boring_shmi'") != std::string::npos);
  CHECK(unknown.find("markers/test.yaml:7") != std::string::npos);

  // ms_library comes from no marker here: the gate could never open, which finish() refuses.
  SignatureDb db;
  REQUIRE(fipsgate::parse_markers_yaml(replace(gated, "[X]", "[ms_library]"), "markers/a.yaml", db)
              .ok());
  const auto& rule = std::get<fipsgate::StringRule>(db.markers[0].rule);
  REQUIRE(rule.only_with.size() == 1);
  CHECK(rule.only_with[0] == Signal::ms_library);
  auto status = db.finish();
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().message().find("markers/a.yaml:2: marker 'test.marker': field "
                                      "'only_with': no name marker gives signal 'ms_library'") !=
        std::string::npos);

  // A name marker giving it makes the same database good.
  const std::string giver =
      replace(replace(kValidMarker, "test.marker", "test.giver"), "boring_shim", "ms_library");
  REQUIRE(fipsgate::parse_markers_yaml(giver, "markers/b.yaml", db).ok());
  auto finished = db.finish();
  CHECK_MESSAGE(finished.ok(), (finished.ok() ? "" : finished.error().message()));
}

TEST_CASE("a module row with an unknown status or a malformed date is rejected") {
  const std::string row = kValidModuleRow;
  SignatureDb ok_db;
  REQUIRE(fipsgate::parse_modules_yaml(row, "modules.yaml", ok_db).ok());
  SignatureDb db;
  auto status = fipsgate::parse_modules_yaml(replace(row, "status: active", "status: retired"),
                                             "modules.yaml", db);
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().message().find("modules.yaml:8") != std::string::npos);
  CHECK(status.error().message().find("field 'status'") != std::string::npos);
  status =
      fipsgate::parse_modules_yaml(replace(row, "2026-09-21", "21/09/2026"), "modules.yaml", db);
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().message().find("field 'historical_from'") != std::string::npos);
}

TEST_CASE("a non-approved entry needs a known reason code") {
  SignatureDb db;
  auto status = fipsgate::parse_non_approved_yaml(
      "packages:\n  - { prefix: crypto/md5, reason_code: XX, reason: bad }\n", "non_approved.yaml",
      db);
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().message().find("non_approved.yaml:2") != std::string::npos);
  CHECK(status.error().message().find("field 'reason_code'") != std::string::npos);
}

TEST_CASE("field shapes: marker ids, alignments, Go releases, dates and digests") {
  // Checked by hand since std::regex cost most of loading the signatures; each shape is held to
  // what the old patterns accepted, at both edges.
  auto marker_with = [](const std::string& id, const std::string& align) {
    std::string text = replace(kValidMarker, "id: test.marker", "id: " + id);
    if (align.empty()) return text;
    return replace(
        text, "    name: { exact: \"crypto/internal/boring.init\" }\n",
        "    bytes: { hex: \"E8 ?? ?? ?? ??\", region: text, align: \"" + align + "\" }\n");
  };
  auto marker_ok = [](const std::string& text) {
    SignatureDb db;
    return fipsgate::parse_markers_yaml(text, "markers/test.yaml", db).ok();
  };
  for (const char* good : {"a", "boring.sig.amd64", "x_1.y_2", "0"}) {
    CHECK_MESSAGE(marker_ok(marker_with(good, "")), good);
  }
  for (const char* bad : {"Boring.sig", "a..b", ".a", "a.", "a-b", "\"a b\"", "\"\""}) {
    CHECK_FALSE_MESSAGE(marker_ok(marker_with(bad, "")), bad);
  }
  for (const char* good : {"1", "2", "4", "8", "16", "32", "64"}) {
    CHECK_MESSAGE(marker_ok(marker_with("m", good)), good);
  }
  for (const char* bad : {"3", "128", "016", "0", "-8", "8 "}) {
    CHECK_MESSAGE(parse_error(marker_with("m", bad)).find("field 'align'") != std::string::npos,
                  bad);
  }

  const std::string row =
      replace(kValidModuleRow, "match: { versions: [v] }",
              "match: { versions: [v], go_min: \"1.19\", bcm_text_hash: HASH }");
  auto module_error = [&](const std::string& from, const std::string& to) {
    SignatureDb db;
    const std::string hash(64, 'a');
    auto status = fipsgate::parse_modules_yaml(replace(replace(row, "HASH", hash), from, to),
                                               "modules.yaml", db);
    return status.ok() ? std::string() : status.error().message();
  };
  CHECK(module_error("\"1.19\"", "\"1.19\"").empty());
  CHECK(module_error("\"1.19\"", "\"10.200\"").empty());
  for (const char* bad : {"\"1\"", "\"1.\"", "\".19\"", "\"1.19.2\"", "\"v1.19\"", "\"1.x\""}) {
    CHECK_MESSAGE(module_error("\"1.19\"", bad).find("field 'go_min'") != std::string::npos, bad);
  }
  for (const char* bad : {"\"2026-9-21\"", "\"2026-09-2x\"", "\"20260-09-21\"", "\"2026/09/21\""}) {
    CHECK_MESSAGE(
        module_error("\"2026-09-21\"", bad).find("field 'historical_from'") != std::string::npos,
        bad);
  }
  const std::string sha256(64, 'f'), sha512(128, '0');
  CHECK(module_error(std::string(64, 'a'), sha256).empty());
  CHECK(module_error(std::string(64, 'a'), sha512).empty());
  for (const std::string& bad : {std::string(63, 'a'), std::string(65, 'a'), std::string(64, 'A'),
                                 std::string(63, 'a') + "g"}) {
    CHECK_MESSAGE(
        module_error(std::string(64, 'a'), bad).find("field 'bcm_text_hash'") != std::string::npos,
        bad);
  }
}
