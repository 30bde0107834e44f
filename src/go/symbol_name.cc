// The Go symbol-name grammar: docs/go-binary-reference.md §4 (go1.19.8
// cmd/internal/objabi/path.go PathToPrefix; cmd/link/internal/ld/pcln.go nameParts;
// debug/gosym symtab.go PackageName).
#include "fipsgate/go/symbol_name.h"

#include <array>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace fipsgate {

namespace {

// A byte loop, not a memcmp call: the prefixes are a few bytes and most names differ at the
// first, and this runs several times for each of 500k names.
bool starts_with(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t k = 0; k < prefix.size(); ++k) {
    if (text[k] != prefix[k]) return false;
  }
  return true;
}

// A set of bytes tested with one table load. string_view::find_first_of with a literal set
// calls memchr on the set once per byte of the text, and these run on every function name of
// the pclntab (perf: a quarter of a kubectl scan went to that memchr).
class ByteSet {
 public:
  constexpr explicit ByteSet(std::string_view members) {
    for (char c : members) contains_[static_cast<uint8_t>(c)] = true;
  }
  constexpr bool contains(char c) const { return contains_[static_cast<uint8_t>(c)]; }
  size_t find_first_in(std::string_view text) const {
    for (size_t i = 0; i < text.size(); ++i) {
      if (contains_[static_cast<uint8_t>(text[i])]) return i;
    }
    return std::string_view::npos;
  }

 private:
  std::array<bool, 256> contains_{};
};

constexpr ByteSet kWordEnd(".{ [(*,");
constexpr ByteSet kPackageHeadEnd("[({ *");
constexpr ByteSet kCStaticMarks("ABCDEFGHIJKLMNOPQRSTUVWXYZ_");

// Words the compiler and linker put after "go." / "type." (≤1.19 spelling) for symbols that
// belong to no package. A package path like "go.uber.org/zap" must not be mistaken for these.
constexpr std::array<std::string_view, 22> kGeneratedWords = {
    "buildid",       "string",      "func",     "itab",  "shape",   "importpath",
    "info",          "cuinfo",      "link",     "map",   "builtin", "track",
    "weak",          "constinfo",   "loc",      "range", "struct",  "interface",
    "textfipsstart", "textfipsend", "fipsinfo", "plugin"};

bool is_generated_word(std::string_view rest) {
  if (rest.empty()) return true;
  // "type..eq.T", "type.*T", "go.(*struct {...}).M", "type.[2]int", "type.func(...)".
  if (rest[0] == '.' || rest[0] == '*' || rest[0] == '(' || rest[0] == '[') return true;
  std::string_view word = rest.substr(0, kWordEnd.find_first_in(rest));
  for (std::string_view generated : kGeneratedWords) {
    if (word == generated) return true;
  }
  return false;
}

// True for "go.uber.org/zap.New"-style names: the first path element is a domain name.
bool is_domain_path(std::string_view name) {
  size_t slash = name.find('/');
  if (slash == std::string_view::npos) return false;
  for (char c : name.substr(0, slash)) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

bool is_generated(std::string_view name) {
  if (name.empty() || (name[0] != 'g' && name[0] != 't')) return false;  // most names: one test
  // 1.20+ spelling: "go:" and "type:" are never package paths.
  if (starts_with(name, "go:") || starts_with(name, "type:")) return true;
  for (std::string_view prefix : {std::string_view("go."), std::string_view("type.")}) {
    if (!starts_with(name, prefix)) continue;
    std::string_view rest = name.substr(prefix.size());
    if (is_generated_word(rest)) return true;
    return !is_domain_path(name);
  }
  return false;
}

bool is_cgo(std::string_view name) {
  if (name.empty() || (name[0] != '_' && name[0] != 'x' && name[0] != 'c')) return false;
  return starts_with(name, "_cgo_") || starts_with(name, "x_cgo_") || starts_with(name, "__cgo_") ||
         starts_with(name, "_cgoexp_") || starts_with(name, "crosscall") ||
         starts_with(name, "_crosscall");
}

// GCC clone suffixes: "foo.part.0", "foo.cold", "foo.isra.0", "foo.constprop.0".
bool has_c_clone_suffix(std::string_view name) {
  for (std::string_view suffix : {".part.", ".isra.", ".constprop.", ".lto_priv.", ".cold"}) {
    if (name.find(suffix) != std::string_view::npos) return true;
  }
  return false;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// "type:.eq.crypto/x.T" -> "crypto/x.T" (the type whose equality/hash function it is); array
// and pointer decorations are dropped: "type..eq.[2]encoding/asn1.encoder" -> "encoding/asn1...".
std::string_view type_function_subject(std::string_view name) {
  for (std::string_view prefix : {"type:.eq.", "type:.hash.", "type..eq.", "type..hash."}) {
    if (!starts_with(name, prefix)) continue;
    std::string_view subject = name.substr(prefix.size());
    while (!subject.empty() && (subject[0] == '[' || subject[0] == '*')) {
      size_t close = subject[0] == '[' ? subject.find(']') : 0;
      if (close == std::string_view::npos) return {};
      subject.remove_prefix(close + 1);
    }
    return subject;
  }
  return {};
}

// Where the head of a name ends (the first of "[({ *", else its size) and the last '/' before
// that (npos when none). One pass, 16 bytes at a time where SSE2 is there: names are ~140 bytes
// on average and there are 500k of them in big binaries; a byte-table loop, a backward search
// and a memchr were a third of `inspect`.
struct Head {
  size_t end;
  size_t last_slash;
};

#if defined(__SSE2__)
// Bit j set when byte j of the block ends a head: one of "[({ *", and NUL too for names read
// up to their NUL. Three compares for the six bytes: '(' 0x28 and '*' 0x2A differ in bit 1,
// '[' 0x5B and '{' 0x7B in bit 5, and so do NUL and ' ' 0x20.
template <bool kNulEnds>
uint32_t head_ends_in(__m128i block) {
  const __m128i no_bit5 = _mm_and_si128(block, _mm_set1_epi8(static_cast<char>(0xDF)));
  const __m128i no_bit1 = _mm_and_si128(block, _mm_set1_epi8(static_cast<char>(0xFD)));
  const __m128i space = kNulEnds ? _mm_cmpeq_epi8(no_bit5, _mm_setzero_si128())
                                 : _mm_cmpeq_epi8(block, _mm_set1_epi8(' '));
  return static_cast<uint32_t>(
      _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(no_bit1, _mm_set1_epi8('(')),
                                                  _mm_cmpeq_epi8(no_bit5, _mm_set1_epi8('['))),
                                     space)));
}

uint32_t slashes_in(__m128i block) {
  return static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(block, _mm_set1_epi8('/'))));
}
#endif

Head scan_head(std::string_view name) {
  const char* data = name.data();
  Head head{name.size(), std::string_view::npos};
  size_t i = 0;
  bool ended = false;
#if defined(__SSE2__)
  for (; i + 16 <= name.size() && !ended; i += 16) {
    const __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + i));
    const uint32_t ends = head_ends_in<false>(block);
    uint32_t slashes = slashes_in(block);
    if (ends != 0) {
      const auto first = static_cast<unsigned>(__builtin_ctz(ends));
      slashes &= (1u << first) - 1;
      head.end = i + first;
      ended = true;
    }
    if (slashes != 0) head.last_slash = i + 31 - static_cast<size_t>(__builtin_clz(slashes));
  }
#endif
  for (; i < name.size() && !ended; ++i) {
    if (kPackageHeadEnd.contains(data[i])) {
      head.end = i;
      ended = true;
    } else if (data[i] == '/') {
      head.last_slash = i;
    }
  }
  return head;
}

}  // namespace

std::string_view go_package_prefix(std::string_view name) {
  const Head head = scan_head(name);
  const size_t from = head.last_slash == std::string_view::npos ? 0 : head.last_slash + 1;
  const size_t dot = name.substr(0, head.end).find('.', from);
  if (dot == std::string_view::npos || dot == 0) return {};
  return name.substr(0, dot);
}

std::string_view to_string(SymbolNameKind kind) {
  switch (kind) {
    case SymbolNameKind::go:
      return "go";
    case SymbolNameKind::runtime_generated:
      return "runtime-generated";
    case SymbolNameKind::cgo:
      return "cgo";
    case SymbolNameKind::c:
      return "c";
  }
  return "unknown";
}

namespace {

struct Classified {
  SymbolNameKind kind;
  std::string_view package;  // the escaped package path, for SymbolNameKind::go
};

// The kind and, for Go names, the package prefix the classification already had to find (both
// callers need it; parsing it twice was most of the cost of counting 500k names).
Classified classify_with_package(std::string_view name) {
  if (is_cgo(name)) return {SymbolNameKind::cgo, {}};
  if (is_generated(name)) return {SymbolNameKind::runtime_generated, {}};
  bool has_slash = name.find('/') != std::string_view::npos;
  // Go never builds packages from directories starting with '_' or '.', except GOPATH-less
  // local paths like "_/home/x/p", which have a slash.
  if (!has_slash && (name.empty() || name[0] == '_' || name[0] == '.')) {
    return {SymbolNameKind::c, {}};
  }
  if (!has_slash && has_c_clone_suffix(name)) return {SymbolNameKind::c, {}};
  std::string_view package = go_package_prefix(name);
  if (package.empty()) return {SymbolNameKind::c, {}};
  // A one-element package path with an upper-case letter or '_' is a C function-local static,
  // "BORINGSSL_self_test.kAESKey" (BoringSSL syso, internal linking); Go's one-element paths
  // are the standard library's lower-case names and main.
  if (!has_slash && kCStaticMarks.find_first_in(package) != std::string_view::npos) {
    return {SymbolNameKind::c, {}};
  }
  return {SymbolNameKind::go, package};
}

}  // namespace

SymbolNameKind classify_symbol_name(std::string_view name) {
  return classify_with_package(name).kind;
}

std::string_view package_path(std::string_view function_name) {
  std::string_view name = strip_abi_suffix(function_name);
  const Classified classified = classify_with_package(name);
  switch (classified.kind) {
    case SymbolNameKind::go:
      return classified.package;
    case SymbolNameKind::runtime_generated: {
      std::string_view subject = type_function_subject(name);
      if (subject.empty() || classify_symbol_name(subject) != SymbolNameKind::go) return {};
      return go_package_prefix(subject);
    }
    case SymbolNameKind::cgo:
    case SymbolNameKind::c:
      return {};
  }
  return {};
}

// Why the first bytes decide it: with a '/' in the package, the cgo and generated-name tests
// and the slash test read only bytes inside "<package>." (or fail on its '.'), and the same
// bytes already passed them for the other name; the package's last element has no '.', so the
// first '.' after the last '/' is the one after the package unless rest adds a '/' to the head.
bool continues_package(std::string_view function_name, std::string_view package) {
  const std::string_view name = strip_abi_suffix(function_name);
  if (name.size() <= package.size() || name[package.size()] != '.' || !name.starts_with(package) ||
      package.find('/') == std::string_view::npos) {
    return false;
  }
  return scan_head(name.substr(package.size() + 1)).last_slash == std::string_view::npos;
}

namespace {

// Whether the bytes of `name` from `from` on hold a '/' before the end of the head (the first of
// "[({ *") or of the name; `end` is set to where that search stopped.
bool slash_in_head(TerminatedName name, uint64_t from, uint64_t& end) {
  const char* data = name.data;
  uint64_t i = from;
#if defined(__SSE2__)
  for (; i + 16 <= name.limit; i += 16) {
    const __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + i));
    const uint32_t stops = head_ends_in<true>(block);
    const uint32_t slashes = slashes_in(block);
    if (stops != 0) {
      const auto first = static_cast<unsigned>(__builtin_ctz(stops));
      end = i + first;
      return (slashes & ((1u << first) - 1)) != 0;
    }
    if (slashes != 0) return true;
  }
#endif
  for (; i < name.limit; ++i) {
    if (data[i] == '\0' || kPackageHeadEnd.contains(data[i])) break;
    if (data[i] == '/') return true;
  }
  end = i;
  return false;
}

}  // namespace

// The string_view form's tests on the name up to its NUL. An ABI suffix holds no '/' and none of
// "[({ *", so stripping it changes the head test only by ending the name sooner; when the head
// runs to the name's end, the stripped name is measured to see that it still holds "<package>.".
bool continues_package(TerminatedName name, const PackageRun& run) {
  const uint64_t dot = run.package.size();
  if (!run.has_slash || !name.continues_with(0, run.package) || name.ends_at(dot) ||
      name.at(dot) != '.') {
    return false;
  }
  uint64_t end = 0;
  if (slash_in_head(name, dot + 1, end)) return false;
  if (!name.ends_at(end)) return true;  // the head ends before the name does
  const std::string_view stripped = strip_abi_suffix(std::string_view(name.data, end));
  return stripped.size() > dot;
}

std::string import_path(std::string_view function_name) {
  return unescape_path(package_path(function_name));
}

std::string unescape_path(std::string_view escaped) {
  std::string path;
  path.reserve(escaped.size());
  for (size_t i = 0; i < escaped.size(); ++i) {
    if (escaped[i] == '%' && i + 2 < escaped.size()) {
      int high = hex_value(escaped[i + 1]), low = hex_value(escaped[i + 2]);
      if (high >= 0 && low >= 0) {
        path.push_back(static_cast<char>(high * 16 + low));
        i += 2;
        continue;
      }
    }
    path.push_back(escaped[i]);
  }
  return path;
}

std::string escape_path(std::string_view import_path) {
  constexpr std::string_view kHex = "0123456789abcdef";
  const size_t last_slash = import_path.rfind('/');
  const size_t last_element = last_slash == std::string_view::npos ? 0 : last_slash + 1;
  std::string escaped;
  escaped.reserve(import_path.size());
  for (size_t i = 0; i < import_path.size(); ++i) {
    const auto c = static_cast<unsigned char>(import_path[i]);
    if (c <= ' ' || (c == '.' && i >= last_element) || c == '%' || c == '"' || c >= 0x7F) {
      escaped += '%';
      escaped += kHex[c >> 4];
      escaped += kHex[c & 0x0F];
    } else {
      escaped += static_cast<char>(c);
    }
  }
  return escaped;
}

std::string_view strip_vendor(std::string_view path) {
  constexpr std::string_view kVendor = "vendor/";
  return starts_with(path, kVendor) ? path.substr(kVendor.size()) : path;
}

std::string_view strip_abi_suffix(std::string_view name) {
  if (name.empty() || (name.back() != '0' && name.back() != 'l')) return name;  // most names
  for (std::string_view suffix : {".abi0", ".abiinternal"}) {
    if (name.size() > suffix.size() && name.substr(name.size() - suffix.size()) == suffix) {
      return name.substr(0, name.size() - suffix.size());
    }
  }
  return name;
}

std::string collapse_type_arguments(std::string_view name) {
  size_t open = name.find('[');
  size_t close = name.rfind(']');
  if (open == std::string_view::npos || close == std::string_view::npos || close <= open) {
    return std::string(name);
  }
  return std::string(name.substr(0, open)) + "[...]" + std::string(name.substr(close + 1));
}

}  // namespace fipsgate
