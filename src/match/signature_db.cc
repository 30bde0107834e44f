// Loading signatures/ with a schema check: every field is typed, enums are closed, unknown keys
// are rejected, and each error names the file, the line of the node and the field.
#include "fipsgate/match/signature_db.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <utility>

#include "fipsgate/io/yaml.h"
#include "fipsgate/match/scanner.h"
#include "go/version_scanner.h"

// Returns the Error of a Status-valued expression from the enclosing function.
#define FG_CHECK(expr)                                                      \
  do {                                                                      \
    if (auto fg_status = (expr); !fg_status.ok()) return fg_status.error(); \
  } while (false)

namespace fipsgate {
namespace {

constexpr std::array<std::string_view, kSignalCount> kSignalNames = {
    "sig_boringcrypto",    "sig_standardcrypto", "tls_fipsonly",     "tls_linked",
    "boring_shim",         "boring_syso",        "boring_c_prefix",  "boring_string",
    "boring_requested",    "fips140_requested",  "fips140_snapshot", "fips140_module",
    "fips140_info",        "fips140_godebug",    "fips140_hostfips", "backend_package",
    "golangfips_library",  "golangfips_dlopen",  "libcrypto_name",   "redhat_toolchain",
    "strict_fips_runtime", "openssl_disabled",   "ms_setting",       "ms_library",
    "ms_experiment",       "ms_string",          "ms_opt_out",       "requirefips",
    "std_crypto",          "cgo_runtime",        "cgo_disabled",     "cgo_enabled",
};

// Field shapes, checked by hand: std::regex builds a 256-entry cache through the locale for
// every bracket expression, and the five shapes below cost 3 M instructions at every start
// (most of loading the signatures beside libyaml's parse).
bool is_lower_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}
bool is_id_char(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == '_';
}

// "1.20": digits, one dot, digits.
bool is_release(std::string_view text) {
  VersionScanner scanner(text);
  return !scanner.digits().empty() && scanner.consume(".") && !scanner.digits().empty() &&
         scanner.done();
}

// "2026-11-27" (the calendar is checked where dates are compared, not here).
bool is_iso_date_shape(std::string_view text) {
  VersionScanner scanner(text);
  return scanner.digits().size() == 4 && scanner.consume("-") && scanner.digits().size() == 2 &&
         scanner.consume("-") && scanner.digits().size() == 2 && scanner.done();
}

// "boring.sig.amd64": dot-separated, non-empty words of [a-z0-9_].
bool is_marker_id(std::string_view text) {
  size_t word = 0;
  for (char c : text) {
    if (c == '.') {
      if (word == 0) return false;
      word = 0;
    } else if (is_id_char(c)) {
      ++word;
    } else {
      return false;
    }
  }
  return word > 0;
}

// SHA-256 or SHA-512 in lowercase hex.
bool is_hex_digest(std::string_view text) {
  return (text.size() == 64 || text.size() == 128) &&
         std::all_of(text.begin(), text.end(), is_lower_hex);
}

const std::vector<std::string_view> kStacks = {
    "boringcrypto",      "go_native_fips140", "openssl_golang_fips",
    "openssl_microsoft", "standard_go",       "fips_backend",
    "openssl_backend",   "linkage",           "fips_mode",
};
const std::vector<std::string_view> kArches = {"386",     "amd64",    "arm",     "arm64", "ppc64",
                                               "ppc64le", "s390x",    "riscv64", "mips",  "mipsle",
                                               "mips64",  "mips64le", "loong64"};
const std::vector<std::string_view> kStatuses = {"active", "historical", "in-process", "none",
                                                 "external"};
const std::vector<std::string_view> kReasonCodes = {"NA", "UV"};
const std::vector<std::string_view> kStandards = {"", "FIPS 140-2", "FIPS 140-3"};

std::string join(const std::vector<std::string_view>& words) {
  std::string out;
  for (auto word : words) {
    if (!out.empty()) out += ", ";
    out += word.empty() ? "\"\"" : std::string(word);
  }
  return out;
}

// Reads one YAML document with error positions; `context` is "marker 'id'" and the like.
class SchemaReader {
 public:
  explicit SchemaReader(std::string_view file) : file_(file) {}

  Error error(const yaml::Node& node, std::string_view context, std::string_view message) const {
    // Appended piece by piece: GCC 12 at -O3 warns (-Wrestrict, a false positive) on
    // ":" + std::to_string(...).
    std::string text(file_);
    if (node.line() > 0) {
      text += ':';
      text += std::to_string(node.line());
    }
    text += ": ";
    if (!context.empty()) {
      text += context;
      text += ": ";
    }
    text += message;
    return Error(std::move(text));
  }

  Status check_map(const yaml::Node& node, std::string_view context) const {
    if (!node.is_mapping()) return error(node, context, "expected a mapping");
    return Ok{};
  }

  // Every key must be one of `allowed`.
  Status check_keys(const yaml::Node& map, std::string_view context,
                    const std::vector<std::string_view>& allowed) const {
    for (const yaml::Entry& entry : map.entries()) {
      const std::string& key = entry.key.text();
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        return error(entry.key, context,
                     "unknown field '" + key + "' (allowed: " + join(allowed) + ")");
      }
    }
    return Ok{};
  }

  Result<std::string> string_field(const yaml::Node& map, std::string_view context,
                                   const char* key) const {
    const yaml::Node value = map[key];
    if (!value || value.is_null()) {
      return error(map, context, std::string("missing required field '") + key + "'");
    }
    if (!value.is_scalar()) {
      return error(value, context, std::string("field '") + key + "': expected a string");
    }
    return value.text();
  }

  Result<std::string> optional_string(const yaml::Node& map, std::string_view context,
                                      const char* key) const {
    if (!map[key] || map[key].is_null()) return std::string();
    return string_field(map, context, key);
  }

  Result<std::string> enum_field(const yaml::Node& map, std::string_view context, const char* key,
                                 const std::vector<std::string_view>& allowed,
                                 bool required = true) const {
    FG_TRY(std::string value,
           required ? string_field(map, context, key) : optional_string(map, context, key));
    if (!required && value.empty()) return value;
    if (std::find(allowed.begin(), allowed.end(), value) == allowed.end()) {
      return error(map[key], context,
                   std::string("field '") + key + "': unknown value '" + value +
                       "' (allowed: " + join(allowed) + ")");
    }
    return value;
  }

  Result<bool> bool_field(const yaml::Node& map, std::string_view context, const char* key) const {
    FG_TRY(std::string value, string_field(map, context, key));
    if (value == "true") return true;
    if (value == "false") return false;
    return error(map[key], context,
                 std::string("field '") + key + "': expected true or false, found '" + value + "'");
  }

  Result<std::vector<std::string>> string_list(const yaml::Node& map, std::string_view context,
                                               const char* key) const {
    std::vector<std::string> out;
    const yaml::Node list = map[key];
    if (!list || list.is_null()) return out;
    if (!list.is_sequence()) {
      return error(list, context, std::string("field '") + key + "': expected a list");
    }
    for (const yaml::Node& item : list.items()) {
      if (!item.is_scalar()) {
        return error(item, context, std::string("field '") + key + "': expected strings");
      }
      out.push_back(item.text());
    }
    return out;
  }

  // "1.20" style release, or an error naming the field.
  Status check_release(const yaml::Node& map, std::string_view context, const char* key,
                       const std::string& value) const {
    if (!value.empty() && !is_release(value)) {
      return error(map[key], context,
                   std::string("field '") + key +
                       "': expected a Go release like \"1.20\", found '" + value + "'");
    }
    return Ok{};
  }

  Status check_date(const yaml::Node& map, std::string_view context, const char* key,
                    const std::string& value) const {
    if (!value.empty() && !is_iso_date_shape(value)) {
      return error(map[key], context,
                   std::string("field '") + key + "': expected an ISO date YYYY-MM-DD, found '" +
                       value + "'");
    }
    return Ok{};
  }

  const std::string& file() const { return file_; }

 private:
  std::string file_;
};

Result<Region> parse_region(const SchemaReader& reader, const yaml::Node& map,
                            std::string_view context) {
  FG_TRY(std::string text, reader.string_field(map, context, "region"));
  Region region;
  if (text == "text") {
    region.kind = Region::Kind::text;
  } else if (text == "rodata") {
    region.kind = Region::Kind::rodata;
  } else if (text == "data") {
    region.kind = Region::Kind::data;
  } else if (text == "any") {
    region.kind = Region::Kind::any;
  } else if (!text.empty() && (text[0] == '.' || text.starts_with("__"))) {
    region.kind = Region::Kind::section;
    region.section_name = text;
  } else {
    return reader.error(map["region"], context,
                        "field 'region': unknown value '" + text +
                            "' (allowed: text, rodata, data, any, or a section name such as "
                            ".rodata)");
  }
  return region;
}

Result<MarkerRule> parse_bytes_rule(const SchemaReader& reader, const yaml::Node& node,
                                    std::string_view context) {
  FG_CHECK(reader.check_map(node, context));
  FG_CHECK(reader.check_keys(node, context, {"hex", "arch", "region", "align", "function"}));
  ByteRule rule;
  FG_TRY(std::string hex, reader.string_field(node, context, "hex"));
  auto pattern = parse_hex_pattern(hex);
  if (!pattern.ok())
    return reader.error(node["hex"], context, "field 'hex': " + pattern.error().message());
  rule.pattern = std::move(pattern).value();
  FG_TRY(auto arches, reader.string_list(node, context, "arch"));
  for (const auto& arch_name : arches) {
    auto known = std::find(kArches.begin(), kArches.end(), arch_name);
    if (known == kArches.end()) {
      return reader.error(
          node["arch"], context,
          "field 'arch': unknown value '" + arch_name + "' (allowed: " + join(kArches) + ")");
    }
    for (int a = 0; a <= static_cast<int>(Arch::loong64); ++a) {
      if (to_string(static_cast<Arch>(a)) == arch_name) rule.arches.push_back(static_cast<Arch>(a));
    }
  }
  FG_TRY(rule.region, parse_region(reader, node, context));
  FG_TRY(std::string align, reader.optional_string(node, context, "align"));
  if (!align.empty()) {
    constexpr std::array<std::string_view, 7> kPowers = {"1", "2", "4", "8", "16", "32", "64"};
    if (std::find(kPowers.begin(), kPowers.end(), align) == kPowers.end()) {
      return reader.error(
          node["align"], context,
          "field 'align': expected 1, 2, 4, 8, 16, 32 or 64, found '" + align + "'");
    }
    rule.alignment = static_cast<unsigned>(std::stoul(align));
  }
  FG_TRY(rule.function, reader.optional_string(node, context, "function"));
  return MarkerRule(std::move(rule));
}

Result<MarkerRule> parse_name_rule(const SchemaReader& reader, const yaml::Node& node,
                                   std::string_view context) {
  FG_CHECK(reader.check_map(node, context));
  FG_CHECK(reader.check_keys(node, context, {"exact", "prefix", "glob", "in"}));
  NameRule rule;
  int kinds = 0;
  for (auto [key, how] :
       {std::pair{"exact", NameMatch::exact}, std::pair{"prefix", NameMatch::prefix},
        std::pair{"glob", NameMatch::glob}}) {
    if (!node[key]) continue;
    ++kinds;
    FG_TRY(rule.pattern, reader.string_field(node, context, key));
    rule.how = how;
  }
  if (kinds != 1) {
    return reader.error(node, context, "field 'name': needs exactly one of exact, prefix, glob");
  }
  if (rule.pattern.empty()) return reader.error(node, context, "field 'name': empty pattern");
  if (rule.pattern.find('\0') != std::string::npos) {
    return reader.error(node, context, "field 'name': the pattern holds a NUL byte");
  }
  FG_TRY(std::string in, reader.enum_field(node, context, "in", {"functions", "symbols", "any"},
                                           /*required=*/false));
  rule.in = in == "functions" ? NameSource::functions
            : in == "symbols" ? NameSource::symbols
                              : NameSource::any;
  return MarkerRule(std::move(rule));
}

Result<MarkerRule> parse_string_rule(const SchemaReader& reader, const yaml::Node& node,
                                     std::string_view context) {
  FG_CHECK(reader.check_map(node, context));
  FG_CHECK(reader.check_keys(node, context, {"text", "region", "only_with"}));
  StringRule rule;
  FG_TRY(rule.text, reader.string_field(node, context, "text"));
  if (rule.text.empty()) return reader.error(node, context, "field 'text': empty string");
  FG_TRY(rule.region, parse_region(reader, node, context));
  FG_TRY(auto signals, reader.string_list(node, context, "only_with"));
  for (const std::string& name : signals) {
    const std::optional<Signal> signal = parse_signal(name);
    if (!signal) {
      return reader.error(node["only_with"], context,
                          "field 'only_with': unknown signal '" + name + "'");
    }
    rule.only_with.push_back(*signal);
  }
  return MarkerRule(std::move(rule));
}

Result<MarkerRule> parse_setting_rule(const SchemaReader& reader, const yaml::Node& node,
                                      std::string_view context) {
  FG_CHECK(reader.check_map(node, context));
  FG_CHECK(reader.check_keys(node, context,
                             {"key", "equals", "contains", "regex", "present", "absent"}));
  SettingRule rule;
  FG_TRY(rule.key, reader.string_field(node, context, "key"));
  int tests = 0;
  for (auto [key, test] :
       {std::pair{"equals", SettingTest::equals}, std::pair{"contains", SettingTest::contains},
        std::pair{"regex", SettingTest::regex}}) {
    if (!node[key]) continue;
    ++tests;
    rule.test = test;
    FG_TRY(rule.value, reader.string_field(node, context, key));
  }
  for (auto [key, test] :
       {std::pair{"present", SettingTest::present}, std::pair{"absent", SettingTest::absent}}) {
    if (!node[key]) continue;
    ++tests;
    FG_TRY(bool flag, reader.bool_field(node, context, key));
    if (!flag) {
      return reader.error(node[key], context,
                          std::string("field '") + key + "': only 'true' is meaningful");
    }
    rule.test = test;
  }
  if (tests != 1) {
    return reader.error(node, context,
                        "field 'setting': needs exactly one of equals, contains, regex, present, "
                        "absent");
  }
  if (rule.test == SettingTest::regex) {
    try {
      rule.compiled = std::make_shared<const std::regex>(rule.value);
    } catch (const std::regex_error&) {
      return reader.error(node["regex"], context,
                          "field 'regex': not a valid regular expression: " + rule.value);
    }
  }
  return MarkerRule(std::move(rule));
}

Result<MarkerRule> parse_version_rule(const SchemaReader& reader, const yaml::Node& node,
                                      std::string_view context) {
  FG_CHECK(reader.check_map(node, context));
  FG_CHECK(reader.check_keys(node, context, {"experiment", "vendor_contains", "boring_release"}));
  VersionRule rule;
  FG_TRY(rule.experiment, reader.optional_string(node, context, "experiment"));
  FG_TRY(rule.vendor_contains, reader.optional_string(node, context, "vendor_contains"));
  if (node["boring_release"]) {
    FG_TRY(rule.boring_release, reader.bool_field(node, context, "boring_release"));
  }
  const int tests = !rule.experiment.empty() + !rule.vendor_contains.empty() + rule.boring_release;
  if (tests != 1) {
    return reader.error(node, context,
                        "field 'version': needs exactly one of experiment, vendor_contains, "
                        "boring_release");
  }
  return MarkerRule(std::move(rule));
}

Result<MarkerRule> parse_section_rule(const SchemaReader& reader, const yaml::Node& node,
                                      std::string_view context) {
  FG_CHECK(reader.check_map(node, context));
  FG_CHECK(reader.check_keys(node, context, {"name"}));
  SectionRule rule;
  FG_TRY(rule.name, reader.string_field(node, context, "name"));
  return MarkerRule(std::move(rule));
}

Result<Marker> parse_marker(const SchemaReader& reader, const yaml::Node& node, size_t index) {
  std::string context = "markers[" + std::to_string(index) + "]";
  FG_CHECK(reader.check_map(node, context));
  Marker marker;
  FG_TRY(marker.id, reader.string_field(node, context, "id"));
  context = "marker '" + marker.id + "'";
  if (!is_marker_id(marker.id)) {
    return reader.error(node["id"], context,
                        "field 'id': expected dotted lowercase words like boring.sig.amd64");
  }
  FG_CHECK(reader.check_keys(node, context,
                             {"id", "stack", "signal", "description", "source", "bytes", "name",
                              "string", "setting", "version", "section"}));
  FG_TRY(marker.stack, reader.enum_field(node, context, "stack", kStacks));
  std::vector<std::string_view> signal_names(kSignalNames.begin(), kSignalNames.end());
  FG_TRY(std::string signal, reader.enum_field(node, context, "signal", signal_names));
  marker.signal = *parse_signal(signal);
  FG_TRY(marker.description, reader.string_field(node, context, "description"));
  FG_TRY(marker.source, reader.string_field(node, context, "source"));

  using RuleParser =
      Result<MarkerRule> (*)(const SchemaReader&, const yaml::Node&, std::string_view);
  const std::pair<const char*, RuleParser> kinds[] = {
      {"bytes", parse_bytes_rule},     {"name", parse_name_rule},
      {"string", parse_string_rule},   {"setting", parse_setting_rule},
      {"version", parse_version_rule}, {"section", parse_section_rule}};
  int found = 0;
  for (const auto& [key, parse] : kinds) {
    if (!node[key]) continue;
    ++found;
    FG_TRY(marker.rule, parse(reader, node[key], context + ": field '" + key + "'"));
  }
  if (found != 1) {
    return reader.error(node, context,
                        "needs exactly one of the fields bytes, name, string, setting, version, "
                        "section (found " +
                            std::to_string(found) + ")");
  }
  marker.file = reader.file();
  marker.line = static_cast<int>(node.line());
  return marker;
}

Result<ModuleRow> parse_module_row(const SchemaReader& reader, const yaml::Node& node,
                                   size_t index) {
  std::string context = "modules[" + std::to_string(index) + "]";
  FG_CHECK(reader.check_map(node, context));
  ModuleRow row;
  FG_TRY(row.id, reader.string_field(node, context, "id"));
  context = "module '" + row.id + "'";
  FG_CHECK(reader.check_keys(node, context,
                             {"id", "family", "name", "version", "certificate", "standard",
                              "status", "historical_from", "source", "match"}));
  FG_TRY(row.family,
         reader.enum_field(node, context, "family", {"boringcrypto", "go-fips140", "openssl"}));
  FG_TRY(row.name, reader.string_field(node, context, "name"));
  FG_TRY(row.version, reader.string_field(node, context, "version"));
  FG_TRY(row.certificate, reader.optional_string(node, context, "certificate"));
  if (!row.certificate.empty() &&
      !std::all_of(row.certificate.begin(), row.certificate.end(), ::isdigit)) {
    return reader.error(
        node["certificate"], context,
        "field 'certificate': expected a CMVP certificate number, found '" + row.certificate + "'");
  }
  FG_TRY(row.standard, reader.enum_field(node, context, "standard", kStandards, false));
  FG_TRY(row.status, reader.enum_field(node, context, "status", kStatuses));
  FG_TRY(row.historical_from, reader.optional_string(node, context, "historical_from"));
  FG_CHECK(reader.check_date(node, context, "historical_from", row.historical_from));
  FG_TRY(row.source, reader.string_field(node, context, "source"));
  const yaml::Node match = node["match"];
  if (!match) return reader.error(node, context, "missing required field 'match'");
  const std::string match_context = context + ": field 'match'";
  FG_CHECK(reader.check_map(match, match_context));
  FG_CHECK(
      reader.check_keys(match, match_context, {"versions", "go_min", "go_max", "bcm_text_hash"}));
  FG_TRY(row.match_versions, reader.string_list(match, match_context, "versions"));
  FG_TRY(row.go_min, reader.optional_string(match, match_context, "go_min"));
  FG_TRY(row.go_max, reader.optional_string(match, match_context, "go_max"));
  FG_CHECK(reader.check_release(match, match_context, "go_min", row.go_min));
  FG_CHECK(reader.check_release(match, match_context, "go_max", row.go_max));
  FG_TRY(row.bcm_text_hash, reader.optional_string(match, match_context, "bcm_text_hash"));
  if (!row.bcm_text_hash.empty() && !is_hex_digest(row.bcm_text_hash)) {
    return reader.error(match["bcm_text_hash"], match_context,
                        "field 'bcm_text_hash': expected 64 or 128 lowercase hex digits");
  }
  return row;
}

Result<NonApprovedPackage> parse_non_approved(const SchemaReader& reader, const yaml::Node& node,
                                              size_t index) {
  std::string context = "packages[" + std::to_string(index) + "]";
  FG_CHECK(reader.check_map(node, context));
  NonApprovedPackage package;
  FG_TRY(package.prefix, reader.string_field(node, context, "prefix"));
  context = "package '" + package.prefix + "'";
  FG_CHECK(reader.check_keys(node, context, {"prefix", "reason_code", "reason", "before_go"}));
  FG_TRY(package.reason_code, reader.enum_field(node, context, "reason_code", kReasonCodes));
  FG_TRY(package.reason, reader.string_field(node, context, "reason"));
  FG_TRY(package.before_go, reader.optional_string(node, context, "before_go"));
  FG_CHECK(reader.check_release(node, context, "before_go", package.before_go));
  return package;
}

Result<yaml::Node> top_level_list(const SchemaReader& reader, const yaml::Node& root,
                                  const char* key, const std::vector<std::string_view>& allowed) {
  FG_CHECK(reader.check_map(root, "top level"));
  FG_CHECK(reader.check_keys(root, "top level", allowed));
  const yaml::Node list = root[key];
  if (!list) {
    return reader.error(root, "top level", std::string("missing required field '") + key + "'");
  }
  if (!list.is_sequence()) {
    return reader.error(list, "top level", std::string("field '") + key + "': expected a list");
  }
  return list;
}

Result<std::string> read_text_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error("cannot read signature file " + path.string());
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace

std::string_view to_string(Signal signal) {
  return kSignalNames[static_cast<size_t>(signal)];
}

std::optional<Signal> parse_signal(std::string_view text) {
  for (size_t i = 0; i < kSignalNames.size(); ++i) {
    if (kSignalNames[i] == text) return static_cast<Signal>(i);
  }
  return std::nullopt;
}

std::string to_string(const Region& region) {
  switch (region.kind) {
    case Region::Kind::text:
      return "text";
    case Region::Kind::rodata:
      return "rodata";
    case Region::Kind::data:
      return "data";
    case Region::Kind::any:
      return "any";
    case Region::Kind::section:
      return region.section_name;
  }
  return "any";
}

Result<BytePattern> parse_hex_pattern(std::string_view hex) {
  BytePattern pattern;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  size_t i = 0;
  while (i < hex.size()) {
    if (hex[i] == ' ') {
      ++i;
      continue;
    }
    if (i + 1 >= hex.size()) {
      return Error("odd number of hex digits at character " + std::to_string(i + 1));
    }
    if (hex[i] == '?' && hex[i + 1] == '?') {
      pattern.bytes.push_back(0);
      pattern.mask.push_back(0);
    } else {
      const int high = nibble(hex[i]), low = nibble(hex[i + 1]);
      if (high < 0 || low < 0) {
        return Error("expected two hex digits or ?? at character " + std::to_string(i + 1) +
                     ", found '" + std::string(hex.substr(i, 2)) + "'");
      }
      pattern.bytes.push_back(static_cast<uint8_t>(high * 16 + low));
      pattern.mask.push_back(0xFF);
    }
    i += 2;
  }
  if (pattern.bytes.empty()) return Error("empty pattern");
  if (std::none_of(pattern.mask.begin(), pattern.mask.end(), [](uint8_t m) { return m != 0; })) {
    return Error("a pattern of only ?? wildcards matches everywhere");
  }
  return pattern;
}

Status parse_markers_yaml(std::string_view text, std::string_view file_name, SignatureDb& db) {
  SchemaReader reader(file_name);
  FG_TRY(yaml::Document document, yaml::parse(text, file_name));
  const yaml::Node root = document.root();
  FG_TRY(yaml::Node list, top_level_list(reader, root, "markers", {"markers"}));
  for (size_t i = 0; i < list.size(); ++i) {
    FG_TRY(Marker marker, parse_marker(reader, list[i], i));
    db.markers.push_back(std::move(marker));
  }
  db.files.emplace_back(file_name);
  return Ok{};
}

Status parse_modules_yaml(std::string_view text, std::string_view file_name, SignatureDb& db) {
  SchemaReader reader(file_name);
  FG_TRY(yaml::Document document, yaml::parse(text, file_name));
  const yaml::Node root = document.root();
  FG_TRY(yaml::Node list, top_level_list(reader, root, "modules", {"modules"}));
  for (size_t i = 0; i < list.size(); ++i) {
    FG_TRY(ModuleRow row, parse_module_row(reader, list[i], i));
    db.modules.push_back(std::move(row));
  }
  db.files.emplace_back(file_name);
  return Ok{};
}

Status parse_non_approved_yaml(std::string_view text, std::string_view file_name, SignatureDb& db) {
  SchemaReader reader(file_name);
  FG_TRY(yaml::Document document, yaml::parse(text, file_name));
  const yaml::Node root = document.root();
  FG_TRY(yaml::Node list, top_level_list(reader, root, "packages", {"packages", "std_callers"}));
  for (size_t i = 0; i < list.size(); ++i) {
    FG_TRY(NonApprovedPackage package, parse_non_approved(reader, list[i], i));
    db.non_approved.push_back(std::move(package));
  }
  FG_TRY(auto callers, reader.string_list(root, "top level", "std_callers"));
  db.std_callers.insert(db.std_callers.end(), callers.begin(), callers.end());
  db.files.emplace_back(file_name);
  return Ok{};
}

const Marker* SignatureDb::marker(std::string_view id) const {
  for (const auto& candidate : markers) {
    if (candidate.id == id) return &candidate;
  }
  return nullptr;
}

// A string's only_with signals are read after the function and symbol names and before the
// regions are searched: a signal that no name marker gives would keep the string from ever being
// searched in a binary with a function table.
Status SignatureDb::check_string_gates() const {
  std::set<Signal> from_names;
  for (const auto& candidate : markers) {
    if (std::holds_alternative<NameRule>(candidate.rule)) from_names.insert(candidate.signal);
  }
  for (const auto& candidate : markers) {
    const auto* text = std::get_if<StringRule>(&candidate.rule);
    if (text == nullptr) continue;
    for (Signal signal : text->only_with) {
      if (from_names.count(signal) != 0) continue;
      return Error(candidate.file + ":" + std::to_string(candidate.line) + ": marker '" +
                   candidate.id + "': field 'only_with': no name marker gives signal '" +
                   std::string(to_string(signal)) +
                   "' (strings are searched after the names, so only name signals can be known)");
    }
  }
  return Ok{};
}

Status SignatureDb::finish() {
  std::set<std::string_view> seen;
  for (const auto& candidate : markers) {
    if (!seen.insert(candidate.id).second) {
      return Error(candidate.file + ":" + std::to_string(candidate.line) + ": marker '" +
                   candidate.id + "': field 'id': defined twice");
    }
  }
  FG_CHECK(check_string_gates());
  std::set<std::string_view> module_ids;
  for (const auto& row : modules) {
    if (!module_ids.insert(row.id).second) {
      return Error("modules.yaml: module '" + row.id + "': field 'id': defined twice");
    }
  }
  FG_TRY(SignatureMatcher compiled, SignatureMatcher::compile(*this));
  matcher = std::make_shared<const SignatureMatcher>(std::move(compiled));
  return Ok{};
}

Result<SignatureDb> load_signature_db(const std::filesystem::path& dir) {
  SignatureDb db;
  std::error_code error;
  std::vector<std::filesystem::path> marker_files;
  for (std::filesystem::directory_iterator it(dir / "markers", error), end; !error && it != end;
       it.increment(error)) {
    if (it->path().extension() == ".yaml") marker_files.push_back(it->path());
  }
  if (error) return Error("cannot list " + (dir / "markers").string() + ": " + error.message());
  std::sort(marker_files.begin(), marker_files.end());
  for (const auto& path : marker_files) {
    FG_TRY(std::string text, read_text_file(path));
    FG_CHECK(parse_markers_yaml(text, path.string(), db));
  }
  using FileParser = Status (*)(std::string_view, std::string_view, SignatureDb&);
  const std::pair<const char*, FileParser> files[] = {
      {"modules.yaml", parse_modules_yaml}, {"non_approved.yaml", parse_non_approved_yaml}};
  for (const auto& [name, parse] : files) {
    const auto path = dir / name;
    FG_TRY(std::string text, read_text_file(path));
    FG_CHECK(parse(text, path.string(), db));
  }
  FG_CHECK(db.finish());
  return db;
}

std::filesystem::path default_signatures_dir() {
  if (const char* override_dir = std::getenv("FIPSGATE_SIGNATURES")) {
    if (*override_dir) return override_dir;
  }
  return FIPSGATE_SIGNATURES_DIR;
}

}  // namespace fipsgate
