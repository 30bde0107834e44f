// Whether this build runs under AddressSanitizer: it brings its own allocator, reserves terabytes
// of address space and checks for leaks when the process exits.
#pragma once

namespace fipsgate {

#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool kAddressSanitizer = true;
#else
inline constexpr bool kAddressSanitizer = false;
#endif
#else
inline constexpr bool kAddressSanitizer = false;
#endif

}  // namespace fipsgate
