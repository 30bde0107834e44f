#include "support/synthetic_stacks.h"

#include <algorithm>
#include <stdexcept>

#include "fipsgate/go/build_info.h"
#include "fipsgate/go/module_info.h"

namespace fipsgate::testing {

namespace {

std::string module_text(const StackSpec& spec) {
  std::string text = "path\t" + spec.main_module + "\nmod\t" + spec.main_module + "\t(devel)\t\n";
  for (const auto& [key, value] : spec.settings) text += "build\t" + key + "=" + value + "\n";
  return text;
}

// Common std crypto names every stack carries (crypto/sha256 wrappers, the sig markers).
std::vector<std::string> with_std(std::vector<std::string> names) {
  names.insert(names.begin(), {"main.main", "crypto/sha256.Sum256", "crypto/sha256.New"});
  return names;
}

}  // namespace

std::string inline_build_info_blob(const std::string& version, const std::string& text) {
  std::string blob(kBuildInfoMagic);
  blob += '\x08';  // pointer size
  blob += '\x02';  // flags: little-endian, inline strings
  blob += std::string(16, '\0');
  put_uvarint(blob, version.size());
  blob += version;
  const std::string framed = std::string(kModInfoStart) + text + std::string(kModInfoEnd);
  put_uvarint(blob, framed.size());
  blob += framed;
  pad_to(blob, 16);
  return blob;
}

uint64_t BuiltStack::entry(const std::string& function) const {
  auto it = std::find(functions.begin(), functions.end(), function);
  if (it == functions.end()) throw std::invalid_argument("no function " + function);
  return kStackTextStart + static_cast<uint64_t>(it - functions.begin()) * kStackFunctionBytes;
}

void BuiltStack::patch_text(uint64_t vaddr, const std::string& bytes) {
  const auto* text = go.elf.find(".text");
  go.elf.bytes.replace(text->file_offset + (vaddr - text->vaddr), bytes.size(), bytes);
}

void BuiltStack::place_call(uint64_t site, const std::string& callee) {
  std::string call = "\xE8";
  put_uint(call, static_cast<uint32_t>(entry(callee) - (site + 5)), 4, Endian::little);
  patch_text(site, call);
}

uint64_t BuiltStack::string_vaddr(const std::string& text) const {
  const auto* strings = go.elf.find(".rodata.str");
  const size_t at = go.elf.bytes.find(text, strings->file_offset);
  return strings->vaddr + (at - strings->file_offset);
}

BuiltStack build_stack(const StackSpec& spec) {
  GoElfSpec elf;
  elf.pclntab.text_start = kStackTextStart;
  for (const auto& name : spec.functions)
    elf.pclntab.functions.push_back({name, kStackFunctionBytes});
  elf.write_symbols = true;
  std::string strings;
  for (const auto& text : spec.rodata_strings) strings += text + std::string(1, '\0');
  if (strings.empty()) strings = std::string(16, '\0');
  elf.extra_sections.push_back(
      SectionSpec{".rodata.str", 1, 2, kStackStringsVaddr, 16, strings, 0});
  if (spec.build_info) {
    elf.extra_sections.push_back(
        SectionSpec{".go.buildinfo", 1, 3, kStackBuildInfoVaddr, 16,
                    inline_build_info_blob(spec.go_version, module_text(spec)), 0});
  }
  if (!spec.data.empty()) {
    elf.extra_sections.push_back(SectionSpec{".data", 1, 3, kStackDataVaddr, 16, spec.data, 0});
  }
  elf.extra_sections.insert(elf.extra_sections.end(), spec.more_sections.begin(),
                            spec.more_sections.end());
  BuiltStack built{build_go_elf(elf), spec.functions};
  return built;
}

StackSpec golang_fips_openssl_stack() {
  StackSpec spec;
  spec.go_version = "go1.22.9 (Red Hat 1.22.9-1.el9_5) X:strictfipsruntime";
  spec.settings = {{"-compiler", "gc"},
                   {"CGO_ENABLED", "1"},
                   {"GOARCH", "amd64"},
                   {"GOEXPERIMENT", "strictfipsruntime"},
                   {"GOOS", "linux"}};
  spec.functions = with_std({
      "crypto/internal/backend.init.0",
      "crypto/internal/backend.Enabled",
      "crypto/internal/backend.NewSHA256",
      "crypto/internal/boring/sig.BoringCrypto",
      "crypto/internal/boring/sig.StandardCrypto",
      "vendor/github.com/golang-fips/openssl/v2.Init",
      "vendor/github.com/golang-fips/openssl/v2.dlopen",
      "vendor/github.com/golang-fips/openssl/v2.NewSHA256",
      "vendor/github.com/golang-fips/openssl/v2._Cfunc_go_openssl_EVP_DigestInit_ex",
      "runtime/cgo.init",
      "x_cgo_init",
  });
  spec.rodata_strings = {"libcrypto.so.3", "libcrypto.so.1.1", "GOLANG_FIPS"};
  return spec;
}

StackSpec golang_fips_legacy_stack() {
  StackSpec spec;
  spec.go_version = "go1.19.13 (Red Hat 1.19.13-1.el8_8)";
  spec.settings = {{"CGO_ENABLED", "1"}, {"GOARCH", "amd64"}, {"GOOS", "linux"}};
  spec.functions = with_std({
      "crypto/internal/boring.init.0",
      "crypto/internal/boring._Cfunc__goboringcrypto_DLOPEN_OPENSSL",
      "crypto/internal/boring._Cfunc__goboringcrypto_FIPS_mode",
      "crypto/internal/boring/sig.BoringCrypto",
      "_goboringcrypto_DLOPEN_OPENSSL",
      "runtime/cgo.init",
  });
  spec.rodata_strings = {"libcrypto.so.10", "libcrypto.so.1.1"};
  return spec;
}

StackSpec microsoft_openssl_stack() {
  StackSpec spec;
  spec.go_version = "go1.25.3";
  spec.settings = {{"-compiler", "gc"},
                   {"CGO_ENABLED", "1"},
                   {"GOARCH", "amd64"},
                   {"GOOS", "linux"},
                   {"microsoft_systemcrypto", "1"}};
  spec.functions = with_std({
      "crypto/internal/backend.init.0",
      "crypto/internal/backend.NewSHA256",
      "crypto/internal/backend/bbig.Enc",
      "crypto/internal/boring/sig.BoringCrypto",
      "vendor/github.com/golang-fips/openssl/v2.Init",
      "vendor/github.com/golang-fips/openssl/v2.dlopen",
      "vendor/github.com/golang-fips/openssl/v2.NewSHA256",
      "runtime/cgo.init",
  });
  spec.rodata_strings = {"libcrypto.so.3", "opensslcrypto: can't initialize OpenSSL"};
  return spec;
}

StackSpec boringcrypto_stack() {
  StackSpec spec;
  spec.go_version = "go1.22.7 X:boringcrypto";
  spec.settings = {{"CGO_ENABLED", "1"},
                   {"GOARCH", "amd64"},
                   {"GOEXPERIMENT", "boringcrypto"},
                   {"GOOS", "linux"}};
  spec.functions = with_std({
      "crypto/internal/boring.init.0",
      "crypto/internal/boring._Cfunc__goboringcrypto_FIPS_mode",
      "crypto/internal/boring._Cfunc__goboringcrypto_SHA256_Init",
      "crypto/internal/boring/sig.BoringCrypto",
      "_cgo_0123456789ab_Cfunc__goboringcrypto_FIPS_mode",
      "_goboringcrypto_FIPS_mode",
      "_goboringcrypto_SHA256_Init",
      "runtime/cgo.init",
  });
  spec.rodata_strings = {"boringcrypto: not in FIPS mode"};
  return spec;
}

StackSpec native_snapshot_stack() {
  StackSpec spec;
  spec.go_version = "go1.24.4";
  spec.settings = {{"-tags", "fips140v1.0"}, {"DefaultGODEBUG", "fips140=on"}, {"CGO_ENABLED", "1"},
                   {"GOARCH", "amd64"},      {"GOFIPS140", "v1.0.0"},          {"GOOS", "linux"}};
  spec.functions = with_std({
      "crypto/internal/fips140/v1%2e0%2e0.CAST",
      "crypto/internal/fips140/v1%2e0%2e0.init.0",
      "crypto/internal/fips140/v1.0.0/sha256.New",
      "crypto/internal/fips140/v1.0.0/sha256.(*Digest).Write",
      "crypto/internal/fips140/v1.0.0/check.init.0",
      "crypto/internal/boring/sig.StandardCrypto",
  });
  return spec;
}

StackSpec standard_stack() {
  StackSpec spec;
  spec.settings = {{"CGO_ENABLED", "0"}, {"GOARCH", "amd64"}, {"GOOS", "linux"}};
  spec.functions = with_std({"crypto/internal/boring/sig.StandardCrypto"});
  return spec;
}

}  // namespace fipsgate::testing
