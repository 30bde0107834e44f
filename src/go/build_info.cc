// The build-info blob (reference §1.1–1.3). Like Go's debug/buildinfo we look at the
// .go.buildinfo section first (Mach-O __go_buildinfo; PE .data); without section headers we
// search EVERY writable PT_LOAD, because internal-linked PIEs put the blob in the second one
// (reference §1.3, E1), and we search the whole segment, not the first 64 KiB.
#include "fipsgate/go/build_info.h"

#include <algorithm>
#include <tuple>
#include <unordered_set>
#include <vector>

#include "fipsgate/io/limits.h"

namespace fipsgate {

namespace {

constexpr uint64_t kBlobAlignment = 16;    // the linker aligns the blob symbol to 16 (§1.2)
constexpr uint64_t kBlobHeaderBytes = 32;  // magic, pointer size, flags, two pointer slots
constexpr uint8_t kFlagBigEndian = 0x1;
constexpr uint8_t kFlagInline = 0x2;

// A stretch of file bytes to search, with the virtual address of its first byte.
struct SearchRegion {
  ByteView bytes;
  uint64_t vaddr = 0;
  std::string label;  // becomes BuildInfo::found_in
};

std::optional<SearchRegion> section_region(const BinaryImage& image, std::string_view name) {
  const Section* section = image.section(name);
  if (section == nullptr) return std::nullopt;
  Result<ByteView> bytes = image.section_bytes(*section);
  if (!bytes.ok()) return std::nullopt;
  return SearchRegion{*bytes, section->vaddr, "section " + std::string(name)};
}

// Where to look, in order: the blob's own section, else every writable segment (or, for images
// without segments, every writable section).
std::vector<SearchRegion> search_regions(const BinaryImage& image) {
  std::vector<SearchRegion> regions;
  for (std::string_view name : {".go.buildinfo", "__go_buildinfo"}) {
    if (auto region = section_region(image, name)) regions.push_back(std::move(*region));
  }
  if (image.format == FileFormat::pe) {
    if (auto region = section_region(image, ".data")) regions.push_back(std::move(*region));
  }
  for (const Segment& segment : image.loadable_segments()) {
    if (!segment.writable || segment.file_size == 0) continue;
    ByteView bytes = image.file().clamp(segment.file_offset, segment.file_size);
    regions.push_back({bytes, segment.vaddr, "writable segment at " + hex(segment.vaddr)});
  }
  if (image.loadable_segments().empty()) {
    for (const Section& section : image.sections) {
      if (!section.writable || !section.allocated) continue;
      if (auto bytes = image.section_bytes(section); bytes.ok()) {
        regions.push_back({*bytes, section.vaddr, "section " + std::string(section.name)});
      }
    }
  }
  return regions;
}

// Next occurrence of the magic at or after `from` whose virtual address is 16-byte aligned.
std::optional<uint64_t> find_aligned_magic(const SearchRegion& region, uint64_t from) {
  std::string_view haystack = region.bytes.chars();
  while (from < haystack.size()) {
    size_t hit = haystack.find(kBuildInfoMagic, from);
    if (hit == std::string_view::npos) return std::nullopt;
    if ((region.vaddr + hit) % kBlobAlignment == 0) return hit;
    from = hit + 1;
  }
  return std::nullopt;
}

// A varint-prefixed string inside the blob (inline format). `cursor` advances past it.
Result<std::string_view> inline_string(ByteView blob, uint64_t& cursor, uint64_t max_bytes,
                                       std::string_view what) {
  Result<Varint> length = blob.uvarint(cursor);
  if (!length.ok()) {
    return Error(std::string(what) + " length varint " + blob.where(cursor) +
                 " runs past the end of the region (" + length.error().message() + ")");
  }
  uint64_t data_offset = cursor + length->length_bytes;
  if (length->value > max_bytes) {
    return Error(std::string(what) + " length " + std::to_string(length->value) + " " +
                 blob.where(cursor) + " exceeds the " + std::to_string(max_bytes) + "-byte limit");
  }
  if (!blob.contains(data_offset, length->value)) {
    return Error(std::string(what) + " of " + std::to_string(length->value) + " bytes " +
                 blob.where(data_offset) +
                 " runs past the end of the region (which ends at file offset " +
                 hex(blob.file_offset() + blob.size()) + ")");
  }
  cursor = data_offset + length->value;
  return blob.chars().substr(data_offset, length->value);
}

// A Go string header {data pointer, length} at vaddr, and the bytes it points to.
Result<std::string_view> go_string_at(const BinaryImage& image, uint64_t header_vaddr,
                                      unsigned pointer_size, Endian endian, uint64_t max_bytes,
                                      std::string_view what) {
  if (header_vaddr == 0) {
    return Error(std::string(what) +
                 " string header pointer is 0 (a dynamic relocation may fill it at load time)");
  }
  Result<ByteView> header = image.at_address(header_vaddr, 2 * uint64_t{pointer_size});
  if (!header.ok()) {
    return Error(std::string(what) + " string header at virtual address " + hex(header_vaddr) +
                 " is not in the file: " + header.error().message());
  }
  uint64_t data_vaddr = load_uint(header->data(), pointer_size, endian);
  uint64_t length = load_uint(header->data() + pointer_size, pointer_size, endian);
  if (length == 0) return std::string_view{};
  if (length > max_bytes) {
    return Error(std::string(what) + " length " + std::to_string(length) + " " +
                 header->where(pointer_size) + " exceeds the " + std::to_string(max_bytes) +
                 "-byte limit");
  }
  Result<ByteView> data = image.at_address(data_vaddr, length);
  if (!data.ok()) {
    return Error(std::string(what) + " data pointer " + hex(data_vaddr) + " " + header->where(0) +
                 " does not point to " + std::to_string(length) +
                 " bytes in the file: " + data.error().message());
  }
  return data->chars();
}

// The version and framed module strings, before any parsing.
struct BlobStrings {
  std::string_view version;
  std::string_view framed_modules;
  uint64_t modules_file_offset = 0;
};

Result<BlobStrings> read_inline_strings(ByteView blob) {
  uint64_t cursor = kBlobHeaderBytes;
  BlobStrings strings;
  FG_TRY(strings.version, inline_string(blob, cursor, kMaxGoVersionBytes, "version"));
  // The framed module string carries two 16-byte sentinels on top of the text.
  strings.modules_file_offset = blob.file_offset() + cursor;
  FG_TRY(strings.framed_modules,
         inline_string(blob, cursor, kMaxModuleTextBytes + 32, "module text"));
  return strings;
}

Result<BlobStrings> read_pointer_strings(const BinaryImage& image, ByteView blob,
                                         unsigned pointer_size, Endian endian) {
  BlobStrings strings;
  FG_TRY(uint64_t version_vaddr, blob.word(16, pointer_size, endian));
  FG_TRY(uint64_t modules_vaddr, blob.word(16 + pointer_size, pointer_size, endian));
  FG_TRY(strings.version,
         go_string_at(image, version_vaddr, pointer_size, endian, kMaxGoVersionBytes, "version"));
  FG_TRY(strings.framed_modules, go_string_at(image, modules_vaddr, pointer_size, endian,
                                              kMaxModuleTextBytes + 32, "module text"));
  if (!strings.framed_modules.empty()) {
    strings.modules_file_offset = static_cast<uint64_t>(
        reinterpret_cast<const uint8_t*>(strings.framed_modules.data()) - image.file().data());
  }
  return strings;
}

// Fills the parsed parts; a version or module text that does not parse is a warning, not a
// reason to drop what the blob does say.
void parse_blob_strings(const BlobStrings& strings, BuildInfo& info) {
  info.go_version_text = std::string(strings.version);
  Result<GoVersion> version = parse_go_version(strings.version);
  if (version.ok()) {
    info.go_version = std::move(*version);
  } else {
    info.go_version.raw = info.go_version_text;
    info.warnings.push_back("build info: " + version.error().message());
  }
  std::string_view text = strip_modinfo_sentinels(strings.framed_modules);
  info.module_text = std::string(text);
  Result<ModuleInfo> modules = parse_module_info(text);
  if (modules.ok()) {
    info.modules = std::move(*modules);
  } else {
    info.warnings.push_back("build info: module text at file offset " +
                            hex(strings.modules_file_offset + 16) + ": " +
                            modules.error().message());
  }
}

// Decodes the blob whose magic is at `offset` in the region. Error when the header or the
// strings are malformed.
Result<BuildInfo> decode_blob(const BinaryImage& image, const SearchRegion& region,
                              uint64_t offset) {
  ByteView blob = region.bytes.clamp(offset, region.bytes.size() - offset);
  if (blob.size() < kBlobHeaderBytes) {
    return Error("header needs 32 bytes but only " + std::to_string(blob.size()) + " remain in " +
                 region.label);
  }
  BuildInfo info;
  info.blob_vaddr = region.vaddr + offset;
  info.blob_file_offset = blob.file_offset();
  info.found_in = region.label;
  uint8_t pointer_size = blob.data()[14];
  uint8_t flags = blob.data()[15];
  Endian endian = (flags & kFlagBigEndian) ? Endian::big : Endian::little;
  BlobStrings strings;
  if (flags & kFlagInline) {
    info.format = BuildInfo::Format::inline_varint;
    FG_TRY(strings, read_inline_strings(blob));
  } else {
    info.format = BuildInfo::Format::pointer;
    if (pointer_size != 4 && pointer_size != 8) {
      return Error("pointer size byte is " + std::to_string(pointer_size) + ", expected 4 or 8");
    }
    FG_TRY(strings, read_pointer_strings(image, blob, pointer_size, endian));
  }
  if (strings.version.empty()) return Error("version string is empty");
  parse_blob_strings(strings, info);
  return info;
}

}  // namespace

std::string_view to_string(BuildInfo::Format format) {
  return format == BuildInfo::Format::pointer ? "pointer" : "inline";
}

Result<std::optional<BuildInfo>> read_build_info(const BinaryImage& image) {
  // The first aligned magic that decodes wins; a magic that does not decode may be a copy of the
  // magic bytes in ordinary data (debug/buildinfo keeps one), so keep looking and report the
  // first failure only when nothing decodes.
  std::optional<Error> first_failure;
  for (const SearchRegion& region : search_regions(image)) {
    for (auto hit = find_aligned_magic(region, 0); hit;
         hit = find_aligned_magic(region, *hit + 1)) {
      Result<BuildInfo> info = decode_blob(image, region, *hit);
      if (info.ok()) return std::optional<BuildInfo>(std::move(*info));
      if (!first_failure) {
        first_failure =
            info.error().within("build info at file offset " +
                                hex(region.bytes.file_offset() + *hit) + " (" + region.label + ")");
      }
    }
  }
  if (first_failure) return *first_failure;
  return std::optional<BuildInfo>();
}

// ---------------------------------------------------------------------------------------------
// Fallback when the blob is absent (reference §1.4, §1.6): the version is still a Go string in
// read-only data and the framed module text is still in rodata.

namespace {

constexpr std::string_view kBuildVersionSymbol = "runtime.buildVersion";
// "go1." hits and start sentinels considered per binary.
using limits::kMaxModinfoCandidates, limits::kMaxVersionCandidates;

struct Region {
  ByteView bytes;
  uint64_t vaddr = 0;
};

// Loadable file bytes split by writability (sections when the image has no segments).
std::vector<Region> data_regions(const BinaryImage& image, bool writable) {
  std::vector<Region> regions;
  for (const Segment& segment : image.loadable_segments()) {
    if (segment.writable != writable || segment.file_size == 0) continue;
    regions.push_back({image.file().clamp(segment.file_offset, segment.file_size), segment.vaddr});
  }
  if (!image.loadable_segments().empty()) return regions;
  for (const Section& section : image.sections) {
    if (!section.allocated || section.writable != writable) continue;
    if (auto bytes = image.section_bytes(section); bytes.ok()) {
      regions.push_back({*bytes, section.vaddr});
    }
  }
  return regions;
}

struct VersionCandidate {
  GoVersion version;
  std::string found_in;
};

// Prefers the newest release, then the longest text: the toolchain's own "go1.19.8" beats the
// release tags "go1.1" ... "go1.19" that the go/build package also keeps as strings.
bool better(const GoVersion& a, const GoVersion& b) {
  return std::make_tuple(a.major, a.minor, a.patch, a.raw.size()) >
         std::make_tuple(b.major, b.minor, b.patch, b.raw.size());
}

void consider(std::optional<VersionCandidate>& best, GoVersion version, std::string found_in) {
  if (!best || better(version, best->version)) {
    best = VersionCandidate{std::move(version), std::move(found_in)};
  }
}

std::optional<VersionCandidate> version_from_symbol(const BinaryImage& image) {
  const std::optional<Symbol> build_version = image.symbols.find(kBuildVersionSymbol);
  if (!build_version) return std::nullopt;
  Result<std::string_view> text = go_string_at(image, build_version->value, image.pointer_size,
                                               image.endian, kMaxGoVersionBytes, "buildVersion");
  if (!text.ok()) return std::nullopt;
  Result<GoVersion> version = parse_go_version(*text);
  if (!version.ok()) return std::nullopt;
  return VersionCandidate{std::move(*version), "symbol runtime.buildVersion"};
}

// Virtual addresses of every "go1." in read-only data.
std::unordered_set<uint64_t> go1_addresses(const BinaryImage& image) {
  std::unordered_set<uint64_t> addresses;
  for (const Region& region : data_regions(image, false)) {
    for (auto hit = region.bytes.find("go1."); hit && addresses.size() < kMaxVersionCandidates;
         hit = region.bytes.find("go1.", *hit + 1)) {
      addresses.insert(region.vaddr + *hit);
    }
  }
  return addresses;
}

// Go string headers {ptr, len} in writable data whose ptr is a "go1." in rodata: their length
// delimits the string exactly (Go strings have no terminator).
std::optional<VersionCandidate> version_from_string_headers(const BinaryImage& image) {
  std::unordered_set<uint64_t> targets = go1_addresses(image);
  if (targets.empty()) return std::nullopt;
  const unsigned word = image.pointer_size == 4 ? 4 : 8;
  std::optional<VersionCandidate> best;
  for (const Region& region : data_regions(image, true)) {
    const uint8_t* bytes = region.bytes.data();
    for (uint64_t offset = 0; offset + 2 * word <= region.bytes.size(); offset += word) {
      uint64_t pointer = load_uint(bytes + offset, word, image.endian);
      if (!targets.contains(pointer)) continue;
      uint64_t length = load_uint(bytes + offset + word, word, image.endian);
      if (length < 4 || length > kMaxGoVersionBytes) continue;
      Result<ByteView> text = image.at_address(pointer, length);
      if (!text.ok()) continue;
      Result<GoVersion> version = parse_go_version(text->chars());
      if (!version.ok()) continue;
      consider(best, std::move(*version),
               "string header " + region.bytes.where(offset) + " pointing to rodata");
    }
  }
  return best;
}

// The longest "go1.N[.N][rcN|betaN][bN]" at the start of text.
std::string_view release_prefix(std::string_view text) {
  size_t length = 4;  // "go1."
  auto digits = [&] {
    size_t start = length;
    while (length < text.size() && text[length] >= '0' && text[length] <= '9') ++length;
    return length > start;
  };
  if (!digits()) return {};
  size_t accepted = length;
  if (length + 1 < text.size() && text[length] == '.') {
    ++length;
    if (digits()) accepted = length;
  }
  length = accepted;
  for (std::string_view tag : {"rc", "beta", "b"}) {
    if (text.substr(length).starts_with(tag)) {
      length += tag.size();
      if (digits()) accepted = length;
      length = accepted;
    }
  }
  return text.substr(0, accepted);
}

// Last resort: every "go1." in read-only data, cut at the end of its release part.
std::optional<VersionCandidate> version_from_rodata_scan(const BinaryImage& image) {
  std::optional<VersionCandidate> best;
  uint64_t considered = 0;
  for (const Region& region : data_regions(image, false)) {
    std::string_view chars = region.bytes.chars();
    for (auto hit = region.bytes.find("go1."); hit && considered < kMaxVersionCandidates;
         hit = region.bytes.find("go1.", *hit + 1), ++considered) {
      std::string_view text = release_prefix(chars.substr(*hit, 64));
      if (text.empty()) continue;
      Result<GoVersion> version = parse_go_version(text);
      if (!version.ok()) continue;
      consider(best, std::move(*version),
               "rodata string " + region.bytes.where(*hit) + " (heuristic)");
    }
  }
  return best;
}

// The first start…end sentinel pair in loadable data whose text parses.
void modules_from_sentinels(const BinaryImage& image, FallbackBuildInfo& fallback,
                            std::vector<std::string>& errors) {
  uint64_t considered = 0;
  for (bool writable : {false, true}) {
    for (const Region& region : data_regions(image, writable)) {
      std::string_view chars = region.bytes.chars();
      for (auto start = region.bytes.find(kModInfoStart);
           start && considered < kMaxModinfoCandidates;
           start = region.bytes.find(kModInfoStart, *start + 1), ++considered) {
        std::string_view window = chars.substr(*start, kMaxModuleTextBytes + 32);
        size_t end = window.find(kModInfoEnd, kModInfoStart.size());
        if (end == std::string_view::npos) continue;
        std::string_view text = strip_modinfo_sentinels(window.substr(0, end + kModInfoEnd.size()));
        if (text.empty()) continue;
        Result<ModuleInfo> modules = parse_module_info(text);
        if (!modules.ok()) {
          errors.push_back("module text " + region.bytes.where(*start + 16) + ": " +
                           modules.error().message());
          continue;
        }
        fallback.module_text = std::string(text);
        fallback.modules = std::move(*modules);
        fallback.modules_found_in = "modinfo sentinels " + region.bytes.where(*start);
        return;
      }
    }
  }
}

}  // namespace

std::optional<FallbackBuildInfo> find_build_info_fallback(const BinaryImage& image,
                                                          std::vector<std::string>& errors,
                                                          bool allow_heuristics) {
  FallbackBuildInfo fallback;
  std::optional<VersionCandidate> version = version_from_symbol(image);
  if (!version && allow_heuristics) version = version_from_string_headers(image);
  if (!version && allow_heuristics) version = version_from_rodata_scan(image);
  if (version) {
    fallback.go_version_text = version->version.raw;
    fallback.go_version = std::move(version->version);
    fallback.version_found_in = std::move(version->found_in);
  }
  modules_from_sentinels(image, fallback, errors);
  if (!fallback.go_version && !fallback.modules) return std::nullopt;
  return fallback;
}

}  // namespace fipsgate
