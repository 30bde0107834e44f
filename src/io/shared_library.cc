#include "io/shared_library.h"

#include <dlfcn.h>

namespace fipsgate {

std::string open_library(const std::string& soname, std::initializer_list<LibrarySymbol> symbols) {
  void* handle = dlopen(soname.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* reason = dlerror();
    return soname + " could not be loaded: " + (reason ? reason : "unknown dlopen error");
  }
  for (const LibrarySymbol& symbol : symbols) {
    void* address = dlsym(handle, symbol.name);
    if (address == nullptr) return soname + " has no symbol " + symbol.name;
    symbol.assign(address);
  }
  return "";
}

}  // namespace fipsgate
