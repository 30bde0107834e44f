// The format-independent half of BinaryImage: address translation over the loadable segments,
// section lookup, the lazily decoded symbol table, and the dispatch on a file's magic.
#include "fipsgate/binary/binary_image.h"

#include <cstring>

#include "fipsgate/binary/elf.h"
#include "fipsgate/binary/lief_image.h"
#include "fipsgate/io/limits.h"

namespace fipsgate {

std::string_view to_string(FileFormat format) {
  switch (format) {
    case FileFormat::elf:
      return "ELF";
    case FileFormat::pe:
      return "PE";
    case FileFormat::macho:
      return "Mach-O";
  }
  return "unknown";
}

std::string_view to_string(Arch arch) {
  switch (arch) {
    case Arch::unknown:
      return "unknown";
    case Arch::x86:
      return "386";
    case Arch::amd64:
      return "amd64";
    case Arch::arm:
      return "arm";
    case Arch::arm64:
      return "arm64";
    case Arch::ppc64:
      return "ppc64";
    case Arch::ppc64le:
      return "ppc64le";
    case Arch::s390x:
      return "s390x";
    case Arch::riscv64:
      return "riscv64";
    case Arch::mips:
      return "mips";
    case Arch::mipsle:
      return "mipsle";
    case Arch::mips64:
      return "mips64";
    case Arch::mips64le:
      return "mips64le";
    case Arch::loong64:
      return "loong64";
  }
  return "unknown";
}

std::string_view to_string(Linkage linkage) {
  switch (linkage) {
    case Linkage::static_exe:
      return "static executable";
    case Linkage::dynamic_exe:
      return "dynamic executable";
    case Linkage::pie:
      return "PIE";
    case Linkage::static_pie:
      return "static PIE";
    case Linkage::shared_object:
      return "shared object";
    case Linkage::unknown:
      return "unknown";
  }
  return "unknown";
}

// ---------------------------------------------------------------------------------------------
// SymbolTable

namespace {

constexpr uint64_t kElf64SymbolBytes = 24;
constexpr uint64_t kElf32SymbolBytes = 16;
// A symbol name longer than this is treated as garbage rather than scanned to the table's end.
using limits::kMaxSymbolNameBytes;

SymbolKind symbol_kind_of(uint8_t elf_type) {
  switch (elf_type) {
    case 1:
      return SymbolKind::object;  // STT_OBJECT
    case 2:
      return SymbolKind::function;  // STT_FUNC
    case 3:
      return SymbolKind::section;  // STT_SECTION
    case 4:
      return SymbolKind::file;  // STT_FILE
    case 6:
      return SymbolKind::tls;  // STT_TLS
    default:
      return SymbolKind::other;
  }
}

}  // namespace

SymbolTable::SymbolTable(ByteView entries, ByteView strings, bool is_64bit, Endian endian)
    : strings_(strings), is_64bit_(is_64bit), endian_(endian) {
  // Entry 0 of an ELF symbol table is the reserved null symbol: skip it so that index i here
  // is ELF symbol index i + 1, and a partial trailing entry is never decoded.
  uint64_t entry_bytes = is_64bit ? kElf64SymbolBytes : kElf32SymbolBytes;
  uint64_t whole_entries = entries.size() / entry_bytes;
  if (whole_entries > 1) entries_ = entries.clamp(entry_bytes, (whole_entries - 1) * entry_bytes);
}

uint64_t SymbolTable::size() const {
  if (!owned_.empty()) return owned_.size();
  return entries_.size() / (is_64bit_ ? kElf64SymbolBytes : kElf32SymbolBytes);
}

Result<Symbol> SymbolTable::at(uint64_t index) const {
  if (!owned_.empty()) {
    if (index >= owned_.size()) {
      return Error("symbol index " + std::to_string(index) + " is past the end of a table of " +
                   std::to_string(owned_.size()) + " symbols");
    }
    return owned_[index];
  }
  uint64_t count = size();
  if (index >= count) {
    return Error("symbol index " + std::to_string(index) + " is past the end of a table of " +
                 std::to_string(count) + " symbols");
  }
  return decode(index);
}

Result<Symbol> SymbolTable::decode(uint64_t index) const {
  const uint64_t entry_bytes = is_64bit_ ? kElf64SymbolBytes : kElf32SymbolBytes;
  const uint8_t* entry = entries_.data() + index * entry_bytes;
  Symbol symbol;
  uint32_t name_offset = static_cast<uint32_t>(load_uint(entry, 4, endian_));
  uint8_t info = 0;
  if (is_64bit_) {
    info = entry[4];
    symbol.section_index = static_cast<uint16_t>(load_uint(entry + 6, 2, endian_));
    symbol.value = load_uint(entry + 8, 8, endian_);
    symbol.size = load_uint(entry + 16, 8, endian_);
  } else {
    symbol.value = load_uint(entry + 4, 4, endian_);
    symbol.size = load_uint(entry + 8, 4, endian_);
    info = entry[12];
    symbol.section_index = static_cast<uint16_t>(load_uint(entry + 14, 2, endian_));
  }
  symbol.kind = symbol_kind_of(info & 0xf);
  symbol.is_global = (info >> 4) != 0;  // STB_GLOBAL, STB_WEAK and OS-specific bindings
  if (name_offset != 0 || !strings_.empty()) {
    auto name = strings_.cstring(name_offset, kMaxSymbolNameBytes);
    if (!name.ok()) {
      return Error("symbol " + std::to_string(index + 1) + " " +
                   entries_.where(index * entry_bytes) + ": name offset " + hex(name_offset) +
                   " is not a string in the " + std::to_string(strings_.size()) +
                   "-byte string table: " + name.error().message());
    }
    symbol.name = *name;
  }
  return symbol;
}

std::optional<uint64_t> SymbolTable::entry_file_offset(uint64_t index) const {
  if (!owned_.empty() || index >= size()) return std::nullopt;
  return entries_.file_offset() + index * (is_64bit_ ? kElf64SymbolBytes : kElf32SymbolBytes);
}

uint64_t SymbolTable::for_each(const std::function<bool(const Symbol&)>& visit) const {
  uint64_t undecodable = 0;
  const uint64_t count = size();
  for (uint64_t index = 0; index < count; ++index) {
    auto symbol = owned_.empty() ? decode(index) : Result<Symbol>(owned_[index]);
    if (!symbol.ok()) {
      ++undecodable;
      continue;
    }
    if (!visit(*symbol)) break;
  }
  return undecodable;
}

// The names are compared where they lie, NUL first: decoding every entry and measuring its
// name, as for_each does, cost a search by name ~10 times as much on a 50k-symbol table. An
// entry matches exactly when for_each would give it with this name: `name` then a NUL, within
// the string table and the name-length limit.
std::optional<Symbol> SymbolTable::find(std::string_view name) const {
  std::optional<Symbol> found;
  if (!owned_.empty() || name.empty() || name.size() >= kMaxSymbolNameBytes) {
    for_each([&](const Symbol& symbol) {
      if (symbol.name != name) return true;
      found = symbol;
      return false;
    });
    return found;
  }
  const uint64_t entry_bytes = is_64bit_ ? kElf64SymbolBytes : kElf32SymbolBytes;
  const uint64_t count = size();
  const uint8_t* names = strings_.data();
  const uint64_t names_size = strings_.size();
  for (uint64_t index = 0; index < count; ++index) {
    const uint64_t offset = load_uint(entries_.data() + index * entry_bytes, 4, endian_);
    if (offset >= names_size || names_size - offset <= name.size()) continue;
    if (names[offset + name.size()] != 0) continue;
    if (std::memcmp(names + offset, name.data(), name.size()) != 0) continue;
    if (auto symbol = decode(index); symbol.ok()) return *symbol;
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// BinaryImage

namespace {

// The part of segment's file bytes that holds vaddr, as an offset into those bytes.
std::optional<uint64_t> offset_in_file_bytes(const Segment& segment, uint64_t vaddr) {
  if (vaddr < segment.vaddr) return std::nullopt;
  uint64_t offset = vaddr - segment.vaddr;
  if (offset >= segment.file_size) return std::nullopt;
  return offset;
}

}  // namespace

const Segment* BinaryImage::segment_containing(uint64_t vaddr) const {
  for (const Segment& segment : segments) {
    if (vaddr >= segment.vaddr && vaddr - segment.vaddr < segment.memory_size) return &segment;
  }
  return nullptr;
}

Result<uint64_t> BinaryImage::file_offset_of(uint64_t vaddr) const {
  for (const Segment& segment : segments) {
    auto offset = offset_in_file_bytes(segment, vaddr);
    if (offset && segment.file_offset <= UINT64_MAX - *offset) return segment.file_offset + *offset;
  }
  if (const Segment* zero_fill = segment_containing(vaddr)) {
    return Error(
        "virtual address " + hex(vaddr) + " lies in the zero-fill part of the segment at " +
        hex(zero_fill->vaddr) + " (" + std::to_string(zero_fill->file_size) + " file bytes, " +
        std::to_string(zero_fill->memory_size) + " bytes in memory): it has no bytes in the file");
  }
  return Error("virtual address " + hex(vaddr) + " is not in any of the " +
               std::to_string(segments.size()) + " loadable segments");
}

Result<ByteView> BinaryImage::at_address(uint64_t vaddr, uint64_t length) const {
  for (const Segment& segment : segments) {
    auto offset = offset_in_file_bytes(segment, vaddr);
    if (!offset || length > segment.file_size - *offset) continue;
    auto bytes = file_.slice(segment.file_offset + *offset, length);
    if (bytes.ok()) return bytes;
  }
  FG_TRY(uint64_t start, file_offset_of(vaddr));
  return Error("the " + std::to_string(length) + " bytes at virtual address " + hex(vaddr) +
               " (file offset " + hex(start) + ") run past the end of their segment's file bytes");
}

Result<ByteView> BinaryImage::from_address(uint64_t vaddr) const {
  for (const Segment& segment : segments) {
    auto offset = offset_in_file_bytes(segment, vaddr);
    if (!offset) continue;
    auto bytes = file_.slice(segment.file_offset + *offset, segment.file_size - *offset);
    if (bytes.ok()) return bytes;
  }
  FG_TRY(uint64_t start, file_offset_of(vaddr));
  return Error("the segment holding virtual address " + hex(vaddr) + " (file offset " + hex(start) +
               ") runs past the end of the " + std::to_string(file_.size()) + "-byte file");
}

std::optional<uint64_t> BinaryImage::vaddr_of_file_offset(uint64_t file_offset) const {
  for (const Segment& segment : segments) {
    if (file_offset < segment.file_offset) continue;
    uint64_t offset = file_offset - segment.file_offset;
    if (offset < segment.file_size && segment.vaddr <= UINT64_MAX - offset) {
      return segment.vaddr + offset;
    }
  }
  return std::nullopt;
}

const Section* BinaryImage::section(std::string_view name) const {
  for (const Section& candidate : sections) {
    if (candidate.name == name) return &candidate;
  }
  return nullptr;
}

Result<ByteView> BinaryImage::section_bytes(const Section& section) const {
  if (!section.has_file_bytes) {
    return Error("section " + std::string(section.name) + " at virtual address " +
                 hex(section.vaddr) + " has no bytes in the file (zero-fill)");
  }
  auto bytes = file_.slice(section.file_offset, section.size);
  if (!bytes.ok()) {
    return Error("section " + std::string(section.name) + " at file offset " +
                 hex(section.file_offset) + " (" + std::to_string(section.size) +
                 " bytes) runs past the end of the " + std::to_string(file_.size()) + "-byte file");
  }
  return bytes;
}

std::string_view BinaryImage::keep(std::string text) {
  owned_strings_->push_back(std::move(text));
  return owned_strings_->back();
}

// ---------------------------------------------------------------------------------------------
// Format dispatch

Result<BinaryImage> read_binary_image(ByteView file) {
  if (is_elf(file)) return read_elf(file);
  if (is_pe(file) || is_macho(file)) return read_with_lief(file);
  if (file.size() < 4) {
    return Error("unrecognized file format: " + std::to_string(file.size()) +
                 " bytes are too few for any executable header");
  }
  return Error("unrecognized file format: not ELF, PE or Mach-O (first bytes " +
               hex(load_uint(file.data(), 4, Endian::big)) + ")");
}

bool looks_like_executable(ByteView file) {
  return is_elf(file) || is_pe(file) || is_macho(file);
}

}  // namespace fipsgate
