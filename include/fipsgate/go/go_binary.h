// The Go stage of the pipeline: everything Go itself records in a binary (build info, pclntab,
// moduledata, function table), gathered for one image. Each stage's failure is kept as an
// error while the other stages still run.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "fipsgate/binary/binary_image.h"
#include "fipsgate/go/build_info.h"
#include "fipsgate/go/function_table.h"
#include "fipsgate/go/moduledata.h"
#include "fipsgate/go/pclntab.h"
#include "fipsgate/io/copied_region.h"

namespace fipsgate {

struct GoBinary {
  std::optional<BuildInfo> build_info;
  // Set when build_info is absent but the version/module text were found in read-only data.
  std::optional<FallbackBuildInfo> fallback;
  // A small file's function names and records, copied out of its pclntab (io/copied_region.h);
  // pclntab's and functions' views of them then read this copy instead of the mapping.
  std::optional<CopiedRegion> pclntab_copy;
  std::optional<Pclntab> pclntab;
  std::optional<ModuleData> moduledata;
  std::optional<FunctionTable> functions;
  std::vector<std::string> errors;  // each stage's Error, kept; other stages still run

  bool is_go() const;  // build info (or its fallback) or pclntab found
  // The version from the blob, else from the fallback; nullptr when unknown.
  const GoVersion* go_version() const;
  const ModuleInfo* modules() const;
};

GoBinary read_go_binary(const BinaryImage& image);

}  // namespace fipsgate
