// Our function table against Go's own tools on real binaries: the sample matrix (built by
// tools/build-samples into FIPSGATE_SAMPLES_DIR) and the go1.19.8 toolchain binaries installed on
// this machine.
//  * Unstripped binaries: the set of pclntab function names equals the set of text symbols (T/t)
//    that `go tool nm` reads from the symbol table, except for the documented categories below.
//  * Every binary (also stripped ones, which nm cannot read): each function entry, looked up by
//    `go tool addr2line` (debug/gosym over the pclntab), resolves to the name we decoded.
//  * A real binary with its section headers erased yields the same table through the magic
//    search and the moduledata pointer scan.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "fipsgate/binary/binary_image.h"
#include "fipsgate/go/function_table.h"
#include "fipsgate/go/moduledata.h"
#include "fipsgate/go/pclntab.h"
#include "fipsgate/go/symbol_name.h"
#include "fipsgate/io/mapped_file.h"

namespace fipsgate {
namespace {

namespace fs = std::filesystem;

constexpr const char* kGo119 = "/usr/lib/go-1.19/bin/go";
constexpr const char* kGo119Tools = "/usr/lib/go-1.19/pkg/tool/linux_amd64";

bool samples_required() {
  const char* value = std::getenv("FIPSGATE_REQUIRE_SAMPLES");
  return value != nullptr && std::string(value) == "1";
}

std::string shell_quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Runs a shell command and returns its standard output, or nullopt when it fails.
std::optional<std::string> run(const std::string& command) {
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return std::nullopt;
  std::string output;
  char buffer[65536];
  size_t got = 0;
  while ((got = fread(buffer, 1, sizeof buffer, pipe)) > 0) output.append(buffer, got);
  int status = pclose(pipe);
  if (status != 0) return std::nullopt;
  return output;
}

std::vector<std::string> sample_binaries() {
  std::vector<std::string> paths;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(FIPSGATE_SAMPLES_DIR, error)) {
    std::string name = entry.path().filename().string();
    if (!entry.is_regular_file() || name.empty() || name[0] == '.') continue;
    paths.push_back(entry.path().string());
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

std::vector<std::string> toolchain_binaries() {
  std::vector<std::string> paths;
  if (fs::exists(kGo119)) paths.push_back(kGo119);
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(kGo119Tools, error)) {
    if (entry.is_regular_file()) paths.push_back(entry.path().string());
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

// The newest Go toolchain fetched by tools/fetch-go-toolchains (its debug/gosym reads every
// pclntab magic), else go1.19 (which reads magics up to 0xFFFFFFF0 only).
std::pair<std::string, bool> newest_go() {
  std::string best;
  int best_minor = 0;
  std::error_code error;
  fs::path root = fs::path(FIPSGATE_SOURCE_DIR) / "build/toolchains/usr/lib";
  for (const auto& entry : fs::directory_iterator(root, error)) {
    std::string name = entry.path().filename().string();
    if (name.rfind("go-1.", 0) != 0 || !fs::exists(entry.path() / "bin/go")) continue;
    int minor = std::atoi(name.c_str() + 5);
    if (minor > best_minor) {
      best_minor = minor;
      best = (entry.path() / "bin/go").string();
    }
  }
  if (best.empty()) return {kGo119, false};
  return {best, best_minor >= 20};
}

// One binary, read the way the pipeline reads it.
struct Loaded {
  MappedFile file;
  BinaryImage image;
  Pclntab pclntab;
  std::optional<ModuleData> moduledata;
  FunctionTable functions;
};

std::optional<Loaded> load(const std::string& path) {
  auto file = MappedFile::open(path);
  REQUIRE_MESSAGE(file.ok(), path);
  auto image = read_binary_image(file->view());
  if (!image) return std::nullopt;  // not an executable we read (e.g. a data file)
  auto pclntab = find_pclntab(*image);
  REQUIRE_MESSAGE(pclntab.ok(), (path + ": " + pclntab.error().message()));
  auto moduledata = find_moduledata(*image, *pclntab);
  CHECK_MESSAGE(moduledata.ok(), (path + ": " + (moduledata ? "" : moduledata.error().message())));
  std::optional<ModuleData> found;
  if (moduledata) found = *moduledata;
  auto functions = read_function_table(*image, *pclntab, found ? &*found : nullptr);
  REQUIRE_MESSAGE(functions.ok(), (path + ": " + functions.error().message()));
  return Loaded{std::move(file).value(), std::move(image).value(), std::move(pclntab).value(),
                found, std::move(functions).value()};
}

// go tool nm and the pclntab spell some names differently; both sides are brought to one form:
//  * ".abi0"/".abiinternal" suffixes exist only in the ELF symbol table (linker mangleABIName);
//  * the Go 1.19 linker writes generic type arguments as "[...]" in the pclntab (nameParts);
//  * "·" (U+00B7) in compiler-made names: the ELF symtab spells it ".", PE symbols and the
//    pclntab keep "·".
std::string comparable(std::string_view name) {
  std::string text = collapse_type_arguments(strip_abi_suffix(name));
  for (size_t at = text.find("\xc2\xb7"); at != std::string::npos; at = text.find("\xc2\xb7", at)) {
    text.replace(at, 2, ".");
  }
  return text;
}

struct Occurrence {
  uint64_t count = 0;
  uint64_t address = 0;
};

// Text symbols (T/t) as `go tool nm` lists them: "  4010a0 T name" (names may hold spaces).
std::optional<std::map<std::string, Occurrence>> nm_text_symbols(const std::string& path) {
  auto output = run(std::string(kGo119) + " tool nm " + shell_quoted(path) + " 2>/dev/null");
  if (!output) return std::nullopt;
  std::map<std::string, Occurrence> symbols;
  std::istringstream lines(*output);
  std::string line;
  while (std::getline(lines, line)) {
    // Undefined symbols have no address ("         U name"): the first token must be hex.
    size_t start = line.find_first_not_of(' ');
    if (start == std::string::npos) continue;
    size_t space = line.find(' ', start);
    if (space == std::string::npos || space + 3 > line.size() || line[space + 2] != ' ') continue;
    std::string address = line.substr(start, space - start);
    if (address.find_first_not_of("0123456789abcdef") != std::string::npos) continue;
    char type = line[space + 1];
    if (type != 'T' && type != 't') continue;
    Occurrence& seen = symbols[comparable(line.substr(space + 3))];
    ++seen.count;
    seen.address = std::strtoull(address.c_str(), nullptr, 16);
  }
  if (symbols.empty()) return std::nullopt;
  return symbols;
}

std::map<std::string, Occurrence> table_names(const FunctionTable& functions) {
  std::map<std::string, Occurrence> names;
  for (Function function : functions) {
    Occurrence& seen = names[comparable(function.name)];
    ++seen.count;
    seen.address = function.entry;
  }
  return names;
}

// Why a name may be in nm's list but not in the pclntab. Each category is named in the report.
struct Explained {
  uint64_t text_markers = 0;          // runtime.text / runtime.etext: linker markers, no code
  uint64_t host_section_symbols = 0;  // "net(.text)": section symbols of host (cgo/syso) objects
  uint64_t external_c_symbols = 0;    // external linking: C/asm code only the host linker saw
  uint64_t macho_underscore = 0;      // Mach-O: nm prints "_name" for names without a package
};

bool is_host_section_symbol(const std::string& name) {
  return name.size() > 7 && name.back() == ')' && name.find("(.text") != std::string::npos;
}

struct Comparison {
  uint64_t matched = 0, address_checked = 0;
  Explained explained;
  std::vector<std::string> unexplained_nm, unexplained_ours, wrong_address;
};

Comparison compare(const Loaded& loaded, const std::map<std::string, Occurrence>& ours,
                   const std::map<std::string, Occurrence>& nm) {
  Comparison result;
  // The Go linker never writes .init; gcc's crt does, so its presence means external linking.
  bool externally_linked = loaded.image.section(".init") != nullptr;
  bool macho = loaded.image.format == FileFormat::macho;
  std::set<std::string> ours_matched;
  for (const auto& [name, occurrence] : nm) {
    auto mine = ours.find(name);
    if (mine != ours.end()) {
      ++result.matched;
      ours_matched.insert(name);
      if (occurrence.count == 1 && mine->second.count == 1) {
        ++result.address_checked;
        if (occurrence.address != mine->second.address) result.wrong_address.push_back(name);
      }
    } else if (name == "runtime.text" || name == "runtime.etext") {
      ++result.explained.text_markers;
    } else if (is_host_section_symbol(name)) {
      ++result.explained.host_section_symbols;
    } else if (macho && name[0] == '_' && ours.count(name.substr(1)) != 0) {
      ++result.explained.macho_underscore;
      ours_matched.insert(name.substr(1));
    } else if (externally_linked && classify_symbol_name(name) != SymbolNameKind::go) {
      ++result.explained.external_c_symbols;
    } else {
      result.unexplained_nm.push_back(name);
    }
  }
  for (const auto& entry : ours) {
    if (ours_matched.count(entry.first) == 0) result.unexplained_ours.push_back(entry.first);
  }
  return result;
}

std::string first_few(const std::vector<std::string>& names) {
  std::string text;
  for (size_t i = 0; i < names.size() && i < 10; ++i) text += "\n  " + names[i];
  return text;
}

TEST_CASE("pclntab function names equal go tool nm's text symbols apart from named categories") {
  std::vector<std::string> paths = sample_binaries();
  if (paths.empty()) {
    if (samples_required()) FAIL("no sample binaries in " FIPSGATE_SAMPLES_DIR);
    MESSAGE("skipped: no sample binaries in " FIPSGATE_SAMPLES_DIR " (tools/build-samples)");
    return;
  }
  for (const std::string& path : toolchain_binaries()) paths.push_back(path);
  unsigned compared = 0;
  for (const std::string& path : paths) {
    CAPTURE(path);
    auto nm = nm_text_symbols(path);
    if (!nm) {
      MESSAGE(path << ": no symbol table for go tool nm (stripped); checked by addr2line below");
      continue;
    }
    std::optional<Loaded> loaded = load(path);
    if (!loaded) continue;
    auto ours = table_names(loaded->functions);
    Comparison result = compare(*loaded, ours, *nm);
    CHECK_MESSAGE(result.unexplained_nm.empty(),
                  "text symbols missing from the pclntab:" << first_few(result.unexplained_nm));
    CHECK_MESSAGE(result.unexplained_ours.empty(),
                  "pclntab names nm does not list:" << first_few(result.unexplained_ours));
    CHECK_MESSAGE(result.wrong_address.empty(),
                  "entries that differ from nm's address:" << first_few(result.wrong_address));
    CHECK(result.matched > 1000);
    const Explained& e = result.explained;
    MESSAGE(fs::path(path).filename().string()
            << ": " << loaded->functions.size() << " functions, " << ours.size()
            << " distinct names; nm " << nm->size() << " text symbols; " << result.matched
            << " equal (" << result.address_checked << " unique names with equal entries); "
            << "nm-only: " << e.text_markers << " runtime.text/etext markers, "
            << e.host_section_symbols << " host-object section symbols, " << e.external_c_symbols
            << " C symbols of an externally linked binary, " << e.macho_underscore
            << " Mach-O underscore spellings");
    ++compared;
  }
  CHECK(compared > 0);
}

// `go tool addr2line` resolves each of our entries with Go's debug/gosym; zero-size functions
// (entry == end: C labels such as BORINGSSL_bcm_text_start) resolve to the function that follows,
// as containing() does.
void check_against_addr2line(const std::string& path, const std::string& go, bool reads_go120) {
  CAPTURE(path);
  std::optional<Loaded> loaded = load(path);
  if (!loaded) return;
  if (loaded->pclntab.version == PclntabVersion::go120 && !reads_go120) {
    MESSAGE(path << ": skipped, needs a Go 1.20+ toolchain (tools/fetch-go-toolchains)");
    return;
  }
  std::string addresses_path = (fs::temp_directory_path() / "fipsgate-gonm-XXXXXX").string();
  int fd = mkstemp(addresses_path.data());
  REQUIRE(fd >= 0);
  std::string addresses;
  for (Function function : loaded->functions) addresses += hex(function.entry) + "\n";
  REQUIRE(write(fd, addresses.data(), addresses.size()) == static_cast<ssize_t>(addresses.size()));
  close(fd);
  auto output =
      run(go + " tool addr2line " + shell_quoted(path) + " < " + shell_quoted(addresses_path));
  fs::remove(addresses_path);
  REQUIRE_MESSAGE(output.has_value(), "go tool addr2line failed");
  std::istringstream lines(*output);
  std::string oracle_name, file_line;
  uint64_t index = 0, same = 0, zero_size = 0;
  std::vector<std::string> different;
  while (std::getline(lines, oracle_name) && std::getline(lines, file_line)) {
    REQUIRE(index < loaded->functions.size());
    Function function = loaded->functions.at(index++);
    auto found = loaded->functions.containing(function.entry);
    std::string_view resolved = found ? found->name : std::string_view("?");
    if (resolved != oracle_name)
      different.push_back(std::string(function.name) + " -> " + oracle_name);
    if (function.name == oracle_name) {
      ++same;
    } else if (function.entry == function.end) {
      ++zero_size;
    } else {
      different.push_back(std::string(function.name) + " != " + oracle_name);
    }
  }
  CHECK(index == loaded->functions.size());
  CHECK_MESSAGE(different.empty(), "names that differ from addr2line:" << first_few(different));
  MESSAGE(fs::path(path).filename().string()
          << ": " << index << " entries resolved by go tool addr2line: " << same << " same name, "
          << zero_size << " zero-size functions resolving to the next one");
}

TEST_CASE("every function entry resolves to its name through go tool addr2line") {
  auto [go, reads_go120] = newest_go();
  std::vector<std::string> paths = toolchain_binaries();
  std::vector<std::string> samples = sample_binaries();
  if (samples.empty()) {
    if (samples_required()) FAIL("no sample binaries in " FIPSGATE_SAMPLES_DIR);
    MESSAGE("no sample binaries in " FIPSGATE_SAMPLES_DIR "; checking the toolchain only");
  }
  for (const std::string& path : samples) {
    // addr2line reads ELF, PE and Mach-O; the stripped samples are the ones nm cannot check.
    if (path.find("stripped") != std::string::npos) paths.push_back(path);
  }
  if (paths.empty()) {
    MESSAGE("skipped: neither the go1.19 toolchain nor samples are present");
    return;
  }
  for (const std::string& path : paths) check_against_addr2line(path, go, reads_go120);
}

// Clears e_shoff, e_shnum and e_shstrndx of an ELF file held in memory.
void erase_section_headers(std::string& bytes) {
  bool is_64bit = bytes[4] == 2;
  bool little = bytes[5] == 1;
  auto zero = [&](size_t offset, size_t size) {
    (void)little;
    for (size_t i = 0; i < size; ++i) bytes[offset + i] = '\0';
  };
  if (is_64bit) {
    zero(0x28, 8);  // e_shoff
    zero(0x3c, 4);  // e_shnum, e_shstrndx
  } else {
    zero(0x20, 4);
    zero(0x30, 4);
  }
}

TEST_CASE("a real binary without section headers gives the same table by magic search") {
  std::vector<std::string> paths;
  if (fs::exists(std::string(kGo119Tools) + "/nm"))
    paths.push_back(std::string(kGo119Tools) + "/nm");
  for (const std::string& path : sample_binaries()) {
    std::string name = fs::path(path).filename().string();
    if (name == "go1.24-arm64-std" || name == "go1.27-amd64-std" || name == "go1.19-s390x-std") {
      paths.push_back(path);
    }
  }
  if (paths.empty()) {
    if (samples_required()) FAIL("neither the go1.19 toolchain nor samples are present");
    MESSAGE("skipped: neither the go1.19 toolchain nor samples are present");
    return;
  }
  for (const std::string& path : paths) {
    CAPTURE(path);
    std::optional<Loaded> original = load(path);
    REQUIRE(original.has_value());
    std::string bytes(original->file.view().chars());
    erase_section_headers(bytes);
    auto image = read_binary_image(ByteView(bytes));
    REQUIRE_MESSAGE(image.ok(), image.error().message());
    REQUIRE(image->sections.empty());
    auto pclntab = find_pclntab(*image);
    REQUIRE_MESSAGE(pclntab.ok(), pclntab.error().message());
    CHECK(pclntab->found_in.rfind("magic search in segment", 0) == 0);
    CHECK(pclntab->vaddr == original->pclntab.vaddr);
    CHECK(pclntab->function_count == original->pclntab.function_count);
    auto moduledata = find_moduledata(*image, *pclntab);
    REQUIRE_MESSAGE(moduledata.ok(), moduledata.error().message());
    CHECK(moduledata->found_in.rfind("pointer scan in segment", 0) == 0);
    REQUIRE(original->moduledata.has_value());
    CHECK(moduledata->vaddr == original->moduledata->vaddr);
    CHECK(moduledata->layout == original->moduledata->layout);
    auto functions = read_function_table(*image, *pclntab, &*moduledata);
    REQUIRE_MESSAGE(functions.ok(), functions.error().message());
    REQUIRE(functions->size() == original->functions.size());
    uint64_t differences = 0;
    for (uint64_t i = 0; i < functions->size(); ++i) {
      Function a = functions->at(i), b = original->functions.at(i);
      if (a.entry != b.entry || a.end != b.end || a.name != b.name) ++differences;
    }
    CHECK(differences == 0);
    MESSAGE(fs::path(path).filename().string()
            << ": " << functions->size() << " functions found again by " << pclntab->found_in
            << " and moduledata by " << moduledata->found_in);
  }
}

}  // namespace
}  // namespace fipsgate
