// Structure checks run before a file is handed to LIEF. LIEF 0.9 trusts counts and offsets it
// reads: a Mach-O section claiming 2^32 relocations made it loop for minutes, a mangled header
// made it crash. These checks bound every table LIEF will walk by the file, so that what
// reaches LIEF is at least self-consistent. Layouts: <mach-o/loader.h>, <mach-o/fat.h>,
// <mach-o/nlist.h> and the PE/COFF specification.
#include <string>

#include "fipsgate/binary/lief_image.h"
#include "fipsgate/io/limits.h"

namespace fipsgate {

namespace {

using limits::kMaxFatSlices;

// --- Mach-O ----------------------------------------------------------------------------------

constexpr uint32_t kMhMagic = 0xfeedface, kMhMagic64 = 0xfeedfacf;
constexpr uint32_t kFatMagic = 0xcafebabe;
constexpr uint32_t kLcSegment = 0x1, kLcSymtab = 0x2, kLcThread = 0x4, kLcUnixThread = 0x5,
                   kLcDysymtab = 0xb, kLcSegment64 = 0x19, kLcDyldInfo = 0x22,
                   kLcDyldInfoOnly = 0x80000022;
// Commands that are a linkedit_data_command {cmd, cmdsize, dataoff, datasize}.
constexpr uint32_t kLinkeditDataCommands[] = {0x1d, 0x1e, 0x26,       0x29,
                                              0x2b, 0x2e, 0x80000033, 0x80000034};
// Commands whose first field after cmd/cmdsize is the offset of a string inside the command:
// dylib, dylinker, rpath, sub-framework/umbrella/library/client, dyld environment.
constexpr uint32_t kStringCommands[] = {0xc,        0xd,        0xe,        0xf,       0x12,
                                        0x13,       0x14,       0x15,       0x20,      0x27,
                                        0x80000018, 0x8000001c, 0x8000001f, 0x80000023};

struct MachoContext {
  ByteView slice;  // the Mach-O image (the whole file, or one fat slice)
  bool is_64bit;
  Endian endian;
};

Error macho_error(const MachoContext& context, uint64_t offset, const std::string& what) {
  return Error("Mach-O: " + what + " (" + context.slice.where(offset) + ")");
}

// [offset, offset + count * entry_bytes) inside the slice, without overflow.
bool range_fits(const MachoContext& context, uint64_t offset, uint64_t count,
                uint64_t entry_bytes) {
  if (offset > context.slice.size()) return false;
  return entry_bytes == 0 || count <= (context.slice.size() - offset) / entry_bytes;
}

Status check_range(const MachoContext& context, uint64_t command_offset, const char* what,
                   uint64_t offset, uint64_t count, uint64_t entry_bytes) {
  if (count == 0 || range_fits(context, offset, count, entry_bytes)) return Ok{};
  return macho_error(context, command_offset,
                     std::string(what) + " at " + hex(offset) + " (" + std::to_string(count) +
                         " x " + std::to_string(entry_bytes) + " bytes) runs past the end of the " +
                         std::to_string(context.slice.size()) + "-byte image");
}

Status check_segment(const MachoContext& context, ByteView command, uint64_t command_offset) {
  const unsigned header_bytes = context.is_64bit ? 72 : 56;
  const unsigned section_bytes = context.is_64bit ? 80 : 68;
  if (command.size() < header_bytes) {
    return macho_error(context, command_offset, "segment command shorter than its header");
  }
  const uint64_t section_count = *command.u32(header_bytes - 8, context.endian);
  if (section_count > (command.size() - header_bytes) / section_bytes) {
    return macho_error(context, command_offset,
                       "segment command claims " + std::to_string(section_count) +
                           " sections that do not fit in its " + std::to_string(command.size()) +
                           " bytes");
  }
  for (uint64_t index = 0; index < section_count; ++index) {
    const uint64_t at = header_bytes + index * section_bytes;
    const unsigned word = context.is_64bit ? 8 : 4;
    const uint64_t size = *command.word(at + 32 + word, word, context.endian);
    const uint64_t offset_field = at + 32 + 2 * word;
    const uint64_t file_offset = *command.u32(offset_field, context.endian);
    const uint64_t relocation_offset = *command.u32(offset_field + 8, context.endian);
    const uint64_t relocation_count = *command.u32(offset_field + 12, context.endian);
    const uint32_t type = *command.u32(offset_field + 16, context.endian) & 0xff;
    const bool zero_fill = type == 0x1 || type == 0xc || type == 0x12;
    if (!zero_fill && file_offset != 0) {
      if (auto status =
              check_range(context, command_offset, "section contents", file_offset, 1, size);
          !status.ok()) {
        return status;
      }
    }
    if (auto status = check_range(context, command_offset, "section relocations", relocation_offset,
                                  relocation_count, 8);
        !status.ok()) {
      return status;
    }
  }
  return Ok{};
}

// n_strx of every symbol must point into the string table.
Status check_symtab(const MachoContext& context, ByteView command, uint64_t command_offset) {
  if (command.size() < 24) return macho_error(context, command_offset, "LC_SYMTAB too short");
  const uint64_t symbol_offset = *command.u32(8, context.endian);
  const uint64_t symbol_count = *command.u32(12, context.endian);
  const uint64_t string_offset = *command.u32(16, context.endian);
  const uint64_t string_bytes = *command.u32(20, context.endian);
  const uint64_t entry_bytes = context.is_64bit ? 16 : 12;
  if (auto status = check_range(context, command_offset, "symbol table", symbol_offset,
                                symbol_count, entry_bytes);
      !status.ok()) {
    return status;
  }
  if (auto status =
          check_range(context, command_offset, "string table", string_offset, 1, string_bytes);
      !status.ok()) {
    return status;
  }
  for (uint64_t index = 0; index < symbol_count; ++index) {
    const uint64_t name_offset =
        *context.slice.u32(symbol_offset + index * entry_bytes, context.endian);
    if (name_offset >= string_bytes && name_offset != 0) {
      return macho_error(context, symbol_offset + index * entry_bytes,
                         "symbol " + std::to_string(index) + " names string offset " +
                             hex(name_offset) + " outside the " + std::to_string(string_bytes) +
                             "-byte string table");
    }
  }
  return Ok{};
}

Status check_dysymtab(const MachoContext& context, ByteView command, uint64_t command_offset) {
  if (command.size() < 80) return macho_error(context, command_offset, "LC_DYSYMTAB too short");
  auto field = [&](unsigned index) {
    return uint64_t{*command.u32(8 + 4 * index, context.endian)};
  };
  struct Table {
    const char* name;
    unsigned offset_field, count_field;
    uint64_t entry_bytes;
  };
  const Table tables[] = {
      {"table of contents", 6, 7, 8},          {"module table", 8, 9, context.is_64bit ? 56u : 52u},
      {"external reference table", 10, 11, 4}, {"indirect symbol table", 12, 13, 4},
      {"external relocations", 14, 15, 8},     {"local relocations", 16, 17, 8}};
  for (const Table& table : tables) {
    if (auto status = check_range(context, command_offset, table.name, field(table.offset_field),
                                  field(table.count_field), table.entry_bytes);
        !status.ok()) {
      return status;
    }
  }
  return Ok{};
}

Status check_dyld_info(const MachoContext& context, ByteView command, uint64_t command_offset) {
  if (command.size() < 48) return macho_error(context, command_offset, "LC_DYLD_INFO too short");
  const char* names[] = {"rebase opcodes", "bind opcodes", "weak bind opcodes", "lazy bind opcodes",
                         "export trie"};
  for (unsigned index = 0; index < 5; ++index) {
    const uint64_t offset = *command.u32(8 + 8 * index, context.endian);
    const uint64_t size = *command.u32(12 + 8 * index, context.endian);
    if (auto status = check_range(context, command_offset, names[index], offset, 1, size);
        !status.ok()) {
      return status;
    }
  }
  return Ok{};
}

Status check_command(const MachoContext& context, uint32_t type, ByteView command,
                     uint64_t command_offset) {
  if (type == kLcSegment || type == kLcSegment64) {
    if ((type == kLcSegment64) != context.is_64bit) {
      return macho_error(context, command_offset, "segment command of the other word size");
    }
    return check_segment(context, command, command_offset);
  }
  if (type == kLcSymtab) return check_symtab(context, command, command_offset);
  if (type == kLcDysymtab) return check_dysymtab(context, command, command_offset);
  if (type == kLcDyldInfo || type == kLcDyldInfoOnly) {
    return check_dyld_info(context, command, command_offset);
  }
  if (type == kLcThread || type == kLcUnixThread) {
    // flavor, count (in 32-bit words), state: every state must fit in the command.
    for (uint64_t at = 8; at < command.size();) {
      auto count = command.u32(at + 4, context.endian);
      if (!count.ok() || *count > (command.size() - at - 8) / 4) {
        return macho_error(context, command_offset, "thread state runs past its command");
      }
      at += 8 + uint64_t{*count} * 4;
      if (*count == 0) break;
    }
    return Ok{};
  }
  for (uint32_t linkedit : kLinkeditDataCommands) {
    if (type != linkedit) continue;
    if (command.size() < 16) return macho_error(context, command_offset, "command too short");
    return check_range(context, command_offset, "linkedit data", *command.u32(8, context.endian), 1,
                       *command.u32(12, context.endian));
  }
  for (uint32_t with_string : kStringCommands) {
    if (type != with_string) continue;
    auto string_offset = command.u32(8, context.endian);
    if (!string_offset.ok() || *string_offset >= command.size() ||
        !command.cstring(*string_offset, command.size()).ok()) {
      return macho_error(context, command_offset, "name string outside its load command");
    }
  }
  return Ok{};
}

Status check_macho_image(ByteView slice) {
  auto magic_le = slice.u32(0, Endian::little);
  if (!magic_le.ok()) return Error("Mach-O: file too short for a header");
  MachoContext context{slice, true, Endian::little};
  if (*magic_le == kMhMagic || *magic_le == kMhMagic64) {
    context.endian = Endian::little;
  } else if (*slice.u32(0, Endian::big) == kMhMagic || *slice.u32(0, Endian::big) == kMhMagic64) {
    context.endian = Endian::big;
  } else {
    return Error("Mach-O: slice at file offset " + hex(slice.file_offset()) +
                 " does not start with a Mach-O magic");
  }
  context.is_64bit = *slice.u32(0, context.endian) == kMhMagic64;
  const uint64_t header_bytes = context.is_64bit ? 32 : 28;
  if (slice.size() < header_bytes) return Error("Mach-O: file too short for its header");
  const uint64_t command_count = *slice.u32(16, context.endian);
  const uint64_t command_bytes = *slice.u32(20, context.endian);
  if (!range_fits(context, header_bytes, 1, command_bytes) || command_count > command_bytes / 8) {
    return macho_error(context, 16,
                       std::to_string(command_count) + " load commands in " +
                           std::to_string(command_bytes) + " bytes do not fit in the " +
                           std::to_string(slice.size()) + "-byte image");
  }
  uint64_t at = header_bytes;
  const uint64_t end = header_bytes + command_bytes;
  for (uint64_t index = 0; index < command_count; ++index) {
    if (end - at < 8) return macho_error(context, at, "load command past the command area");
    const uint32_t type = *slice.u32(at, context.endian);
    const uint64_t size = *slice.u32(at + 4, context.endian);
    if (size < 8 || size > end - at || size % 4 != 0) {
      return macho_error(context, at,
                         "load command " + std::to_string(index) + " has size " +
                             std::to_string(size) + ", outside the command area");
    }
    if (auto status = check_command(context, type, *slice.slice(at, size), at); !status.ok()) {
      return status;
    }
    at += size;
  }
  return Ok{};
}

// --- PE --------------------------------------------------------------------------------------

constexpr uint64_t kMaxPeSections = 96;  // the PE/COFF limit the Windows loader enforces
constexpr unsigned kResourceDirectory = 2;
constexpr unsigned kMaxResourceDepth = 8;  // Windows uses 3 levels: type, name, language
constexpr uint64_t kMaxResourceEntries = 1u << 16;

struct PeSectionRange {
  uint64_t rva, virtual_bytes, raw_offset, raw_bytes;
};

Error pe_error(ByteView file, uint64_t offset, const std::string& what) {
  return Error("PE: " + what + " (" + file.where(offset) + ")");
}

// The file offset of an RVA, through the section that holds it in its raw data.
std::optional<uint64_t> pe_offset_of(const std::vector<PeSectionRange>& sections, uint64_t rva) {
  for (const PeSectionRange& section : sections) {
    if (rva >= section.rva && rva - section.rva < section.raw_bytes) {
      return section.raw_offset + (rva - section.rva);
    }
  }
  return std::nullopt;
}

// LIEF walks the resource tree recursively; a directory that points back at an ancestor would
// never end. Walk it ourselves with a depth and entry budget first.
Status check_resource_directory(ByteView resources, uint64_t offset, unsigned depth,
                                uint64_t& entries_seen) {
  if (depth > kMaxResourceDepth) {
    return pe_error(resources, offset,
                    "resource directory nested deeper than " + std::to_string(kMaxResourceDepth) +
                        " levels (a cycle?)");
  }
  auto named = resources.u16(offset + 12, Endian::little);
  auto numbered = resources.u16(offset + 14, Endian::little);
  if (!named.ok() || !numbered.ok()) {
    return pe_error(resources, offset, "resource directory outside the resource section");
  }
  const uint64_t count = uint64_t{*named} + *numbered;
  entries_seen += count;
  if (entries_seen > kMaxResourceEntries || !resources.contains(offset + 16, count * 8)) {
    return pe_error(resources, offset, "resource directory entries run past the section");
  }
  for (uint64_t index = 0; index < count; ++index) {
    const uint32_t target = *resources.u32(offset + 16 + index * 8 + 4, Endian::little);
    if ((target & 0x80000000u) == 0) continue;  // a data entry, not a subdirectory
    if (auto status =
            check_resource_directory(resources, target & 0x7fffffffu, depth + 1, entries_seen);
        !status.ok()) {
      return status;
    }
  }
  return Ok{};
}

Status check_pe_sections(ByteView file, uint64_t table_offset, uint64_t count,
                         std::vector<PeSectionRange>& sections) {
  if (count > kMaxPeSections) {
    return pe_error(file, table_offset,
                    std::to_string(count) + " sections, more than the " +
                        std::to_string(kMaxPeSections) + " the format allows");
  }
  if (!file.contains(table_offset, count * 40)) {
    return pe_error(file, table_offset, "section table runs past the end of the file");
  }
  for (uint64_t index = 0; index < count; ++index) {
    const uint64_t at = table_offset + index * 40;
    PeSectionRange section{*file.u32(at + 12, Endian::little), *file.u32(at + 8, Endian::little),
                           *file.u32(at + 20, Endian::little), *file.u32(at + 16, Endian::little)};
    if (section.raw_bytes != 0 && !file.contains(section.raw_offset, section.raw_bytes)) {
      return pe_error(file, at,
                      "section " + std::to_string(index) + " raw data at " +
                          hex(section.raw_offset) + " (" + std::to_string(section.raw_bytes) +
                          " bytes) runs past the end of the " + std::to_string(file.size()) +
                          "-byte file");
    }
    sections.push_back(section);
  }
  return Ok{};
}

}  // namespace

Status check_macho_structure(ByteView file) {
  auto magic = file.u32(0, Endian::big);
  if (!magic.ok()) return Error("Mach-O: file too short for a header");
  if (*magic != kFatMagic) return check_macho_image(file);
  const uint64_t slice_count = *file.u32(4, Endian::big);
  if (slice_count == 0 || slice_count > kMaxFatSlices || !file.contains(8, slice_count * 20)) {
    return Error("Mach-O: fat header claims " + std::to_string(slice_count) +
                 " architectures that do not fit in the file");
  }
  for (uint64_t index = 0; index < slice_count; ++index) {
    const uint64_t offset = *file.u32(8 + index * 20 + 8, Endian::big);
    const uint64_t size = *file.u32(8 + index * 20 + 12, Endian::big);
    auto slice = file.slice(offset, size);
    if (!slice.ok()) {
      return Error("Mach-O: fat slice " + std::to_string(index) + " at " + hex(offset) + " (" +
                   std::to_string(size) + " bytes) runs past the end of the " +
                   std::to_string(file.size()) + "-byte file");
    }
    if (auto status = check_macho_image(*slice); !status.ok()) return status;
  }
  return Ok{};
}

Status check_pe_structure(ByteView file) {
  auto pe_offset = file.u32(0x3c, Endian::little);
  if (!pe_offset.ok()) return Error("PE: file too short for a DOS header");
  const uint64_t coff = uint64_t{*pe_offset} + 4;
  if (!file.contains(coff, 20)) return pe_error(file, 0x3c, "COFF header past the end of the file");
  const uint64_t section_count = *file.u16(coff + 2, Endian::little);
  const uint64_t optional_bytes = *file.u16(coff + 16, Endian::little);
  const uint64_t optional = coff + 20;
  if (!file.contains(optional, optional_bytes) || optional_bytes < 2) {
    return pe_error(file, coff, "optional header runs past the end of the file");
  }
  const uint16_t magic = *file.u16(optional, Endian::little);
  const bool pe32_plus = magic == 0x20b;
  if (magic != 0x10b && !pe32_plus) {
    return pe_error(file, optional,
                    "optional header magic " + hex(magic) + " is neither PE32 nor PE32+");
  }
  const uint64_t directory_count_at = optional + (pe32_plus ? 108 : 92);
  if (optional_bytes < (pe32_plus ? 112u : 96u)) {
    return pe_error(file, optional, "optional header too short for its data directories");
  }
  const uint64_t directory_count = *file.u32(directory_count_at, Endian::little);
  if (directory_count > 16 ||
      (directory_count_at + 4 - optional) + directory_count * 8 > optional_bytes) {
    return pe_error(file, directory_count_at,
                    std::to_string(directory_count) + " data directories do not fit the header");
  }
  std::vector<PeSectionRange> sections;
  if (auto status = check_pe_sections(file, optional + optional_bytes, section_count, sections);
      !status.ok()) {
    return status;
  }
  const uint64_t symbol_table = *file.u32(coff + 8, Endian::little);
  const uint64_t symbol_count = *file.u32(coff + 12, Endian::little);
  if (symbol_table != 0 && !file.contains(symbol_table, symbol_count * 18)) {
    return pe_error(file, coff + 8,
                    "COFF symbol table at " + hex(symbol_table) + " (" +
                        std::to_string(symbol_count) + " x 18 bytes) runs past the end of the " +
                        std::to_string(file.size()) + "-byte file");
  }
  if (directory_count > kResourceDirectory) {
    const uint64_t entry = directory_count_at + 4 + kResourceDirectory * 8;
    const uint64_t rva = *file.u32(entry, Endian::little);
    const uint64_t size = *file.u32(entry + 4, Endian::little);
    if (rva != 0 && size != 0) {
      auto offset = pe_offset_of(sections, rva);
      if (!offset)
        return pe_error(file, entry, "resource directory RVA " + hex(rva) + " is in no section");
      uint64_t entries_seen = 0;
      return check_resource_directory(file.clamp(*offset, size), 0, 0, entries_seen);
    }
  }
  return Ok{};
}

bool is_pe(ByteView file) {
  // DOS header "MZ", e_lfanew at 0x3c pointing at "PE\0\0".
  if (file.size() < 0x40 || file.data()[0] != 'M' || file.data()[1] != 'Z') return false;
  auto pe_offset = file.u32(0x3c, Endian::little);
  if (!pe_offset.ok()) return false;
  auto signature = file.slice(*pe_offset, 4);
  return signature.ok() && signature->chars() == std::string_view("PE\0\0", 4);
}

bool is_macho(ByteView file) {
  auto magic = file.u32(0, Endian::big);
  if (!magic.ok()) return false;
  switch (*magic) {
    case 0xfeedface:  // MH_MAGIC, big-endian 32-bit
    case 0xfeedfacf:  // MH_MAGIC_64, big-endian
    case 0xcefaedfe:  // MH_CIGAM, little-endian 32-bit
    case 0xcffaedfe:  // MH_CIGAM_64, little-endian 64-bit
      return true;
    case 0xcafebabe: {  // FAT_MAGIC, shared with Java class files, whose major version (>= 45)
                        // sits where a fat header keeps its slice count
      auto slices = file.u32(4, Endian::big);
      return slices.ok() && *slices >= 1 && *slices <= kMaxFatSlices;
    }
    default:
      return false;
  }
}

}  // namespace fipsgate
