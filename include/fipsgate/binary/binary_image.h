// BinaryImage: what the Go layer may know of an executable, whatever its format. Like Go's
// debug/buildinfo "exe" interface, everything above src/binary sees a file only through this:
// bytes at a virtual address, a section by name, the loadable segments, the symbols.
// The ELF reader fills it without copying file data (names are views into the file); the LIEF
// adapter for PE and Mach-O owns the few strings it has to build.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fipsgate/io/byte_view.h"

namespace fipsgate {

class MappedFile;

enum class FileFormat : uint8_t { elf, pe, macho };
enum class Arch : uint8_t {
  unknown,
  x86,
  amd64,
  arm,
  arm64,
  ppc64,
  ppc64le,
  s390x,
  riscv64,
  mips,
  mipsle,
  mips64,
  mips64le,
  loong64
};
enum class Linkage : uint8_t {
  static_exe,   // no PT_INTERP, no PT_DYNAMIC (or ET_EXEC without interpreter)
  dynamic_exe,  // ET_EXEC with an interpreter
  pie,          // ET_DYN with an interpreter
  static_pie,   // ET_DYN, no interpreter, has a DYNAMIC segment and an entry point
  shared_object,
  unknown,
};

std::string_view to_string(FileFormat format);
std::string_view to_string(Arch arch);  // Go's GOARCH spelling
std::string_view to_string(Linkage linkage);

struct Section {
  std::string_view name;
  uint32_t type = 0;   // ELF SHT_*; 0 for other formats
  uint64_t flags = 0;  // format-specific raw flags
  uint64_t vaddr = 0;
  uint64_t size = 0;
  uint64_t file_offset = 0;
  bool has_file_bytes = true;  // false for SHT_NOBITS / zero-fill
  bool allocated = false;
  bool writable = false;
  bool executable = false;
};

struct Segment {
  uint64_t vaddr = 0;
  uint64_t memory_size = 0;
  uint64_t file_offset = 0;
  uint64_t file_size = 0;
  bool readable = false;
  bool writable = false;
  bool executable = false;
};

enum class SymbolKind : uint8_t { other, function, object, section, file, tls };

struct Symbol {
  std::string_view name;
  uint64_t value = 0;
  uint64_t size = 0;
  SymbolKind kind = SymbolKind::other;
  uint16_t section_index = 0;  // ELF st_shndx
  bool is_global = false;
};

// A symbol table decoded one entry at a time (no vector of all symbols for ELF), or a list
// owned by the image (PE/Mach-O).
class SymbolTable {
 public:
  SymbolTable() = default;
  // ELF: the whole .symtab/.dynsym section in `entries`, names in `strings`. The reserved null
  // symbol (ELF index 0) is skipped: index i here is ELF symbol index i + 1.
  SymbolTable(ByteView entries, ByteView strings, bool is_64bit, Endian endian);
  explicit SymbolTable(std::vector<Symbol> owned) : owned_(std::move(owned)) {}

  uint64_t size() const;
  bool empty() const { return size() == 0; }
  Result<Symbol> at(uint64_t index) const;
  // ELF: the file offset of entry `index` (ELF symbol index + 1), for evidence and for tests
  // that patch a symbol's bytes; nothing for owned lists.
  std::optional<uint64_t> entry_file_offset(uint64_t index) const;
  // Calls visit(symbol) for each decodable entry; stops early when visit returns false.
  // Returns the number of entries that could not be decoded.
  uint64_t for_each(const std::function<bool(const Symbol&)>& visit) const;
  // The first decodable symbol named exactly `name` (the one for_each would reach first).
  std::optional<Symbol> find(std::string_view name) const;

 private:
  ByteView entries_;
  ByteView strings_;
  bool is_64bit_ = true;
  Endian endian_ = Endian::little;
  std::vector<Symbol> owned_;

  // Entry `index` of an ELF table, known to be in range.
  Result<Symbol> decode(uint64_t index) const;
};

struct BuildIds {
  std::optional<std::string_view> go_build_id;  // ELF note "Go", type 4
  std::optional<std::string> gnu_build_id;      // hex of NT_GNU_BUILD_ID
};

class BinaryImage {
 public:
  FileFormat format = FileFormat::elf;
  Arch arch = Arch::unknown;
  Endian endian = Endian::little;
  unsigned pointer_size = 8;
  bool is_64bit = true;
  Linkage linkage = Linkage::unknown;
  uint64_t entry_vaddr = 0;
  std::optional<std::string_view> interpreter;
  std::vector<std::string_view> needed_libraries;  // DT_NEEDED
  BuildIds build_ids;
  // Empty when section headers are stripped or unusable. ELF: index i is section header i
  // (0 is the null section), so sections[symbol.section_index] is a symbol's section; PE and
  // Mach-O: in file order, and symbol.section_index is the format's 1-based number minus one.
  std::vector<Section> sections;
  std::vector<Segment> segments;      // loadable segments only (PT_LOAD)
  SymbolTable symbols;                // .symtab (or the format's own table)
  SymbolTable dynamic_symbols;        // .dynsym
  std::vector<std::string> warnings;  // problems that did not stop the reader

  ByteView file() const { return file_; }
  void set_file(ByteView file) { file_ = file; }
  // The open file behind file(), for a pass that reads a large region once, in order, and is
  // faster copying it out than touching its mapped pages (io/mapped_file.h); null for bytes
  // held in memory. It must outlive the image's use.
  const MappedFile* source() const { return source_; }
  void set_source(const MappedFile* source) { source_ = source; }

  // The file bytes backing [vaddr, vaddr+length), which must lie in one segment's file bytes.
  Result<ByteView> at_address(uint64_t vaddr, uint64_t length) const;
  // From vaddr up to the end of its segment's file bytes.
  Result<ByteView> from_address(uint64_t vaddr) const;
  Result<uint64_t> file_offset_of(uint64_t vaddr) const;
  std::optional<uint64_t> vaddr_of_file_offset(uint64_t file_offset) const;
  const Section* section(std::string_view name) const;
  // The file bytes of a section (error for NOBITS or out-of-file sections).
  Result<ByteView> section_bytes(const Section& section) const;
  std::span<const Segment> loadable_segments() const { return segments; }
  const Segment* segment_containing(uint64_t vaddr) const;

  // Storage for names the adapter had to build (PE/Mach-O); views point into it. Copies of an
  // image share this storage, so their views stay valid as long as any copy lives.
  std::string_view keep(std::string text);

 private:
  ByteView file_;
  const MappedFile* source_ = nullptr;
  std::shared_ptr<std::deque<std::string>> owned_strings_ =
      std::make_shared<std::deque<std::string>>();
};

// Recognises the format from the first bytes and reads the image. Unknown formats are an Error
// ("unrecognized file format"). PE and Mach-O go through LIEF.
Result<BinaryImage> read_binary_image(ByteView file);
bool looks_like_executable(ByteView file);  // cheap magic check used to skip other files

}  // namespace fipsgate
