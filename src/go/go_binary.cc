// The Go stage: each reader runs on its own, and a failure in one (a malformed build-info blob,
// a pclntab that does not decode) is recorded while the others still run, so that a report can
// say as much as the bytes allow.
#include "fipsgate/go/go_binary.h"

namespace fipsgate {

namespace {

void read_build_info_stage(const BinaryImage& image, GoBinary& go) {
  Result<std::optional<BuildInfo>> build_info = read_build_info(image);
  if (!build_info.ok()) {
    go.errors.push_back(build_info.error().message());
  } else if (build_info->has_value()) {
    go.build_info = std::move(**build_info);
    for (const std::string& warning : go.build_info->warnings) go.errors.push_back(warning);
  }
}

// The function names and records of a small file's pclntab, copied out of it (io/copied_region.h):
// every byte of them is read, some more than once. The pc-value tables, nearly half of a
// pclntab, stay where they lie: only the few callers confirmed by disassembly read them.
void copy_read_tables(const MappedFile& file, Pclntab& pclntab, GoBinary& go) {
  const ByteView read_whole[] = {pclntab.funcname_table, pclntab.func_table};
  auto copied = CopiedRegion::copy(file, read_whole);
  if (!copied) return;
  for (ByteView* part : {&pclntab.funcname_table, &pclntab.cu_table, &pclntab.file_table,
                         &pclntab.pc_table, &pclntab.func_table, &pclntab.functab}) {
    if (std::optional<ByteView> moved = copied->rebased(*part)) *part = *moved;
  }
  go.pclntab_copy = std::move(copied);
}

// Returns the pclntab error, if any, for the caller to report once it knows whether this is a
// Go binary at all.
std::optional<std::string> read_pclntab_stages(const BinaryImage& image, GoBinary& go) {
  Result<Pclntab> pclntab = find_pclntab(image);
  if (!pclntab.ok()) return pclntab.error().message();
  if (const MappedFile* file = image.source()) copy_read_tables(*file, *pclntab, go);
  go.pclntab = std::move(*pclntab);
  Result<ModuleData> moduledata = find_moduledata(image, *go.pclntab);
  if (moduledata.ok()) {
    go.moduledata = std::move(*moduledata);
  } else {
    go.errors.push_back(moduledata.error().message());
  }
  Result<FunctionTable> functions =
      read_function_table(image, *go.pclntab, go.moduledata ? &*go.moduledata : nullptr);
  if (functions.ok()) {
    go.functions = std::move(*functions);
  } else {
    go.errors.push_back(functions.error().message());
  }
  return std::nullopt;
}

}  // namespace

bool GoBinary::is_go() const {
  return build_info.has_value() || pclntab.has_value() || fallback.has_value();
}

const GoVersion* GoBinary::go_version() const {
  if (build_info) return &build_info->go_version;
  if (fallback && fallback->go_version) return &*fallback->go_version;
  return nullptr;
}

const ModuleInfo* GoBinary::modules() const {
  if (build_info) return &build_info->modules;
  if (fallback && fallback->modules) return &*fallback->modules;
  return nullptr;
}

GoBinary read_go_binary(const BinaryImage& image) {
  GoBinary go;
  read_build_info_stage(image, go);
  std::optional<std::string> pclntab_error = read_pclntab_stages(image, go);
  if (!go.build_info) {
    // No usable blob (patched-out linker, Go <= 1.12, or a malformed blob): the version and
    // module text can still be found in data (reference §1.4, §1.6). Guessing from "go1." text
    // is only done when a pclntab already says this is Go.
    go.fallback = find_build_info_fallback(image, go.errors, go.pclntab.has_value());
  }
  // A file without build info and without pclntab is simply not Go: no error for the miss.
  if (pclntab_error && (go.build_info || go.fallback)) go.errors.push_back(*pclntab_error);
  return go;
}

}  // namespace fipsgate
