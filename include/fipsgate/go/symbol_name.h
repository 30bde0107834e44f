// The grammar of Go symbol names as found in pclntab and ELF symbol tables (reference §4):
// "<escaped package path>.<name>", with methods, closures, generics, compiler/linker prefixes,
// ABI suffixes, and C symbols without a package.
#pragma once

#include <string>
#include <string_view>

#include "fipsgate/io/terminated_name.h"

namespace fipsgate {

enum class SymbolNameKind : uint8_t {
  go,                 // belongs to a Go package: "crypto/sha256.(*digest).Write"
  runtime_generated,  // compiler/linker names without a package: "go:buildid", "type:.eq.[2]int",
                      // "go.shape.int"
  cgo,                // cgo glue: "_cgo_3a42ad434848_Cfunc_foo", "x_cgo_init", "_cgo_topofstack"
  c,  // C/assembly without a package: "_goboringcrypto_AES_encrypt", "BORINGSSL_bcm_text_start",
      // "main"
};
std::string_view to_string(SymbolNameKind kind);

SymbolNameKind classify_symbol_name(std::string_view name);

// The escaped package path prefix of a Go symbol name ("crypto/internal/fips140/v1%2e0%2e0" for
// "crypto/internal/fips140/v1%2e0%2e0.Name"), "" for names without a package (see
// classify_symbol_name). For type:.eq./type:.hash. functions it is the package of the type's
// name ("" for unnamed/builtin types). A view into function_name.
std::string_view package_path(std::string_view function_name);

// The escaped package path a Go function's name starts with: up to the first '.' after the last
// '/' of the part before any type arguments, receiver parenthesis or anonymous type; "" when
// there is no such '.'. It does not classify: package_path() decides whether a name is a Go
// function's at all.
std::string_view go_package_prefix(std::string_view name);

// True when package_path(function_name) is certainly `package`, decided from the name's first
// bytes: `package` is what package_path() returned for another name and holds a '/', and the
// name is "<package>.<rest>" with no '/' in rest before any of "[({ *". False means "parse it".
// Functions come package by package, so counting them per package mostly takes this path.
bool continues_package(std::string_view function_name, std::string_view package);
// The package of a run of functions, with what continues_package() asks of it found once per
// run rather than once per name.
struct PackageRun {
  PackageRun() = default;
  explicit PackageRun(std::string_view package)
      : package(package), has_slash(package.find('/') != std::string_view::npos) {}
  std::string_view package;
  bool has_slash = false;
};
// The same for a name still in its table, in one pass over its bytes: measuring it first (as a
// string_view needs) read every name of a big pclntab twice.
bool continues_package(TerminatedName function_name, const PackageRun& run);

// The import path: package_path() with %xx escapes undone ("gopkg.in/yaml.v3").
std::string import_path(std::string_view function_name);

// "%2e" -> "."; malformed escapes are kept as written.
std::string unescape_path(std::string_view escaped);

// The spelling of an import path in symbol names (cmd/internal/objabi PathToPrefix): bytes up
// to ' ', '%', '"', bytes from 0x7F and the dots of the last element become "%xx" (lowercase
// hex): "gopkg.in/yaml.v3" -> "gopkg.in/yaml%2ev3". The inverse of unescape_path.
std::string escape_path(std::string_view import_path);

// "vendor/golang.org/x/crypto/hkdf" -> "golang.org/x/crypto/hkdf"; other paths unchanged.
std::string_view strip_vendor(std::string_view path);

// Removes the ELF-symtab-only ABI decoration: "pkg.F.abi0" -> "pkg.F" (also ".abiinternal").
std::string_view strip_abi_suffix(std::string_view name);

// Rewrites the type arguments of a generic name to the pclntab form "[...]" (the linker keeps
// everything outside the first '[' and its matching last ']'): "main.Map[go.shape.int_0]" ->
// "main.Map[...]". Names without brackets are returned unchanged.
std::string collapse_type_arguments(std::string_view name);

}  // namespace fipsgate
