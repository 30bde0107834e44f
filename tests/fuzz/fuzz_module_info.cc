// Module text (runtime.modinfo): sentinel stripping, the line grammar, Go string unquoting.
#include "fipsgate/go/module_info.h"
#include "fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace fipsgate;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string_view stripped = strip_modinfo_sentinels(text);
  if (!stripped.empty() && (stripped.data() < text.data() ||
                            stripped.data() + stripped.size() > text.data() + text.size()))
    std::abort();
  volatile size_t sink = 0;
  for (std::string_view candidate : {text, stripped}) {
    if (auto info = parse_module_info(candidate)) {
      sink = sink + info->deps.size() + info->settings.size();
      (void)info->setting("CGO_ENABLED");
    }
  }
  if (auto unquoted = unquote_go_string(text)) sink = sink + unquoted->size();
  return 0;
}
