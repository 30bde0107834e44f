// `fipsgate inspect BINARY... [--json] [--functions]`: prints what Go itself records in each
// binary (build info, pclntab, moduledata, functions per package) and the image facts around it.
// Exit 0 when every file was inspected, 3 when some could not be read or analyzed (the others
// are still printed), 2 for usage errors.
#include <cstdio>
#include <iostream>
#include <memory>
#include <sstream>

#include "cli/commands.h"
#include "fipsgate/binary/binary_image.h"
#include "fipsgate/go/go_binary.h"
#include "fipsgate/go/symbol_name.h"
#include "fipsgate/io/digest.h"
#include "fipsgate/io/mapped_file.h"
#include "fipsgate/report/inspect_json.h"

namespace fipsgate::cli {

namespace {

struct InspectArgs {
  std::vector<std::string> files;
  bool json = false;
  std::string digest = "auto";  // auto: with --json only
  InspectOptions options;
};

// Text layout: a label column, then the value.
constexpr int kLabelWidth = 16;

void line(std::ostream& out, std::string_view label, const std::string& value) {
  out << "  " << label;
  for (auto width = static_cast<int>(label.size()); width < kLabelWidth; ++width) out << ' ';
  out << value << '\n';
}

std::string or_dash(std::string_view text) {
  return text.empty() ? "-" : std::string(text);
}

std::string joined(const std::vector<std::string_view>& items, std::string_view separator) {
  std::string text;
  for (std::string_view item : items) {
    if (!text.empty()) text += separator;
    text += item;
  }
  return text;
}

std::string padded(std::string text, size_t width) {
  if (text.size() < width) text.append(width - text.size(), ' ');
  return text;
}

void print_image(std::ostream& out, const BinaryImage& image) {
  line(out, "format",
       std::string(to_string(image.format)) + " " + std::string(to_string(image.arch)) + ", " +
           (image.endian == Endian::little ? "little" : "big") + "-endian, " +
           std::to_string(image.pointer_size * 8) + "-bit pointers");
  line(out, "linkage", std::string(to_string(image.linkage)));
  line(out, "interpreter", or_dash(image.interpreter.value_or("")));
  line(out, "needed", or_dash(joined(image.needed_libraries, ", ")));
  line(out, "go build id", or_dash(image.build_ids.go_build_id.value_or("")));
  line(out, "gnu build id", or_dash(image.build_ids.gnu_build_id.value_or("")));
}

std::string version_details(const GoVersion& version) {
  if (version.major == 0 && !version.devel) return "";
  std::string details = std::to_string(version.major) + "." + std::to_string(version.minor) + "." +
                        std::to_string(version.patch) + version.prerelease;
  if (version.devel) details = "devel " + details;
  if (version.boring_release)
    details += ", boring release " + std::to_string(*version.boring_release);
  if (!version.vendor.empty()) details += ", vendor " + version.vendor;
  if (!version.experiments.empty()) {
    std::vector<std::string_view> names(version.experiments.begin(), version.experiments.end());
    details += ", experiments " + joined(names, ",");
  }
  return " (" + details + ")";
}

std::string module_text(const ModuleVersion& version) {
  std::string text = version.path + " " + version.version;
  if (!version.sum.empty()) text += " " + version.sum;
  return text;
}

void print_modules(std::ostream& out, const ModuleInfo& modules) {
  line(out, "main package", or_dash(modules.main_package_path));
  if (modules.main) {
    std::string text = module_text(modules.main->module);
    if (modules.main->replacement) text += " => " + module_text(*modules.main->replacement);
    line(out, "main module", text);
  }
  line(out, "dependencies", std::to_string(modules.deps.size()));
  for (const Module& dep : modules.deps) {
    out << "    " << module_text(dep.module) << '\n';
    if (dep.replacement) out << "      => " << module_text(*dep.replacement) << '\n';
  }
  line(out, "build settings", std::to_string(modules.settings.size()));
  size_t key_width = 0;
  for (const BuildSetting& setting : modules.settings)
    key_width = std::max(key_width, setting.key.size());
  for (const BuildSetting& setting : modules.settings) {
    out << "    " << padded(setting.key, key_width) << "  " << setting.value << '\n';
  }
}

void print_build_info(std::ostream& out, const GoBinary& go) {
  const GoVersion* version = go.go_version();
  line(out, "go version", version ? version->raw + version_details(*version) : "-");
  if (go.build_info) {
    const BuildInfo& info = *go.build_info;
    line(out, "build info",
         std::string(to_string(info.format)) + " format at file offset " +
             hex(info.blob_file_offset) + " (vaddr " + hex(info.blob_vaddr) + "), " +
             info.found_in);
    print_modules(out, info.modules);
    return;
  }
  line(out, "build info", "none");
  if (!go.fallback) return;
  if (!go.fallback->version_found_in.empty()) {
    line(out, "version from", go.fallback->version_found_in);
  }
  if (go.fallback->modules) {
    line(out, "modules from", go.fallback->modules_found_in);
    print_modules(out, *go.fallback->modules);
  }
}

void print_pclntab(std::ostream& out, const GoBinary& go) {
  if (go.pclntab) {
    const Pclntab& table = *go.pclntab;
    line(out, "pclntab",
         std::string(to_string(table.version)) + " at file offset " +
             hex(table.bytes.file_offset()) + " (vaddr " + hex(table.vaddr) + "), " +
             table.found_in);
    line(out, "",
         "quantum " + std::to_string(table.quantum) + ", pointer size " +
             std::to_string(table.pointer_size) + ", " + std::to_string(table.function_count) +
             " functions, " + std::to_string(table.file_count) + " files, text start " +
             hex(table.text_start));
  } else {
    line(out, "pclntab", "none");
  }
  if (go.moduledata) {
    const ModuleData& data = *go.moduledata;
    line(out, "moduledata", "vaddr " + hex(data.vaddr) + ", " + data.found_in);
    line(out, "",
         "text " + hex(data.text_start) + "-" + hex(data.text_end) + ", pc " + hex(data.min_pc) +
             "-" + hex(data.max_pc));
  }
}

void print_functions(std::ostream& out, const GoBinary& go, const InspectOptions& options) {
  if (!go.functions) return;
  line(out, "functions", std::to_string(go.functions->size()));
  std::vector<PackageFunctionCount> packages = package_function_counts(*go.functions);
  line(out, "packages", std::to_string(packages.size()));
  size_t path_width = 0;
  for (const auto& package : packages) path_width = std::max(path_width, package.path.size());
  for (const auto& package : packages) {
    out << "    " << padded(package.path, path_width) << "  " << package.functions << '\n';
  }
  if (!options.functions) return;
  line(out, "function list", "entry end name");
  for (Function function : *go.functions) {
    out << "    " << hex(function.entry) << " " << hex(function.end) << " " << function.name
        << '\n';
  }
}

void print_sections(std::ostream& out, const BinaryImage& image) {
  std::vector<const Section*> sections = inspected_sections(image);
  if (sections.empty()) {
    line(out, "sections", "none (no section headers)");
    return;
  }
  line(out, "sections", "name, vaddr, file offset, size, flags");
  for (const Section* section : sections) {
    out << "    " << padded(std::string(section->name), 24) << padded(hex(section->vaddr), 14)
        << padded(hex(section->file_offset), 12) << padded(std::to_string(section->size), 12)
        << section_flags(*section) << '\n';
  }
}

void print_text(std::ostream& out, const InspectedFile& file, const InspectOptions& options) {
  out << file.path << '\n';
  line(out, "size", std::to_string(file.size_bytes) + " bytes");
  if (!file.sha256.empty()) line(out, "sha256", file.sha256);
  if (file.image != nullptr) print_image(out, *file.image);
  if (file.go != nullptr) {
    if (file.go->is_go()) {
      print_build_info(out, *file.go);
      print_pclntab(out, *file.go);
      print_functions(out, *file.go, options);
    } else {
      line(out, "go", "not a Go binary (no build info, no pclntab)");
    }
  }
  if (file.image != nullptr) print_sections(out, *file.image);
  if (file.image != nullptr) {
    for (const std::string& warning : file.image->warnings) line(out, "warning", warning);
  }
  out << '\n';
}

// Reads, analyses and reports one file; returns false when it could not be read or analysed.
bool inspect_one(const std::string& path, const InspectArgs& args,
                 nlohmann::ordered_json& json_files) {
  InspectedFile file;
  file.path = path;
  Result<MappedFile> mapped = MappedFile::open(path);
  std::optional<BinaryImage> image;
  std::optional<GoBinary> go;
  if (!mapped.ok()) {
    file.error = mapped.error().message();
  } else {
    file.size_bytes = mapped->size();
    bool digest = args.digest == "sha256" || (args.digest == "auto" && args.json);
    if (digest) {
      if (auto hex = sha256_hex(mapped->view(), &*mapped); hex.ok()) file.sha256 = *hex;
    }
    Result<BinaryImage> read = read_binary_image(mapped->view());
    if (read.ok()) {
      image = std::move(*read);
      go = read_go_binary(*image);
      file.image = &*image;
      file.go = &*go;
    } else {
      file.error = read.error().message();
    }
  }
  bool analysed = !file.error && (!go || go->errors.empty());
  if (args.json) {
    json_files.push_back(inspect_file_json(file, args.options));
  } else {
    print_text(std::cout, file, args.options);
  }
  if (!args.json) {
    if (file.error) std::cerr << "fipsgate inspect: " << path << ": " << *file.error << '\n';
    if (go) {
      for (const std::string& error : go->errors) {
        std::cerr << "fipsgate inspect: " << path << ": " << error << '\n';
      }
    }
  }
  return analysed;
}

}  // namespace

void register_inspect(CLI::App& app, ExitCode& exit_code) {
  auto* command = app.add_subcommand(
      "inspect",
      "Print what Go itself records in each binary: build info, version, modules, pclntab, "
      "functions per package");
  auto args = std::make_shared<InspectArgs>();
  command->add_option("binary", args->files, "Binaries to inspect")->required();
  command->add_flag("--json", args->json, "Print the fipsgate.inspect/v1 JSON document");
  command->add_flag("--functions", args->options.functions, "Also list every function");
  command
      ->add_option("--digest", args->digest,
                   "SHA-256 of each file: sha256, none, or auto (with --json only)")
      ->check(CLI::IsMember({"auto", "sha256", "none"}))
      ->capture_default_str();
  command->callback([args, &exit_code] {
    nlohmann::ordered_json json_files = nlohmann::ordered_json::array();
    bool all_analysed = true;
    for (const std::string& path : args->files) {
      all_analysed = inspect_one(path, *args, json_files) && all_analysed;
    }
    if (args->json)
      std::cout << inspect_document_json(std::move(json_files))
                       .dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace)
                << '\n';
    exit_code = all_analysed ? kExitOk : kExitUnanalyzable;
  });
}

}  // namespace fipsgate::cli
