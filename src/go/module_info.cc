// The module text of runtime.modinfo (reference §1.4–1.5; grammar of Go's
// runtime/debug.ParseBuildInfo, restated here in our own words): lines of TAB-separated fields
// whose first field names the kind of line.
#include "fipsgate/go/module_info.h"

#include <cstdint>
#include <vector>

namespace fipsgate {

namespace {

std::vector<std::string_view> split_tabs(std::string_view fields) {
  std::vector<std::string_view> columns;
  while (true) {
    size_t tab = fields.find('\t');
    columns.push_back(fields.substr(0, tab));
    if (tab == std::string_view::npos) return columns;
    fields.remove_prefix(tab + 1);
  }
}

Error line_error(uint64_t line_number, const std::string& problem) {
  return Error("module text line " + std::to_string(line_number) + ": " + problem);
}

Result<ModuleVersion> module_columns(std::string_view fields, uint64_t line_number,
                                     bool is_replacement) {
  std::vector<std::string_view> columns = split_tabs(fields);
  if (is_replacement && columns.size() != 3) {
    return line_error(
        line_number, "expected 3 columns for a replacement; got " + std::to_string(columns.size()));
  }
  if (columns.size() != 2 && columns.size() != 3) {
    return line_error(line_number,
                      "expected 2 or 3 columns; got " + std::to_string(columns.size()));
  }
  ModuleVersion version{std::string(columns[0]), std::string(columns[1]), ""};
  if (columns.size() == 3) version.sum = std::string(columns[2]);
  return version;
}

void append_utf8(std::string& out, uint32_t code_point) {
  if (code_point < 0x80) {
    out.push_back(static_cast<char>(code_point));
  } else if (code_point < 0x800) {
    out.push_back(static_cast<char>(0xc0 | (code_point >> 6)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3f)));
  } else if (code_point < 0x10000) {
    out.push_back(static_cast<char>(0xe0 | (code_point >> 12)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3f)));
  } else {
    out.push_back(static_cast<char>(0xf0 | (code_point >> 18)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 12) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3f)));
  }
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Reads `digits` hex digits at body[index...]; -1 when they are not all hex.
int64_t hex_value(std::string_view body, size_t index, size_t digits) {
  if (index + digits > body.size()) return -1;
  int64_t value = 0;
  for (size_t i = 0; i < digits; ++i) {
    int digit = hex_digit(body[index + i]);
    if (digit < 0) return -1;
    value = value * 16 + digit;
  }
  return value;
}

// One backslash escape of a double-quoted Go string literal starting at body[index] (just after
// the backslash); appends its bytes and returns the index after it.
Result<size_t> unescape_one(std::string_view body, size_t index, std::string& out) {
  if (index >= body.size()) return Error("string ends inside an escape");
  char kind = body[index];
  switch (kind) {
    case 'a':
      out.push_back('\a');
      return index + 1;
    case 'b':
      out.push_back('\b');
      return index + 1;
    case 'f':
      out.push_back('\f');
      return index + 1;
    case 'n':
      out.push_back('\n');
      return index + 1;
    case 'r':
      out.push_back('\r');
      return index + 1;
    case 't':
      out.push_back('\t');
      return index + 1;
    case 'v':
      out.push_back('\v');
      return index + 1;
    case '\\':
      out.push_back('\\');
      return index + 1;
    case '"':
      out.push_back('"');
      return index + 1;
    default:
      break;
  }
  if (kind == 'x') {
    int64_t value = hex_value(body, index + 1, 2);
    if (value < 0) return Error("\\x needs two hex digits");
    out.push_back(static_cast<char>(value));
    return index + 3;
  }
  if (kind == 'u' || kind == 'U') {
    size_t digits = kind == 'u' ? 4 : 8;
    int64_t value = hex_value(body, index + 1, digits);
    if (value < 0)
      return Error(std::string("\\") + kind + " needs " + std::to_string(digits) + " hex digits");
    if (value > 0x10ffff || (value >= 0xd800 && value < 0xe000)) {
      return Error("\\" + std::string(1, kind) + " escape is not a valid code point");
    }
    append_utf8(out, static_cast<uint32_t>(value));
    return index + 1 + digits;
  }
  if (kind >= '0' && kind <= '7') {
    if (index + 3 > body.size()) return Error("octal escape needs three digits");
    int value = 0;
    for (size_t i = 0; i < 3; ++i) {
      char digit = body[index + i];
      if (digit < '0' || digit > '7') return Error("octal escape needs three digits");
      value = value * 8 + (digit - '0');
    }
    if (value > 255) return Error("octal escape is larger than 255");
    out.push_back(static_cast<char>(value));
    return index + 3;
  }
  return Error(std::string("unknown escape '\\") + kind + "'");
}

// Length of the quoted string at the start of text (Go strconv.QuotedPrefix), or an Error.
Result<size_t> quoted_prefix_length(std::string_view text) {
  char quote = text.front();
  for (size_t index = 1; index < text.size(); ++index) {
    char c = text[index];
    if (c == quote) return index + 1;
    if (quote == '"' && c == '\\') ++index;
    if (quote == '"' && c == '\n') break;
  }
  return Error("quoted string is not closed");
}

Result<BuildSetting> build_setting(std::string_view key_value, uint64_t line_number) {
  BuildSetting setting;
  std::string_view rest = key_value;
  if (!rest.empty() && (rest.front() == '"' || rest.front() == '`')) {
    Result<size_t> length = quoted_prefix_length(rest);
    if (!length.ok())
      return line_error(line_number, "invalid quoted key: " + length.error().message());
    Result<std::string> key = unquote_go_string(rest.substr(0, *length));
    if (!key.ok()) return line_error(line_number, "invalid quoted key: " + key.error().message());
    setting.key = std::move(*key);
    rest.remove_prefix(*length);
    if (!rest.starts_with('=')) return line_error(line_number, "missing '=' after quoted key");
  } else {
    size_t equals = rest.find('=');
    if (equals == std::string_view::npos) return line_error(line_number, "build line missing '='");
    setting.key = std::string(rest.substr(0, equals));
    rest.remove_prefix(equals);
  }
  if (setting.key.empty()) return line_error(line_number, "empty key in build line");
  rest.remove_prefix(1);  // '='
  if (!rest.empty() && (rest.front() == '"' || rest.front() == '`')) {
    Result<std::string> value = unquote_go_string(rest);
    if (!value.ok()) {
      return line_error(line_number, "invalid quoted value: " + value.error().message());
    }
    setting.value = std::move(*value);
  } else {
    setting.value = std::string(rest);
  }
  return setting;
}

// State carried between lines: the module an "=>" line would replace.
struct ParseState {
  ModuleInfo info;
  Module* replaceable = nullptr;
};

Status parse_line(std::string_view line, uint64_t line_number, ParseState& state) {
  size_t tab = line.find('\t');
  if (tab == std::string_view::npos) {
    return line_error(line_number,
                      "no TAB after the line kind in '" + std::string(line.substr(0, 40)) + "'");
  }
  std::string_view kind = line.substr(0, tab);
  std::string_view fields = line.substr(tab + 1);
  if (kind == "path") {
    state.info.main_package_path = std::string(fields);
    state.replaceable = nullptr;
  } else if (kind == "go") {
    state.info.go_version = std::string(fields);
    state.replaceable = nullptr;
  } else if (kind == "mod" || kind == "dep") {
    FG_TRY(ModuleVersion version, module_columns(fields, line_number, false));
    Module& target = kind == "mod" ? state.info.main.emplace() : state.info.deps.emplace_back();
    target = Module{std::move(version), std::nullopt};
    state.replaceable = &target;
  } else if (kind == "=>") {
    if (state.replaceable == nullptr) {
      return line_error(line_number, "'=>' replacement does not follow a mod or dep line");
    }
    FG_TRY(ModuleVersion version, module_columns(fields, line_number, true));
    state.replaceable->replacement = std::move(version);
    state.replaceable = nullptr;
  } else if (kind == "build") {
    FG_TRY(BuildSetting setting, build_setting(fields, line_number));
    state.info.settings.push_back(std::move(setting));
    state.replaceable = nullptr;
  } else {
    return line_error(line_number, "unknown line kind '" + std::string(kind.substr(0, 40)) + "'");
  }
  return Ok{};
}

}  // namespace

std::optional<std::string_view> ModuleInfo::setting(std::string_view key) const {
  for (const BuildSetting& entry : settings) {
    if (entry.key == key) return std::string_view(entry.value);
  }
  return std::nullopt;
}

std::string_view strip_modinfo_sentinels(std::string_view framed) {
  // Go's rule (reference §1.4): strip 16 bytes at each end only when len >= 33 and the byte 17
  // positions from the end is '\n'; otherwise the module text counts as empty.
  if (framed.size() >= 33 && framed[framed.size() - 17] == '\n') {
    return framed.substr(16, framed.size() - 32);
  }
  return {};
}

Result<std::string> unquote_go_string(std::string_view quoted) {
  if (quoted.size() < 2 || quoted.front() != quoted.back() ||
      (quoted.front() != '"' && quoted.front() != '`')) {
    return Error("not a quoted string: " + std::string(quoted.substr(0, 40)));
  }
  std::string_view body = quoted.substr(1, quoted.size() - 2);
  std::string out;
  if (quoted.front() == '`') {
    if (body.find('`') != std::string_view::npos) return Error("backquote inside a raw string");
    for (char c : body) {
      if (c != '\r') out.push_back(c);  // Go drops carriage returns from raw strings
    }
    return out;
  }
  for (size_t index = 0; index < body.size();) {
    char c = body[index];
    if (c == '"') return Error("unescaped '\"' inside a quoted string");
    if (c == '\n') return Error("newline inside a quoted string");
    if (c != '\\') {
      out.push_back(c);
      ++index;
      continue;
    }
    FG_TRY(index, unescape_one(body, index + 1, out));
  }
  return out;
}

Result<ModuleInfo> parse_module_info(std::string_view text) {
  if (text.size() > kMaxModuleTextBytes) {
    return Error("module text of " + std::to_string(text.size()) + " bytes is longer than the " +
                 std::to_string(kMaxModuleTextBytes) + "-byte limit");
  }
  ParseState state;
  uint64_t line_number = 0;
  while (!text.empty()) {
    size_t newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    ++line_number;
    if (line.empty()) continue;
    if (Status parsed = parse_line(line, line_number, state); !parsed.ok()) return parsed.error();
  }
  return std::move(state.info);
}

}  // namespace fipsgate
