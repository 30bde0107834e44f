#include "fipsgate/io/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <utility>

#include "io/thread_buffer.h"

namespace fipsgate {

namespace {

Error os_error(const std::string& path, const char* what) {
  return Error(path + ": " + what + ": " + std::strerror(errno));
}

// Reads up to `size` bytes at `offset` of fd into `out`; the count read (short when the file
// shrank since it was measured), or -1 on an error.
int64_t read_at(int fd, uint64_t offset, uint8_t* out, uint64_t size) {
  uint64_t done = 0;
  while (done < size) {
    const ssize_t got = ::pread(fd, out + done, size - done, static_cast<off_t>(offset + done));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return -1;
    if (got == 0) break;
    done += static_cast<uint64_t>(got);
  }
  return static_cast<int64_t>(done);
}

}  // namespace

struct MappedFile::Range {
  // 2 MiB: a file's large folios can then be mapped whole, as at an address mmap picks.
  static constexpr uint64_t kAlignment = uint64_t{2} << 20;

  Range() {
    // Under a limit on the address space (ulimit -v) the reservation would count against it, in
    // every analysing thread: files are then mapped one at a time, as before.
    struct rlimit limit {};
    if (::getrlimit(RLIMIT_AS, &limit) != 0 || limit.rlim_cur != RLIM_INFINITY) return;
    void* reserved = ::mmap(nullptr, kReservedBytes, PROT_NONE,
                            MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (reserved != MAP_FAILED) base = static_cast<uint8_t*>(reserved);
  }
  ~Range() {
    if (base != nullptr) ::munmap(base, kReservedBytes);
  }
  Range(const Range&) = delete;
  Range& operator=(const Range&) = delete;

  // Maps `size` bytes of fd at the next boundary; nullptr when they do not fit, the range is
  // full of files still open, or a mapping failed.
  const uint8_t* map(int fd, uint64_t size) {
    const uint64_t span = (size + kAlignment - 1) / kAlignment * kAlignment;
    if (base == nullptr || size == 0 || span > kReservedBytes) return nullptr;
    if (used + span > kReservedBytes) {
      if (open_files.load() != 0 || !unmap_all()) return nullptr;
    }
    void* at = ::mmap(base + used, size, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 0);
    if (at == MAP_FAILED) {
      abandon();
      return nullptr;
    }
    used += span;
    open_files.fetch_add(1);
    return static_cast<const uint8_t*>(at);
  }

  // Unmaps every file mapped so far in one call, keeping the addresses reserved.
  bool unmap_all() {
    void* again = ::mmap(base, used, PROT_NONE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
    if (again == MAP_FAILED) {
      abandon();
      return false;
    }
    used = 0;
    return true;
  }

  // A failed MAP_FIXED may have unmapped part of the range, where another mapping of the
  // process can then land: nothing is mapped over the range again, and it is left as it is.
  void abandon() { base = nullptr; }

  uint8_t* base = nullptr;  // only the thread that owns the range maps into it
  uint64_t used = 0;
  std::atomic<uint64_t> open_files{0};  // released by whichever thread drops the file
};

Result<MappedFile> MappedFile::open(const std::string& path, Access access) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return os_error(path, "cannot open");
  MappedFile file;
  file.fd_ = fd;  // closed with `file` on every return that fails
  file.path_ = path;
  struct stat status {};
  if (::fstat(fd, &status) != 0) return os_error(path, "cannot stat");
  if (!S_ISREG(status.st_mode)) return Error(path + ": not a regular file");
  file.size_ = static_cast<uint64_t>(status.st_size);
  if (file.size_ == 0) return file;
  if (access == Access::automatic && file.size_ <= kReadWholeBytes) {
    FG_TRY(const bool read, file.read_into_buffer());
    if (read) return file;
  }
  if (file.size_ <= kPooledFileBytes) {
    thread_local const std::shared_ptr<Range> range = std::make_shared<Range>();
    file.data_ = range->map(fd, file.size_);
    if (file.data_ != nullptr) file.range_ = range;
  }
  if (file.data_ == nullptr) {
    void* mapping = ::mmap(nullptr, file.size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (mapping == MAP_FAILED) return os_error(path, "cannot map");
    file.data_ = static_cast<const uint8_t*>(mapping);
  }
  return file;
}

Result<bool> MappedFile::read_into_buffer() {
  std::shared_ptr<ThreadBuffer> buffer = ThreadBuffer::borrow();
  if (buffer == nullptr) return false;  // another file of this thread holds it
  if (!buffer->reserve(size_)) {
    buffer->give_back();
    return false;
  }
  const int64_t got = read_at(fd_, 0, buffer->data, size_);
  if (got < 0) {
    Error error = os_error(path_, "cannot read");
    buffer->give_back();
    return error;
  }
  size_ = static_cast<uint64_t>(got);  // a file that shrank since fstat is what could be read
  data_ = buffer->data;
  buffer_ = std::move(buffer);
  ::close(fd_);  // copy_out() copies from memory now
  fd_ = -1;
  return true;
}

MappedFile::MappedFile(MappedFile&& other) noexcept
    : range_(std::move(other.range_)),
      buffer_(std::move(other.buffer_)),
      data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      fd_(std::exchange(other.fd_, -1)),
      path_(std::move(other.path_)) {}

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
  if (this != &other) {
    release();
    range_ = std::move(other.range_);
    buffer_ = std::move(other.buffer_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
  }
  return *this;
}

bool MappedFile::copy_out(uint64_t offset, uint8_t* out, uint64_t size) const {
  if (!view().contains(offset, size)) return false;
  if (in_memory()) {
    if (size > 0) std::memcpy(out, data_ + offset, size);
    return true;
  }
  // Short when the file shrank since it was mapped.
  return fd_ >= 0 && read_at(fd_, offset, out, size) == static_cast<int64_t>(size);
}

MappedFile::~MappedFile() {
  release();
}

void MappedFile::release() {
  if (buffer_ != nullptr) {
    buffer_->give_back();
    buffer_.reset();
  } else if (range_ != nullptr) {
    range_->open_files.fetch_sub(1);  // its pages stay mapped until the range is unmapped
    range_.reset();
  } else if (data_ != nullptr) {
    // Dropping the pages first keeps munmap's hold on the address space short: munmap zaps the
    // pages while it keeps the process's mmap lock (1-3 ms for a big Go binary), and another
    // scan worker's mmap of its next file waited that long with its CPU idle (perf sched: gaps
    // of 0.3-3 ms). MADV_DONTNEED on a read-only private file mapping loses nothing, and where
    // the kernel takes per-VMA locks for it (6.18 here) it leaves the mmap lock alone; elsewhere
    // it costs what the munmap after it saves.
    void* mapping = const_cast<uint8_t*>(data_);
    ::madvise(mapping, size_, MADV_DONTNEED);
    ::munmap(mapping, size_);
  }
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  data_ = nullptr;
  size_ = 0;
}

}  // namespace fipsgate
