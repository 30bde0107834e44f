// Capstone 4 wrappers (see disassemble.h). The release program links Capstone's archive into a
// position-dependent executable (CMakeLists.txt), where its ~77k table pointers need no
// relocation. Other builds open the shared library at the first disassembler
// (io/shared_library.h): relocating and copying those tables costs 2-7 ms, and most runs
// disassemble nothing.
#include "analysis/disassemble.h"

#include <capstone/capstone.h>

#include "io/shared_library.h"

namespace fipsgate {

namespace {

struct Capstone {
  decltype(&cs_open) open = nullptr;
  decltype(&cs_close) close = nullptr;
  decltype(&cs_malloc) allocate = nullptr;
  decltype(&cs_free) free = nullptr;
  decltype(&cs_disasm_iter) disassemble_one = nullptr;
  std::string error;  // set when the library or one of its functions is missing
};

Capstone load_capstone() {
  Capstone api;
#ifdef FIPSGATE_CAPSTONE_LINKED
  api.open = &cs_open;
  api.close = &cs_close;
  api.allocate = &cs_malloc;
  api.free = &cs_free;
  api.disassemble_one = &cs_disasm_iter;
#else
  const std::string error =
      open_library(FIPSGATE_CAPSTONE_SONAME, {{"cs_open", api.open},
                                              {"cs_close", api.close},
                                              {"cs_malloc", api.allocate},
                                              {"cs_free", api.free},
                                              {"cs_disasm_iter", api.disassemble_one}});
  if (!error.empty()) api.error = "disassembler: " + error;
#endif
  return api;
}

const Capstone& capstone() {
  static const Capstone api = load_capstone();  // thread-safe, once per process
  return api;
}

}  // namespace

const std::string& Disassembler::load_error() {
  return capstone().error;
}

std::unique_ptr<Disassembler> Disassembler::for_arch(Arch arch, Endian endian) {
  cs_arch cs_architecture;
  int mode = 0;
  unsigned call_id = 0;
  bool fixed_width = false;
  const int byte_order = endian == Endian::big ? CS_MODE_BIG_ENDIAN : CS_MODE_LITTLE_ENDIAN;
  switch (arch) {
    case Arch::amd64:
      cs_architecture = CS_ARCH_X86;
      mode = CS_MODE_64;
      call_id = X86_INS_CALL;
      break;
    case Arch::x86:
      cs_architecture = CS_ARCH_X86;
      mode = CS_MODE_32;
      call_id = X86_INS_CALL;
      break;
    case Arch::arm64:
      cs_architecture = CS_ARCH_ARM64;
      mode = byte_order;
      call_id = ARM64_INS_BL;
      fixed_width = true;
      break;
    case Arch::ppc64:
    case Arch::ppc64le:
      cs_architecture = CS_ARCH_PPC;
      mode = CS_MODE_64 | byte_order;
      call_id = PPC_INS_BL;
      fixed_width = true;
      break;
    case Arch::s390x:
      cs_architecture = CS_ARCH_SYSZ;
      mode = CS_MODE_BIG_ENDIAN;
      call_id = SYSZ_INS_BRASL;
      break;
    default:
      return nullptr;
  }
  const Capstone& api = capstone();
  if (!api.error.empty()) return nullptr;
  csh handle = 0;
  if (api.open(cs_architecture, static_cast<cs_mode>(mode), &handle) != CS_ERR_OK) return nullptr;
  return std::unique_ptr<Disassembler>(new Disassembler(handle, call_id, fixed_width));
}

Disassembler::Disassembler(size_t handle, unsigned call_id, bool fixed_width)
    : handle_(handle), call_id_(call_id), fixed_width_(fixed_width) {}

Disassembler::~Disassembler() {
  csh handle = handle_;
  capstone().close(&handle);
}

bool Disassembler::is_call_at(ByteView code, uint64_t entry, uint64_t site) const {
  Sweep fresh;
  return is_call_at(code, entry, site, fresh);
}

bool Disassembler::is_call_at(ByteView code, uint64_t entry, uint64_t site, Sweep& sweep) const {
  if (site < entry || site - entry >= code.size()) return false;
  // Fixed-width code decodes the one instruction at the site; otherwise the sweep starts at the
  // entry, or where the last sweep of this function stopped if that is not past the site.
  uint64_t start = entry;
  if (fixed_width_) {
    start = site;
  } else if (sweep.entry == entry && sweep.reached > entry && sweep.reached <= site) {
    start = sweep.reached;
  }
  const uint8_t* bytes = code.data() + (start - entry);
  size_t size = code.size() - (start - entry);
  uint64_t address = start;
  sweep = Sweep{entry, 0};
  const Capstone& api = capstone();
  cs_insn* instruction = api.allocate(handle_);
  if (!instruction) return false;
  bool found = false;
  while (api.disassemble_one(handle_, &bytes, &size, &address, instruction)) {
    if (instruction->address >= site) {
      found = instruction->address == site && instruction->id == call_id_;
      sweep.reached = instruction->address;
      break;
    }
    if (fixed_width_) break;
  }
  api.free(instruction, 1);
  return found;
}

}  // namespace fipsgate
