// The "fipsgate.inspect/v1" document: every field is described in docs/inspect-json.md.
#include "fipsgate/report/inspect_json.h"

#include <algorithm>
#include <map>
#include <unordered_map>

#include "fipsgate/go/symbol_name.h"
#include "io/shared_chunks.h"

namespace fipsgate {

namespace {

using json = nlohmann::ordered_json;

// Sections worth showing: where Go keeps what inspect reports, and the standard text/data ones
// (ELF names, then Mach-O and PE spellings of the same).
constexpr std::string_view kInspectedSectionNames[] = {
    ".text",          ".rodata",
    ".typelink",      ".itablink",
    ".gopclntab",     ".data.rel.ro.gopclntab",
    ".go.buildinfo",  ".go.fipsinfo",
    ".go.module",     ".noptrdata",
    ".data",          ".bss",
    ".noptrbss",      ".note.go.buildid",
    ".gosymtab",      "__text",
    "__rodata",       "__gopclntab",
    "__go_buildinfo", "__noptrdata",
    "__data",         "__bss",
    "__noptrbss",     ".rdata",
    ".symtab",        ".dynsym",
};

// JSON spellings (identifiers, unlike the readable to_string() names).
std::string_view format_id(FileFormat format) {
  switch (format) {
    case FileFormat::elf:
      return "elf";
    case FileFormat::pe:
      return "pe";
    case FileFormat::macho:
      return "macho";
  }
  return "unknown";
}

std::string_view linkage_id(Linkage linkage) {
  switch (linkage) {
    case Linkage::static_exe:
      return "static_exe";
    case Linkage::dynamic_exe:
      return "dynamic_exe";
    case Linkage::pie:
      return "pie";
    case Linkage::static_pie:
      return "static_pie";
    case Linkage::shared_object:
      return "shared_object";
    case Linkage::unknown:
      return "unknown";
  }
  return "unknown";
}

json string_or_null(std::optional<std::string_view> text) {
  return text ? json(std::string(*text)) : json(nullptr);
}

json string_or_null(const std::string& text) {
  return text.empty() ? json(nullptr) : json(text);
}

json module_version_json(const ModuleVersion& version) {
  return {{"path", version.path}, {"version", version.version}, {"sum", version.sum}};
}

json module_json(const Module& module) {
  json entry = module_version_json(module.module);
  entry["replace"] = module.replacement ? module_version_json(*module.replacement) : json(nullptr);
  return entry;
}

// "path", "main", "deps", "settings": shared by the blob and the rodata fallback.
void add_modules(const ModuleInfo& modules, json& out) {
  out["path"] = modules.main_package_path;
  out["main"] = modules.main ? module_json(*modules.main) : json(nullptr);
  json deps = json::array();
  for (const Module& dep : modules.deps) deps.push_back(module_json(dep));
  out["deps"] = std::move(deps);
  json settings = json::array();
  for (const BuildSetting& setting : modules.settings) {
    settings.push_back({{"key", setting.key}, {"value", setting.value}});
  }
  out["settings"] = std::move(settings);
}

// null when the text did not parse (only `raw` is set then).
json version_parsed_json(const GoVersion& version) {
  if (version.major == 0 && !version.devel) return nullptr;
  return {
      {"major", version.major},
      {"minor", version.minor},
      {"patch", version.patch},
      {"prerelease", string_or_null(version.prerelease)},
      {"boring_release", version.boring_release ? json(*version.boring_release) : json(nullptr)},
      {"vendor", string_or_null(version.vendor)},
      {"build_suffix", string_or_null(version.build_suffix)},
      {"experiments", version.experiments},
      {"devel", version.devel}};
}

json build_info_json(const BuildInfo& info) {
  json out = {{"format", std::string(to_string(info.format))},
              {"file_offset", info.blob_file_offset},
              {"vaddr", info.blob_vaddr},
              {"found_in", info.found_in}};
  add_modules(info.modules, out);
  return out;
}

json fallback_json(const FallbackBuildInfo& fallback) {
  json out = {{"version_found_in", string_or_null(fallback.version_found_in)},
              {"modules_found_in", string_or_null(fallback.modules_found_in)}};
  if (fallback.modules) {
    add_modules(*fallback.modules, out);
  } else {
    out["path"] = nullptr;
    out["main"] = nullptr;
    out["deps"] = json::array();
    out["settings"] = json::array();
  }
  return out;
}

json pclntab_json(const Pclntab& pclntab) {
  return {{"version", std::string(to_string(pclntab.version))},
          {"found_in", pclntab.found_in},
          {"file_offset", pclntab.bytes.file_offset()},
          {"vaddr", pclntab.vaddr},
          {"quantum", pclntab.quantum},
          {"pointer_size", pclntab.pointer_size},
          {"functions", pclntab.function_count},
          {"files", pclntab.file_count},
          {"text_start", pclntab.text_start}};
}

json moduledata_json(const ModuleData& moduledata) {
  return {{"vaddr", moduledata.vaddr},           {"found_in", moduledata.found_in},
          {"text_start", moduledata.text_start}, {"text_end", moduledata.text_end},
          {"min_pc", moduledata.min_pc},         {"max_pc", moduledata.max_pc}};
}

json functions_json(const FunctionTable& functions) {
  json list = json::array();
  for (Function function : functions) {
    list.push_back({{"name", std::string(function.name)},
                    {"entry", function.entry},
                    {"end", function.end},
                    {"package", string_or_null(import_path(function.name))}});
  }
  return list;
}

json go_json(const GoBinary& go, const InspectOptions& options) {
  if (!go.is_go()) return nullptr;
  json out;
  const GoVersion* version = go.go_version();
  out["version"] = version ? json(version->raw) : json(nullptr);
  out["version_parsed"] = version ? version_parsed_json(*version) : json(nullptr);
  out["build_info"] = go.build_info ? build_info_json(*go.build_info) : json(nullptr);
  out["fallback"] = go.fallback ? fallback_json(*go.fallback) : json(nullptr);
  out["pclntab"] = go.pclntab ? pclntab_json(*go.pclntab) : json(nullptr);
  out["moduledata"] = go.moduledata ? moduledata_json(*go.moduledata) : json(nullptr);
  out["function_count"] = go.functions ? go.functions->size() : 0;
  json packages = json::array();
  if (go.functions) {
    for (const PackageFunctionCount& package : package_function_counts(*go.functions)) {
      packages.push_back({{"path", package.path}, {"functions", package.functions}});
    }
  }
  out["packages"] = std::move(packages);
  if (options.functions) {
    out["functions"] = go.functions ? functions_json(*go.functions) : json::array();
  }
  return out;
}

json sections_json(const BinaryImage& image) {
  json list = json::array();
  for (const Section* section : inspected_sections(image)) {
    list.push_back({{"name", std::string(section->name)},
                    {"vaddr", section->vaddr},
                    {"file_offset", section->file_offset},
                    {"size", section->size},
                    {"flags", section_flags(*section)}});
  }
  return list;
}

void add_image(const BinaryImage& image, json& out) {
  out["format"] = std::string(format_id(image.format));
  out["arch"] = std::string(to_string(image.arch));
  out["endian"] = image.endian == Endian::little ? "little" : "big";
  out["pointer_size"] = image.pointer_size;
  out["linkage"] = std::string(linkage_id(image.linkage));
  out["interpreter"] = string_or_null(image.interpreter);
  json needed = json::array();
  for (std::string_view library : image.needed_libraries) needed.push_back(std::string(library));
  out["needed"] = std::move(needed);
  out["build_ids"] = {
      {"go", string_or_null(image.build_ids.go_build_id)},
      {"gnu", image.build_ids.gnu_build_id ? json(*image.build_ids.gnu_build_id) : json(nullptr)}};
  out["sections"] = sections_json(image);
  out["warnings"] = image.warnings;
}

}  // namespace

namespace {

using PackageCounts = std::unordered_map<std::string_view, uint64_t>;

// Functions [begin, end) counted per escaped package path (views into the file, so counting
// allocates per package, not per function). The linker lays functions out package by package,
// so a run of one package is counted before it touches the map, and a name that continues the
// run is recognised from its first bytes.
PackageCounts count_packages(const FunctionTable& functions, uint64_t begin, uint64_t end) {
  PackageCounts counts;
  PackageRun run;
  uint64_t run_length = 0;
  for (uint64_t i = begin; i < end; ++i) {
    const TerminatedName name = functions.terminated_name_at(i);
    if (!run.package.empty() && continues_package(name, run)) {
      ++run_length;
      continue;
    }
    std::string_view package = package_path(name.measured());
    if (package == run.package) {
      ++run_length;
      continue;
    }
    if (!run.package.empty()) counts[run.package] += run_length;
    run = PackageRun(package);
    run_length = 1;
  }
  if (!run.package.empty()) counts[run.package] += run_length;
  return counts;
}

// Big tables (the 707 MB provider has 500k functions) are counted in chunks on two threads.
constexpr uint64_t kParallelCountThreshold = 100000;
constexpr uint64_t kCountChunkFunctions = 16384;

}  // namespace

std::vector<PackageFunctionCount> package_function_counts(const FunctionTable& functions) {
  const uint64_t size = functions.size();
  PackageCounts counts;
  if (size < kParallelCountThreshold) {
    counts = count_packages(functions, 0, size);
  } else {
    const uint64_t chunks = (size + kCountChunkFunctions - 1) / kCountChunkFunctions;
    std::vector<PackageCounts> chunk_counts(chunks);
    share_chunks(chunks, [&](uint64_t chunk) {
      const uint64_t begin = chunk * kCountChunkFunctions;
      chunk_counts[chunk] =
          count_packages(functions, begin, std::min(begin + kCountChunkFunctions, size));
    });
    for (const PackageCounts& chunk : chunk_counts) {
      for (const auto& [package, count] : chunk) counts[package] += count;
    }
  }
  std::map<std::string, uint64_t> by_import_path;
  for (const auto& [escaped, count] : counts) by_import_path[unescape_path(escaped)] += count;
  std::vector<PackageFunctionCount> result;
  result.reserve(by_import_path.size());
  for (auto& [path, count] : by_import_path) result.push_back({path, count});
  return result;
}

std::vector<const Section*> inspected_sections(const BinaryImage& image) {
  std::vector<const Section*> shown;
  for (const Section& section : image.sections) {
    auto* known = std::find(std::begin(kInspectedSectionNames), std::end(kInspectedSectionNames),
                            section.name);
    if (known != std::end(kInspectedSectionNames)) shown.push_back(&section);
  }
  return shown;
}

std::string section_flags(const Section& section) {
  std::string flags;
  if (section.allocated) flags += 'A';
  if (section.writable) flags += 'W';
  if (section.executable) flags += 'X';
  return flags;
}

json inspect_file_json(const InspectedFile& file, const InspectOptions& options) {
  json out = {{"path", file.path}, {"size_bytes", file.size_bytes}, {"sha256", file.sha256}};
  if (file.error) out["error"] = *file.error;
  if (file.image != nullptr) add_image(*file.image, out);
  out["errors"] = file.go ? json(file.go->errors) : json::array();
  if (!out.contains("warnings")) out["warnings"] = json::array();
  out["go"] = file.go ? go_json(*file.go, options) : json(nullptr);
  return out;
}

json inspect_document_json(json files) {
  return {{"schema", std::string(kInspectSchema)}, {"files", std::move(files)}};
}

}  // namespace fipsgate
