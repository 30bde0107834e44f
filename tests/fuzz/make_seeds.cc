// Writes the seed corpus of every fuzz target into OUT_DIR/<target>/: synthetic Go structures
// of every layout, byte order and word size (a few hundred bytes to a few KiB each), the
// signature and policy YAML files, and small pieces of real Go binaries given on the command
// line (their .go.buildinfo section and function names). Whole real binaries are too large to
// fuzz quickly; tools/mutate covers them.
//
//   fuzz_make_seeds OUT_DIR [GO_BINARY...]
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>

#include "fipsgate/binary/elf.h"
#include "fipsgate/go/go_binary.h"
#include "fipsgate/io/mapped_file.h"
#include "fuzz_target.h"

namespace fs = std::filesystem;
using namespace fipsgate;
using namespace fipsgate::fuzzing;

namespace {

fs::path out_dir;
int written = 0;

void write_seed(const std::string& target, const std::string& name, const std::string& bytes) {
  fs::path dir = out_dir / target;
  fs::create_directories(dir);
  std::ofstream(dir / name, std::ios::binary) << bytes;
  ++written;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

const PclntabVersion kVersions[] = {PclntabVersion::go12, PclntabVersion::go116,
                                    PclntabVersion::go118, PclntabVersion::go120};

std::string shape_name(const Shape& shape) {
  return std::string(shape.endian == Endian::big ? "be" : "le") +
         std::to_string(shape.pointer_size * 8) + (shape.with_symbols ? "" : "-nosym") +
         (shape.with_section_headers ? "" : "-noshdr");
}

std::vector<Shape> shapes() {
  std::vector<Shape> all;
  for (uint8_t bits = 0; bits < 16; ++bits) all.push_back(Shape::from(bits));
  return all;
}

PclntabSpec table_spec(const Shape& shape, PclntabVersion version, uint64_t text_start) {
  PclntabSpec spec;
  spec.version = version;
  spec.endian = shape.endian;
  spec.pointer_size = shape.pointer_size;
  spec.text_start = text_start;
  spec.functions = sample_functions();
  return spec;
}

// A synthetic Go ELF that the readers do not fully accept is a weak seed: say so.
void report_seed_errors(const std::string& name, const std::string& bytes) {
  auto image = read_elf(ByteView(bytes));
  if (!image) {
    std::fprintf(stderr, "seed %s: %s\n", name.c_str(), image.error().message().c_str());
    return;
  }
  GoBinary go = read_go_binary(*image);
  for (const std::string& error : go.errors)
    std::fprintf(stderr, "seed %s: %s\n", name.c_str(), error.c_str());
  if (!go.functions) std::fprintf(stderr, "seed %s: no function table\n", name.c_str());
}

void go_elf_seeds() {
  for (const Shape& shape : shapes()) {
    for (PclntabVersion version : kVersions) {
      if (!shape.with_symbols && !shape.with_section_headers && version != PclntabVersion::go120)
        continue;
      GoElfSpec spec;
      spec.pclntab = table_spec(shape, version, 1);  // non-zero: replaced by the text address
      spec.with_symbols = shape.with_symbols;
      spec.with_section_headers = shape.with_section_headers;
      spec.pointer_format_build_info =
          version == PclntabVersion::go116 || version == PclntabVersion::go12;
      spec.go_version = spec.pointer_format_build_info ? "go1.16.15" : "go1.22.1 X:boringcrypto";
      std::string name = "go" + std::string(to_string(version)) + "-" + shape_name(shape);
      testing::BuiltElf built = make_go_elf(spec);
      report_seed_errors(name, built.bytes);
      write_seed("go_binary", name, built.bytes);
      write_seed("analysis", name, built.bytes);
      write_seed("elf", name, built.bytes);
    }
  }
  GoElfSpec go126;  // Go 1.26: textStart 0, moduledata required for the text base
  go126.pclntab = table_spec(Shape{}, PclntabVersion::go120, 0);
  testing::BuiltElf built = make_go_elf(go126);
  report_seed_errors("go1.26-textstart0", built.bytes);
  write_seed("go_binary", "go1.26-textstart0", built.bytes);
}

void plain_elf_seeds() {
  testing::ElfSpec dynamic;
  dynamic.interpreter = "/lib64/ld-linux-x86-64.so.2";
  dynamic.needed = {"libc.so.6", "libcrypto.so.3"};
  dynamic.notes = {{"Go", 4, "abc/def/ghi/jkl"}, {"GNU", 3, "\x01\x02\x03\x04"}};
  dynamic.sections = {{".text", 1, 6, 0, 16, std::string(64, '\x90'), 0},
                      {".bss", 8, 3, 0, 16, "", 0x1000}};
  dynamic.symbols = {{"main", 0, 4, 2, ".text"}};
  dynamic.type = 3;
  dynamic.dynamic_flags_1 = 0x08000000;
  write_seed("elf", "pie-dynamic", testing::build_elf(dynamic).bytes);
  dynamic.is_64bit = false;
  dynamic.endian = Endian::big;
  dynamic.machine = 8;
  write_seed("elf", "be32-dynamic", testing::build_elf(dynamic).bytes);
}

void pclntab_seeds() {
  for (const Shape& shape : shapes()) {
    for (PclntabVersion version : kVersions) {
      std::string table = make_pclntab(table_spec(shape, version, kTextVaddr));
      std::string name = "go" + std::string(to_string(version)) + "-" + shape_name(shape);
      write_seed("pclntab", name, std::string(1, static_cast<char>(shape.bits())) + table);
      Shape with_version = shape;
      with_version.variant = static_cast<unsigned>(version);
      std::string moduledata = make_moduledata(
          table_spec(shape, version, kTextVaddr), kPclntabVaddr,
          make_pclntab(table_spec(shape, version, kTextVaddr)), kTextVaddr, kDataVaddr);
      write_seed("moduledata", name,
                 std::string(1, static_cast<char>(with_version.bits())) + moduledata);
    }
  }
  PclntabSpec empty = table_spec(Shape{}, PclntabVersion::go120, kTextVaddr);
  empty.functions.clear();
  write_seed("pclntab", "go1.20-nofunctions", std::string(1, '\0') + make_pclntab(empty));
}

void build_info_seeds() {
  const std::string module_text =
      "path\texample.com/cmd\nmod\texample.com/cmd\tv1.2.3\th1:abc=\n"
      "dep\tgolang.org/x/crypto\tv0.17.0\th1:def=\n=>\t../crypto\t(devel)\t\n"
      "build\t-tags=requirefips,\"quoted tag\"\nbuild\tCGO_ENABLED=1\nbuild\tGOFIPS140=v1.0.0\n";
  const std::string framed = frame_module_text(module_text);
  for (const Shape& shape : shapes()) {
    if (!shape.with_symbols) continue;
    std::string prefix(1, static_cast<char>(shape.bits()));
    write_seed("build_info", "inline-" + shape_name(shape),
               prefix + make_inline_build_info("go1.24.2 X:boringcrypto", framed,
                                               shape.pointer_size, shape.endian));
    // Pointer format: string headers right after the 32-byte header, as make_go_elf writes.
    GoElfSpec spec;
    spec.pclntab.endian = shape.endian;
    spec.pclntab.pointer_size = shape.pointer_size;
    std::string blob("\xff Go buildinf:", 14);
    blob.push_back(static_cast<char>(shape.pointer_size));
    blob.push_back(static_cast<char>(shape.endian == Endian::big ? 1 : 0));
    const unsigned ptr = shape.pointer_size;
    const uint64_t headers = kDataVaddr + 32, strings = headers + 4 * ptr;
    const std::string version = "go1.17.13";
    testing::put_uint(blob, headers, ptr, shape.endian);
    testing::put_uint(blob, headers + 2 * ptr, ptr, shape.endian);
    blob.resize(32, '\0');
    testing::put_uint(blob, strings, ptr, shape.endian);
    testing::put_uint(blob, version.size(), ptr, shape.endian);
    testing::put_uint(blob, strings + version.size(), ptr, shape.endian);
    testing::put_uint(blob, framed.size(), ptr, shape.endian);
    blob += version + framed;
    write_seed("build_info", "pointer-" + shape_name(shape), prefix + blob);
  }
  write_seed("module_info", "full", module_text);
  write_seed("module_info", "framed", framed);
  write_seed("module_info", "quoted", "\"a\\tb\\x41\\u00e9\\\"\"");
}

void text_seeds() {
  const char* versions[] = {"go1.19.8",
                            "go1.18.7b7",
                            "go1.21.9 (Red Hat 1.21.9-1.el8) X:strictfipsruntime",
                            "go1.26.10-X:boringcrypto,fieldtrack",
                            "devel go1.27-abcdef Tue Jan 1 00:00:00 2026 +0000",
                            "go1.22rc1",
                            "go1.24.2 X:boringcrypto"};
  int index = 0;
  for (const char* version : versions)
    write_seed("go_version", "v" + std::to_string(index++), version);
  index = 0;
  for (const SyntheticFunction& function : sample_functions())
    write_seed("symbol_name", "n" + std::to_string(index++), function.name);
  write_seed("symbol_name", "type-eq", "type:.eq.crypto/sha256.digest");
  write_seed("symbol_name", "generic", "main.(*List[go.shape.int_0]).Push.abi0");
}

void yaml_seeds() {
  const fs::path signatures = FIPSGATE_SIGNATURES_DIR;
  std::error_code ignored;
  for (const auto& entry : fs::recursive_directory_iterator(signatures, ignored)) {
    if (entry.path().extension() != ".yaml") continue;
    std::string text = read_text(entry.path());
    std::string name = entry.path().stem().string();
    std::string parent = entry.path().parent_path().filename().string();
    if (parent == "markers") write_seed("signatures", "markers-" + name, std::string(1, 0) + text);
    if (name == "modules") write_seed("signatures", name, std::string(1, 1) + text);
    if (name == "non_approved") write_seed("signatures", name, std::string(1, 2) + text);
    if (parent == "profiles") write_seed("policy", "profile-" + name, std::string(1, 0) + text);
    if (name == "rules") write_seed("policy", name, std::string(1, 2) + text);
  }
  write_seed("policy", "waivers",
             std::string(1, 1) +
                 "waivers:\n  - rule: FG201\n    package: crypto/md5\n    path: 'bin/*'\n"
                 "    reason: legacy checksum\n    ticket: SEC-1\n    expires: 2030-01-01\n");
}

// The .go.buildinfo bytes and some function names of a real binary.
void real_binary_seeds(const std::string& path) {
  auto file = MappedFile::open(path);
  if (!file) return;
  auto image = read_elf(file->view());
  if (!image) return;
  std::string stem = fs::path(path).filename().string();
  if (const Section* section = image->section(".go.buildinfo")) {
    if (auto bytes = image->section_bytes(*section); bytes && bytes->size() < 64 * 1024) {
      Shape shape;
      shape.endian = image->endian;
      shape.pointer_size = image->pointer_size;
      write_seed("build_info", "real-" + stem,
                 std::string(1, static_cast<char>(shape.bits())) + std::string(bytes->chars()));
    }
  }
  GoBinary go = read_go_binary(*image);
  if (!go.functions) return;
  std::set<std::string> packages;
  for (Function function : *go.functions) {
    std::string package(package_path(function.name));
    if (packages.insert(package).second && packages.size() < 64)
      write_seed("symbol_name", "real-" + stem + "-" + std::to_string(packages.size()),
                 std::string(function.name));
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s OUT_DIR [GO_BINARY...]\n", argv[0]);
    return 2;
  }
  out_dir = argv[1];
  go_elf_seeds();
  plain_elf_seeds();
  pclntab_seeds();
  build_info_seeds();
  text_seeds();
  yaml_seeds();
  for (int i = 2; i < argc; ++i) real_binary_seeds(argv[i]);
  std::printf("%d seeds in %s\n", written, out_dir.c_str());
  return 0;
}
