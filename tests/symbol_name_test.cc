// The Go symbol-name grammar on real names: every name below was taken from `go tool nm` of the
// go1.19.8 / go1.24.4 / go1.27.3 sample binaries (tools/build-samples) or of the Go toolchain.
#include <doctest/doctest.h>

#include <filesystem>
#include <random>
#include <string>
#include <string_view>

#include "fipsgate/binary/binary_image.h"
#include "fipsgate/go/go_binary.h"
#include "fipsgate/go/symbol_name.h"
#include "fipsgate/io/mapped_file.h"

namespace fipsgate {
namespace {

struct NameCase {
  std::string_view name;
  SymbolNameKind kind;
  std::string_view package;  // package_path(): escaped, "" for none
};

constexpr NameCase kNames[] = {
    // Functions, methods, closures.
    {"main.main", SymbolNameKind::go, "main"},
    {"crypto/sha256.(*digest).Write", SymbolNameKind::go, "crypto/sha256"},
    {"crypto.Hash.New-fm", SymbolNameKind::go, "crypto"},
    {"context.(*cancelCtx).propagateCancel.func1", SymbolNameKind::go, "context"},
    {"context.WithDeadlineCause.deferwrap1", SymbolNameKind::go, "context"},
    {"crypto/ecdh.init.func10", SymbolNameKind::go, "crypto/ecdh"},
    {"crypto/sha256.init.0", SymbolNameKind::go, "crypto/sha256"},
    {"main.glob..func1", SymbolNameKind::go, "main"},
    {"crypto/internal/fips140/aes/gcm.ghash-range1", SymbolNameKind::go,
     "crypto/internal/fips140/aes/gcm"},
    {"net/http.(*Transport).dialConnFor.gowrap1", SymbolNameKind::go, "net/http"},
    // Generics: type arguments may hold dots, slashes, spaces and braces.
    {"main.Map[...]", SymbolNameKind::go, "main"},
    {"main.(*List[...]).Push", SymbolNameKind::go, "main"},
    {"crypto/ecdsa.verifyFIPS[go.shape.*crypto/internal/fips140/v1.0.0/nistec.P256Point]",
     SymbolNameKind::go, "crypto/ecdsa"},
    {"crypto/elliptic.(*nistCurve[*crypto/internal/fips140/v1.0.0/nistec.P224Point]).Add",
     SymbolNameKind::go, "crypto/elliptic"},
    {"weak.Make[go.shape.struct { net/netip.isV6 bool; net/netip.zoneV6 string }]",
     SymbolNameKind::go, "weak"},
    {"crypto/hmac.New.UnwrapNew[go.shape.interface { BlockSize() int; Reset() }].func1",
     SymbolNameKind::go, "crypto/hmac"},
    {"main..dict.Map[int]", SymbolNameKind::go, "main"},
    // Escaped last path element (cmd/internal/objabi PathToPrefix).
    {"crypto/internal/fips140/v1%2e0%2e0.CAST", SymbolNameKind::go,
     "crypto/internal/fips140/v1%2e0%2e0"},
    {"crypto/internal/entropy/v1%2e0%2e0.(*source).Sample", SymbolNameKind::go,
     "crypto/internal/entropy/v1%2e0%2e0"},
    {"crypto/internal/fips140/v1.0.0/aes.encryptBlockAsm", SymbolNameKind::go,
     "crypto/internal/fips140/v1.0.0/aes"},
    {"gopkg.in/yaml%2ev3.(*parser).parse", SymbolNameKind::go, "gopkg.in/yaml%2ev3"},
    // Domain-style paths that begin like generated prefixes.
    {"go.uber.org/zap.(*Logger).Info", SymbolNameKind::go, "go.uber.org/zap"},
    {"go.opentelemetry.io/otel/trace.SpanFromContext", SymbolNameKind::go,
     "go.opentelemetry.io/otel/trace"},
    // Vendored std dependencies keep their prefix.
    {"vendor/golang.org/x/crypto/chacha20poly1305.(*chacha20poly1305).Seal", SymbolNameKind::go,
     "vendor/golang.org/x/crypto/chacha20poly1305"},
    // ABI0 assembly in the ELF symtab.
    {"crypto/internal/fips140/v1.0.0/aes/gcm.gcmAesEnc.abi0", SymbolNameKind::go,
     "crypto/internal/fips140/v1.0.0/aes/gcm"},
    {"crypto/internal/boring/sig.BoringCrypto.abi0", SymbolNameKind::go,
     "crypto/internal/boring/sig"},
    // cgo wrappers on the Go side belong to their package.
    {"crypto/internal/boring._Cfunc__goboringcrypto_EVP_PKEY_free", SymbolNameKind::go,
     "crypto/internal/boring"},
    // Compiler and linker names: no package, except eq/hash functions of named types.
    {"go:buildid", SymbolNameKind::runtime_generated, ""},
    {"go:textfipsstart", SymbolNameKind::runtime_generated, ""},
    {"go.buildid", SymbolNameKind::runtime_generated, ""},
    {"go.(*struct { io.Reader; io.Closer }).Close", SymbolNameKind::runtime_generated, ""},
    {"go.struct { io.Reader; io.Closer }.Read", SymbolNameKind::runtime_generated, ""},
    {"go:struct { sync.Mutex; crypto/tls.m map[string]int }.Lock",
     SymbolNameKind::runtime_generated, ""},
    {"go.shape.int_0", SymbolNameKind::runtime_generated, ""},
    {"type..eq.[...]interface {}", SymbolNameKind::runtime_generated, ""},
    {"type..eq.struct { runtime.gList; runtime.n int32 }", SymbolNameKind::runtime_generated, ""},
    {"type:.eq.crypto/internal/fips140/sha256.Digest", SymbolNameKind::runtime_generated,
     "crypto/internal/fips140/sha256"},
    {"type..eq.[2]encoding/asn1.encoder", SymbolNameKind::runtime_generated, "encoding/asn1"},
    {"type..hash.main.pos2", SymbolNameKind::runtime_generated, "main"},
    {"type:.eq.net.dialResult.1", SymbolNameKind::runtime_generated, "net"},
    // cgo glue and C or assembly code without a package.
    {"_cgo_2ac87069779a_C2func_getaddrinfo", SymbolNameKind::cgo, ""},
    {"_cgo_topofstack", SymbolNameKind::cgo, ""},
    {"x_cgo_init", SymbolNameKind::cgo, ""},
    {"crosscall2", SymbolNameKind::cgo, ""},
    {"_goboringcrypto_AES_encrypt", SymbolNameKind::c, ""},
    {"BORINGSSL_bcm_text_start", SymbolNameKind::c, ""},
    {"EVP_AEAD_CTX_seal_wrapper", SymbolNameKind::c, ""},
    {"_rt0_amd64_linux", SymbolNameKind::c, ""},
    {"aeshashbody", SymbolNameKind::c, ""},
    {"__x86.get_pc_thunk.ax", SymbolNameKind::c, ""},
    {".and_masks", SymbolNameKind::c, ""},
    {"deregister_tm_clones.cold", SymbolNameKind::c, ""},
    {"main", SymbolNameKind::c, ""},
    // C function-local statics from the BoringSSL syso, in the pclntab with internal linking.
    {"BORINGSSL_bcm_power_on_self_test.kHMACKey", SymbolNameKind::c, ""},
    {"self_test_ecdsa_key.kQx", SymbolNameKind::c, ""},
    {"bn_jacobi.tab", SymbolNameKind::c, ""},
    {"ecp_nistz256_from_mont.ONE", SymbolNameKind::c, ""},
    {"", SymbolNameKind::c, ""},
};

TEST_CASE("real symbol names are classified and attributed to their package") {
  for (const NameCase& test : kNames) {
    CAPTURE(test.name);
    CHECK(classify_symbol_name(strip_abi_suffix(test.name)) == test.kind);
    CHECK(package_path(test.name) == test.package);
  }
}

TEST_CASE("import paths undo the escaping of the last path element") {
  CHECK(import_path("crypto/internal/fips140/v1%2e0%2e0.CAST") == "crypto/internal/fips140/v1.0.0");
  CHECK(import_path("gopkg.in/yaml%2ev3.(*parser).parse") == "gopkg.in/yaml.v3");
  CHECK(import_path("example.com/names/yaml%2ev2.Do") == "example.com/names/yaml.v2");
  CHECK(import_path("crypto/sha256.(*digest).Write") == "crypto/sha256");
  CHECK(import_path("_cgo_topofstack").empty());
}

TEST_CASE("unescaping decodes %xx and keeps malformed escapes as written") {
  CHECK(unescape_path("a%2eb%20c%25d") == "a.b c%d");
  CHECK(unescape_path("v1%2E0") == "v1.0");
  CHECK(unescape_path("bad%zzescape") == "bad%zzescape");
  CHECK(unescape_path("trailing%2") == "trailing%2");
  CHECK(unescape_path("trailing%") == "trailing%");
  CHECK(escape_path("gopkg.in/yaml.v3") == "gopkg.in/yaml%2ev3");
  CHECK(escape_path("crypto/internal/fips140/v1.0.0") == "crypto/internal/fips140/v1%2e0%2e0");
  CHECK(escape_path("golang.org/x/crypto/md4") == "golang.org/x/crypto/md4");
  CHECK(escape_path("a b/\"q\"/100%/\x7f\xc3\xa9.x") == "a%20b/%22q%22/100%25/%7f%c3%a9%2ex");
  CHECK(escape_path("main") == "main");
  for (std::string_view path : {"gopkg.in/yaml.v3", "a b/c.d/e%f", "x/\x01\xff"}) {
    CHECK(unescape_path(escape_path(path)) == path);
  }
  CHECK(unescape_path("") == "");
}

TEST_CASE("strip_vendor removes only a leading vendor/ element") {
  CHECK(strip_vendor("vendor/golang.org/x/crypto/hkdf") == "golang.org/x/crypto/hkdf");
  CHECK(strip_vendor("vendor/github.com/golang-fips/openssl/v2") ==
        "github.com/golang-fips/openssl/v2");
  CHECK(strip_vendor("example.com/app/vendor/x") == "example.com/app/vendor/x");
  CHECK(strip_vendor("vendored/x") == "vendored/x");
}

TEST_CASE("strip_abi_suffix removes the ELF-only ABI decorations") {
  CHECK(strip_abi_suffix("crypto/internal/boring/sig.BoringCrypto.abi0") ==
        "crypto/internal/boring/sig.BoringCrypto");
  CHECK(strip_abi_suffix("runtime.memmove.abiinternal") == "runtime.memmove");
  CHECK(strip_abi_suffix("main.main") == "main.main");
  CHECK(strip_abi_suffix(".abi0") == ".abi0");
}

TEST_CASE("type arguments collapse to the pclntab's [...] the way the Go 1.19 linker writes them") {
  CHECK(collapse_type_arguments("main.Map[go.shape.int_0,go.shape.string_1]") == "main.Map[...]");
  CHECK(collapse_type_arguments("main.(*List[go.shape.string_0]).Push") ==
        "main.(*List[...]).Push");
  CHECK(collapse_type_arguments("type..eq.[2]int") == "type..eq.[...]int");
  CHECK(collapse_type_arguments("main.main") == "main.main");
  CHECK(collapse_type_arguments("odd]name[") == "odd]name[");
}

TEST_CASE("kinds have stable names for reports") {
  CHECK(to_string(SymbolNameKind::go) == "go");
  CHECK(to_string(SymbolNameKind::runtime_generated) == "runtime-generated");
  CHECK(to_string(SymbolNameKind::cgo) == "cgo");
  CHECK(to_string(SymbolNameKind::c) == "c");
}

}  // namespace
}  // namespace fipsgate

TEST_CASE("go_package_prefix agrees with the three-step reading at every length and boundary") {
  // The reading it replaced: cut at the first of "[({ *", find the last '/' in that head, end
  // the path at the first '.' after it. Names from a small alphabet put every one of those
  // bytes on both sides of the 16-byte blocks.
  auto reference = [](std::string_view name) -> std::string_view {
    const std::string_view head = name.substr(0, name.find_first_of("[({ *"));
    const size_t slash = head.rfind('/');
    const size_t dot = head.find('.', slash == std::string_view::npos ? 0 : slash + 1);
    if (dot == std::string_view::npos || dot == 0) return {};
    return name.substr(0, dot);
  };
  std::mt19937 random(20261127);
  constexpr std::string_view kAlphabet = "ab/./..[({ *x";
  for (int round = 0; round < 20000; ++round) {
    std::string name(random() % 70, 'a');
    for (char& c : name) c = random() % 3 == 0 ? kAlphabet[random() % kAlphabet.size()] : 'a';
    INFO("name \"", name, "\"");
    CHECK(fipsgate::go_package_prefix(name) == reference(name));
  }
  CHECK(fipsgate::go_package_prefix("github.com/hashicorp/terraform-provider-aws/internal/service/"
                                    "ec2.(*Resource).Read") ==
        "github.com/hashicorp/terraform-provider-aws/internal/service/ec2");
  CHECK(fipsgate::go_package_prefix("main.main") == "main");
  CHECK(fipsgate::go_package_prefix(".x").empty());
  // Every byte value inside the vector part of the head, before a '/' and a '.': only the
  // head's ends put them out of the head.
  for (int value = 0; value < 256; ++value) {
    const std::string name = "a/b" + std::string(20, 'y') + static_cast<char>(value) + "/c" +
                             std::string(20, 'z') + ".F";  // long enough for vector blocks past it
    INFO("byte ", value);
    CHECK(fipsgate::go_package_prefix(name) == reference(name));
  }
}

namespace fipsgate {

TEST_CASE("continues_package never disagrees with package_path") {
  // The run test used to count functions per package is only a shortcut: whenever it says a
  // name continues a package, the full reading must give that package. Names are built as
  // "<package>.<rest>" from real package shapes and a rest drawn from the bytes that change
  // the reading ('/', '.', "[({ *", ABI suffixes), plus names from the table above.
  std::mt19937 random(20261127);
  constexpr std::string_view kRestAlphabet = "ab/./..[({ *x_0";
  const std::string_view packages[] = {
      "github.com/x/y", "go.uber.org/zap", "crypto/sha256", "gopkg.in/yaml%2ev3", "a/b",
      "_/home/p",       "type/x",          "go/ast"};
  int taken = 0;
  for (int round = 0; round < 40000; ++round) {
    const std::string_view package = packages[random() % std::size(packages)];
    REQUIRE(package_path(std::string(package) + ".F") == package);
    std::string rest(random() % 40, 'a');
    for (char& c : rest)
      c = random() % 3 == 0 ? kRestAlphabet[random() % kRestAlphabet.size()] : 'a';
    const char* suffixes[] = {"", ".abi0", ".abiinternal"};
    const std::string name = std::string(package) + "." + rest + suffixes[random() % 3];
    INFO("name \"", name, "\" package \"", package, "\"");
    if (continues_package(name, package)) {
      ++taken;
      CHECK(package_path(name) == package);
    }
    // The table form: the name NUL-terminated with the next name behind it, and cut off by the
    // end of the table.
    const std::string table = name + '\0' + "x/y.F/z";
    CHECK(continues_package(TerminatedName{table.data(), table.size()}, PackageRun(package)) ==
          continues_package(name, package));
    CHECK(continues_package(TerminatedName{table.data(), name.size()}, PackageRun(package)) ==
          continues_package(name, package));
  }
  CHECK(taken > 10000);  // the shortcut is taken for most names, or it saves nothing
  for (const NameCase& previous : kNames) {
    const std::string_view package = package_path(previous.name);
    if (package.find('/') == std::string_view::npos) continue;
    for (const NameCase& next : kNames) {
      INFO("name \"", next.name, "\" package \"", package, "\"");
      if (continues_package(next.name, package)) CHECK(package_path(next.name) == package);
    }
  }
  CHECK_FALSE(continues_package("runtime.mallocgc", "runtime"));  // no '/': parse it
  CHECK_FALSE(continues_package("a/b.abi0", "a/b"));              // stripped: just "a/b"
  CHECK_FALSE(continues_package(TerminatedName{"a/b.abi0\0a/b.F", 14}, PackageRun("a/b")));
  CHECK(continues_package(TerminatedName{"a/b.x.abi0\0", 11}, PackageRun("a/b")));
  CHECK_FALSE(continues_package(TerminatedName{"runtime.f\0", 10}, PackageRun("runtime")));
  CHECK_FALSE(continues_package("a/b.c/d.F", "a/b"));    // package a/b.c/d
  CHECK(continues_package("a/b.(*T).M[x/y.Z]", "a/b"));  // '/' after the head
  CHECK(package_path("a/b.c/d.F") == "a/b.c/d");
}

TEST_CASE("the table form of continues_package stops its head at the same bytes, for every byte") {
  // Each byte value once inside the vector part of the head, with a '/' after it: only the
  // head's stops ("[({ *" and the name's NUL) put that '/' out of the head.
  for (int value = 0; value < 256; ++value) {
    const std::string name = "a/b.F" + std::string(20, 'y') + static_cast<char>(value) + "/z";
    const std::string table = name + '\0' + std::string(32, 'p');  // room for vector loads
    const std::string_view up_to_nul(table.c_str());
    INFO("byte ", value);
    CHECK(continues_package(TerminatedName{table.data(), table.size()}, PackageRun("a/b")) ==
          continues_package(up_to_nul, "a/b"));
  }
}

TEST_CASE("continues_package agrees with package_path on every function of real binaries") {
  // Each function against the package of the one before it, as the per-package count walks them.
  std::vector<std::filesystem::path> binaries = {"/usr/lib/go-1.19/bin/go",
                                                 "/usr/lib/google-cloud-sdk/bin/kubectl"};
  if (std::filesystem::is_directory(FIPSGATE_SAMPLES_DIR)) {
    for (const auto& entry : std::filesystem::directory_iterator(FIPSGATE_SAMPLES_DIR)) {
      if (entry.path().filename().string().starts_with("go1.")) binaries.push_back(entry.path());
    }
  }
  uint64_t names = 0;
  uint64_t taken = 0;
  for (const std::filesystem::path& path : binaries) {
    if (!std::filesystem::exists(path)) continue;
    CAPTURE(path.string());
    auto file = MappedFile::open(path.string());
    REQUIRE(file.ok());
    auto image = read_binary_image(file->view());
    REQUIRE(image.ok());
    const GoBinary go = read_go_binary(*image);
    REQUIRE(go.functions.has_value());
    std::string_view previous_package;
    std::vector<std::string> disagreements;
    for (uint64_t i = 0; i < go.functions->size(); ++i, ++names) {
      const std::string_view name = go.functions->name_at(i);
      const std::string_view package = package_path(name);
      if (!previous_package.empty() && continues_package(name, previous_package)) {
        ++taken;
        if (package != previous_package) disagreements.emplace_back(name);
      }
      if (!previous_package.empty() &&
          continues_package(go.functions->terminated_name_at(i), PackageRun(previous_package)) !=
              continues_package(name, previous_package)) {
        disagreements.emplace_back("table form: " + std::string(name));
      }
      previous_package = package;
    }
    CHECK(disagreements.empty());
    if (!disagreements.empty()) MESSAGE("first: " << disagreements.front());
  }
  REQUIRE(names > 0);  // the go1.19 toolchain is installed with the build dependencies
  MESSAGE(taken << " of " << names << " names continued the package before them");
  CHECK(taken * 2 > names);
}

}  // namespace fipsgate
